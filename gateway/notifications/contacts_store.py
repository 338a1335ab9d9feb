"""Reading and writing members' contacts in the gateway's store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.core.clock import as_utc
from gateway.core.store.dialect_insert import dialect_insert
from gateway.core.store.gateway_store import GatewayStore
from gateway.notifications.tables import ContactRow, PreferenceContactRow


class ContactKind(StrEnum):
    EMAIL = "email"
    SMS = "sms"


@dataclass(frozen=True, slots=True, kw_only=True)
class Contact:
    id: int
    user_id: int
    kind: ContactKind
    value: str  # a lower-case address, or a number in E.164
    is_login: bool
    created_at: datetime
    activated_at: datetime | None

    @property
    def activated(self) -> bool:
        return self.activated_at is not None


@dataclass(frozen=True, slots=True, kw_only=True)
class PendingCode:
    """What checking a typed code needs: its hash, its expiry and its serial."""

    contact: Contact
    code_hash: str | None
    expires_at: datetime | None
    serial: int


def contact_of(row: ContactRow) -> Contact:
    return Contact(
        id=row.id,
        user_id=row.user_id,
        kind=ContactKind(row.kind),
        value=row.value,
        is_login=row.is_login,
        created_at=as_utc(row.created_at),
        activated_at=None if row.activated_at is None else as_utc(row.activated_at),
    )


async def ensure_login_contact(
    store: GatewayStore, *, user_id: int, email: str, now: datetime
) -> None:
    """The login's confirmed address is an activated contact from the start: written the
    first time it is needed, once, however many requests race to write it."""
    values = {
        "user_id": user_id,
        "kind": ContactKind.EMAIL.value,
        "value": email,
        "is_login": True,
        "created_at": as_utc(now),
        "activated_at": as_utc(now),
        "code_serial": 0,
    }
    async with store.sessions.begin() as session:
        existing = await session.scalar(
            select(ContactRow).where(
                ContactRow.user_id == user_id,
                ContactRow.kind == ContactKind.EMAIL.value,
                ContactRow.value == email,
            )
        )
        if existing is None:
            await session.execute(
                dialect_insert(session, ContactRow)
                .values(values)
                .on_conflict_do_nothing(index_elements=["user_id", "kind", "value"])
            )
        elif not existing.is_login:
            # Added by hand before it was the login's (or pending): it is confirmed now.
            existing.is_login = True
            existing.activated_at = existing.activated_at or as_utc(now)
            existing.code_hash = None


async def contacts_of(store: GatewayStore, user_id: int) -> list[Contact]:
    """The login's contacts: its own address first, then in the order they were added."""
    async with store.sessions() as session:
        rows = await session.scalars(
            select(ContactRow)
            .where(ContactRow.user_id == user_id)
            .order_by(ContactRow.is_login.desc(), ContactRow.id)
        )
        return [contact_of(row) for row in rows]


async def count_contacts(session: AsyncSession, user_id: int) -> int:
    count = await session.scalar(
        select(func.count()).select_from(ContactRow).where(ContactRow.user_id == user_id)
    )
    return int(count or 0)


async def find_contact(
    session: AsyncSession, *, user_id: int, kind: ContactKind, value: str
) -> ContactRow | None:
    found: ContactRow | None = await session.scalar(
        select(ContactRow).where(
            ContactRow.user_id == user_id, ContactRow.kind == kind.value, ContactRow.value == value
        )
    )
    return found


async def get_contact(
    session: AsyncSession, *, contact_id: int, user_id: int | None = None, for_update: bool = False
) -> ContactRow | None:
    """The contact, if it exists and (given `user_id`) is that login's."""
    query = select(ContactRow).where(ContactRow.id == contact_id)
    if user_id is not None:
        query = query.where(ContactRow.user_id == user_id)
    if for_update:
        query = query.with_for_update()
    found: ContactRow | None = await session.scalar(query)
    return found


async def delete_contact(session: AsyncSession, contact_id: int) -> None:
    # Here, not only by the foreign key: SQLite enforces none unless told to.
    await session.execute(
        delete(PreferenceContactRow).where(PreferenceContactRow.contact_id == contact_id)
    )
    await session.execute(delete(ContactRow).where(ContactRow.id == contact_id))


async def activated_sms_users(session: AsyncSession, phone: str) -> list[int]:
    """The logins that have `phone` as an activated text contact."""
    users = await session.scalars(
        select(ContactRow.user_id).where(
            ContactRow.kind == ContactKind.SMS.value,
            ContactRow.value == phone,
            ContactRow.activated_at.is_not(None),
        )
    )
    return sorted(set(users))
