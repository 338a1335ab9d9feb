"""The `audit_entries` table: writing a request's entries at once, and paging through them."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, and_, func, insert, or_, select

from adapters.rules.email import normalize_email_address
from adapters.rules.numbers import parse_natural
from gateway.audit.tables import AuditEntry
from gateway.core.store.gateway_store import GatewayStore

FIELD_SEPARATOR = ","


@dataclass(frozen=True, slots=True)
class AuditRecord:
    """One staff user's reads of one account in one request."""

    occurred_at: datetime  # aware
    actor_user_id: int | None
    actor_email: str
    actor_role: str
    account_number: str
    fields: tuple[str, ...]  # sorted
    operation_name: str | None
    client_address: str | None
    request_id: str
    id: int | None = None  # None until stored


@dataclass(frozen=True, slots=True)
class AuditFilter:
    account_number: str | None = None
    actor_email: str | None = None
    occurred_from: datetime | None = None  # included, aware
    occurred_to: datetime | None = None  # excluded, aware


@dataclass(frozen=True, slots=True)
class AuditCursor:
    """Where a page ended: entries are ordered by time, then id, newest first."""

    occurred_at: datetime
    id: int

    def encode(self) -> str:
        text = f"{_utc(self.occurred_at).isoformat()}|{self.id}"
        return base64.urlsafe_b64encode(text.encode()).decode()

    @classmethod
    def decode(cls, cursor: str) -> AuditCursor:
        """`ValueError` for anything this connection did not hand out."""
        try:
            at, _, entry_id = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
            occurred_at = datetime.fromisoformat(at)
            if occurred_at.tzinfo is None:
                raise ValueError("a cursor's time has an offset")
            position = parse_natural(entry_id)
            if position is None:
                raise ValueError("a cursor's id is ASCII digits")
            return cls(occurred_at, position)
        except (binascii.Error, UnicodeError) as error:
            raise ValueError("not a cursor") from error


@dataclass(frozen=True, slots=True)
class AuditPage:
    entries: tuple[AuditRecord, ...]
    has_next_page: bool


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def _stored_time(instant: datetime) -> datetime:
    # SQLite keeps no offset; the gateway only ever writes UTC.
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant


async def write_entries(store: GatewayStore, records: Sequence[AuditRecord]) -> None:
    """All of `records` in one INSERT."""
    if not records:
        return
    rows = [
        {
            "occurred_at": _utc(r.occurred_at),
            "actor_user_id": r.actor_user_id,
            "actor_email": r.actor_email,
            "actor_role": r.actor_role,
            "account_number": r.account_number,
            "fields": FIELD_SEPARATOR.join(r.fields),
            "operation_name": r.operation_name,
            "client_address": r.client_address,
            "request_id": r.request_id,
        }
        for r in records
    ]
    async with store.sessions() as session:
        await session.execute(insert(AuditEntry), rows)
        await session.commit()


def _conditions(wanted: AuditFilter, after: AuditCursor | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if wanted.account_number is not None:
        conditions.append(AuditEntry.account_number == wanted.account_number.strip())
    if wanted.actor_email is not None:
        conditions.append(
            func.lower(AuditEntry.actor_email) == normalize_email_address(wanted.actor_email)
        )
    if wanted.occurred_from is not None:
        conditions.append(AuditEntry.occurred_at >= _utc(wanted.occurred_from))
    if wanted.occurred_to is not None:
        conditions.append(AuditEntry.occurred_at < _utc(wanted.occurred_to))
    if after is not None:
        at = _utc(after.occurred_at)
        conditions.append(
            or_(
                AuditEntry.occurred_at < at,
                and_(AuditEntry.occurred_at == at, AuditEntry.id < after.id),
            )
        )
    return conditions


async def audit_page(
    store: GatewayStore, *, wanted: AuditFilter, first: int, after: AuditCursor | None
) -> AuditPage:
    query = (
        select(AuditEntry)
        .where(*_conditions(wanted, after))
        .order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
        .limit(first + 1)  # one more tells whether a next page exists
    )
    async with store.sessions() as session:
        rows = (await session.scalars(query)).all()
    records = tuple(
        AuditRecord(
            occurred_at=_stored_time(row.occurred_at),
            actor_user_id=row.actor_user_id,
            actor_email=row.actor_email,
            actor_role=row.actor_role,
            account_number=row.account_number,
            fields=tuple(f for f in row.fields.split(FIELD_SEPARATOR) if f),
            operation_name=row.operation_name,
            client_address=row.client_address,
            request_id=row.request_id,
            id=row.id,
        )
        for row in rows
    )
    return AuditPage(entries=records[:first], has_next_page=len(records) > first)
