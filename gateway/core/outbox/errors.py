"""The outbox's own errors, so that callers never need to catch SQLAlchemy's."""

from __future__ import annotations


class OutboxError(Exception):
    """Base of every error the outbox raises."""


class InvalidOutboxEntry(OutboxError, ValueError):
    """An entry the outbox cannot store as given: a payload that is not a JSON object,
    an empty or too long kind or idempotency key, a due time without a time zone."""


class IdempotencyKeyConflict(OutboxError):
    """The idempotency key already names an entry for other work (another kind or
    payload). Taking either one silently would lose or repeat an effect."""

    def __init__(self, idempotency_key: str) -> None:
        super().__init__(
            f"idempotency key {idempotency_key!r} is already used by an outbox entry"
            " of another kind or payload"
        )
        self.idempotency_key = idempotency_key


class OutboxStoreError(OutboxError):
    """The database failed while claiming or finishing entries; the worker tries again
    on its next poll."""


class AnotherWorkerRunning(OutboxError):
    """A second worker tried to start against the SQLite database a worker already uses."""

    def __init__(self, database_path: str, *, holder: str | None) -> None:
        held_by = f" (held by {holder})" if holder else ""
        super().__init__(
            f"another worker already runs against this SQLite database: {database_path}"
            f"{held_by}. SQLite allows one worker; stop the other one first, or use"
            " PostgreSQL to run several."
        )
        self.database_path = database_path
        self.holder = holder
