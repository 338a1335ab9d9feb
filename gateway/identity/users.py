"""Portal users: reading them and the accounts linked to them, and making or resetting
them for operators' commands and the demo seed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from adapters.rules.email import normalize_email_address
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.passwords import hash_password
from gateway.identity.tables import Role, User, UserAccount


async def upsert_member(
    session_or_engine: AsyncSession | AsyncEngine | str,
    *,
    email: str,
    password: str,
    account_numbers: Iterable[str],
    role: Role | str = Role.MEMBER,
) -> int:
    """Create the user, or reset its password and role; link exactly these accounts.

    For seeding and operators' commands: the email counts as confirmed and every
    account is linked as its holder.

    Returns the user's id. With a session, the caller commits; with an engine or a
    database URL, this commits its own transaction.
    """
    role = Role(role)
    numbers = sorted(set(account_numbers))
    password_hash = await hash_password(password)
    email = normalize_email_address(email)
    if isinstance(session_or_engine, AsyncSession):
        return await _upsert(session_or_engine, email, password_hash, numbers, role)
    if isinstance(session_or_engine, str):
        engine = create_async_engine(session_or_engine)
        try:
            return await _upsert_and_commit(engine, email, password_hash, numbers, role)
        finally:
            await engine.dispose()
    return await _upsert_and_commit(session_or_engine, email, password_hash, numbers, role)


async def _upsert_and_commit(
    engine: AsyncEngine, email: str, password_hash: str, numbers: Sequence[str], role: Role
) -> int:
    async with AsyncSession(engine, expire_on_commit=False) as session:
        user_id = await _upsert(session, email, password_hash, numbers, role)
        await session.commit()
        return user_id


async def _upsert(
    session: AsyncSession, email: str, password_hash: str, numbers: Sequence[str], role: Role
) -> int:
    now = datetime.now(UTC)
    user = await session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            password_hash=password_hash,
            role=role.value,
            created_at=now,
            email_confirmed_at=now,
        )
        session.add(user)
        await session.flush()
    else:
        user.password_hash = password_hash
        user.role = role.value
        user.email_confirmed_at = user.email_confirmed_at or now
        user.password_changed_at = now
        await session.execute(delete(UserAccount).where(UserAccount.user_id == user.id))
    session.add_all(
        UserAccount(user_id=user.id, account_number=n, access="holder", linked_at=now)
        for n in numbers
    )
    await session.flush()
    return user.id


@dataclass(frozen=True, slots=True)
class StoredUser:
    id: int
    email: str
    role: Role
    password_hash: str
    created_at: datetime
    email_confirmed: bool = True


async def find_user_by_email(store: GatewayStore, email: str) -> StoredUser | None:
    async with store.sessions() as session:
        row = await session.scalar(select(User).where(User.email == normalize_email_address(email)))
        return stored_user(row) if row else None


async def get_user(store: GatewayStore, user_id: int) -> StoredUser | None:
    async with store.sessions() as session:
        row = await session.get(User, user_id)
        return stored_user(row) if row else None


async def account_numbers(store: GatewayStore, user_id: int) -> frozenset[str]:
    async with store.sessions() as session:
        numbers = await session.scalars(
            select(UserAccount.account_number).where(UserAccount.user_id == user_id)
        )
        return frozenset(numbers)


class UserColumns(Protocol):
    """A `User` row, or a Core row selecting the same columns."""

    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def password_hash(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def email_confirmed_at(self) -> datetime | None: ...


def stored_user(row: UserColumns) -> StoredUser:
    created_at = row.created_at
    if created_at.tzinfo is None:  # SQLite keeps no offset; the store only writes UTC
        created_at = created_at.replace(tzinfo=UTC)
    return StoredUser(
        row.id,
        row.email,
        Role(row.role),
        row.password_hash,
        created_at,
        email_confirmed=row.email_confirmed_at is not None,
    )
