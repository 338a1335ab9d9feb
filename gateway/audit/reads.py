"""Recording staff reads of accounts: every field of an `Account`, once per request.

`audited_fields` puts a field extension on each field of a type whose objects stand
for one account (`Account`); resolving any of them notes (account, field) in this
request's `AccountReads`. `AuditAccountReads`, a schema extension, gives each
operation its own `AccountReads` and, once the operation is over, writes the reads
of a staff user or admin as one entry per account, all in one INSERT. Members'
reads of their own accounts are not written. Because the fields themselves note
the reads, every way to an `Account` (`account(number:)`, search results, fields
added later) is covered without the resolvers that lead there doing anything.

An audit log that silently misses entries is worse than none: when the entries
cannot be written, the response is withheld and the client gets "Internal error".
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Final, Protocol, TypeVar

from graphql import GraphQLError
from strawberry.extensions import FieldExtension, SchemaExtension
from strawberry.types import Info
from strawberry.types.base import get_object_definition

from gateway.audit.entries import AuditRecord, write_entries
from gateway.core.errors import INTERNAL_SERVER_ERROR
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.roles import STAFF_ROLES
from gateway.identity.users import StoredUser

logger = logging.getLogger("gateway.audit")

MAX_OPERATION_NAME: Final = 120

T = TypeVar("T")


class AccountReads:
    """The accounts read in one request, with the top-level fields read of each."""

    def __init__(self) -> None:
        self._fields: dict[str, set[str]] = {}

    def note(self, account_number: str, field: str) -> None:
        self._fields.setdefault(account_number, set()).add(field)

    def by_account(self) -> dict[str, tuple[str, ...]]:
        return {number: tuple(sorted(fields)) for number, fields in self._fields.items()}


_current: ContextVar[AccountReads | None] = ContextVar("account_reads", default=None)


def note_account_read(account_number: str, field: str) -> None:
    """Record that this request read (or changed) `field` of the account.

    For resolvers that hand out an account's data without an `Account` object, such
    as a mutation returning the changed customer. Outside an operation, a no-op.
    """
    reads = _current.get()
    if reads is not None:
        reads.note(account_number, field)


class _OneAccount(Protocol):
    number: str


class _NoteRead(FieldExtension):
    def resolve(
        self, next_: Callable[..., Any], source: _OneAccount, info: Info, **kwargs: Any
    ) -> Any:
        note_account_read(source.number, info.field_name)
        return next_(source, info, **kwargs)

    async def resolve_async(
        self,
        next_: Callable[..., Awaitable[Any]],
        source: _OneAccount,
        info: Info,
        **kwargs: Any,
    ) -> Any:
        note_account_read(source.number, info.field_name)
        return await next_(source, info, **kwargs)


def audited_fields(cls: type[T]) -> type[T]:
    """Class decorator (above `@strawberry.type`) for a type with a `number` field."""
    definition = get_object_definition(cls, strict=True)
    if not any(field.python_name == "number" for field in definition.fields):
        raise TypeError(f"{cls.__name__} has no `number` to name the account read")
    for field in definition.fields:
        field.extensions.append(_NoteRead())
    return cls


async def write_account_reads(
    *,
    store: GatewayStore,
    user: StoredUser,
    by_account: Mapping[str, tuple[str, ...]],
    operation_name: str | None,
    client_address: str | None,
    request_id: str,
) -> None:
    """Write a staff user's or admin's reads, one entry per account (members': nothing)."""
    if user.role not in STAFF_ROLES or not by_account:
        return
    now = datetime.now(UTC)
    records = [
        AuditRecord(
            occurred_at=now,
            actor_user_id=user.id,
            actor_email=user.email,
            actor_role=user.role.value,
            account_number=number,
            fields=fields,
            operation_name=operation_name[:MAX_OPERATION_NAME] if operation_name else None,
            client_address=client_address,
            request_id=request_id,
        )
        for number, fields in sorted(by_account.items())
    ]
    await write_entries(store, records)


class AuditAccountReads(SchemaExtension):
    """Writes what staff read in an operation once it is over (list it first)."""

    async def on_operation(self) -> AsyncIterator[None]:
        reads = AccountReads()
        token = _current.set(reads)
        try:
            yield
        finally:
            _current.reset(token)
        by_account = reads.by_account()
        if not by_account:
            return
        try:
            await self._write(by_account)
        except Exception:
            context = self.execution_context.context
            request_id = getattr(context, "request_id", "-")
            logger.exception("request %s: could not write the audit entries", request_id)
            self._withhold(request_id)

    async def _write(self, by_account: dict[str, tuple[str, ...]]) -> None:
        context = self.execution_context.context
        # A stored answer's hits write the same reads again (`gateway.api.answers`).
        sources = getattr(context, "sources", None)
        if sources is not None:
            sources.audited = by_account
        user = await context.access.user()
        if user is None:
            return
        await write_account_reads(
            store=context.store,
            user=user,
            by_account=by_account,
            operation_name=self.execution_context.operation_name,
            client_address=context.client_address,
            request_id=context.request_id,
        )

    def _withhold(self, request_id: str) -> None:
        result = self.execution_context.result
        if result is None:
            return
        result.data = None
        result.errors = [
            GraphQLError(
                "Internal error",
                extensions={"code": INTERNAL_SERVER_ERROR, "requestId": request_id},
            )
        ]
