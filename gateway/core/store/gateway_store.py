"""Reading and writing portal users and the accounts linked to them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
)

from adapters.rules.email import normalize_email_address
from gateway.core.store.models import Role, User, UserAccount


@dataclass(frozen=True, slots=True)
class StoredUser:
    id: int
    email: str
    role: Role
    password_hash: str
    created_at: datetime
    email_confirmed: bool = True


class GatewayStore:
    """The gateway's own database, opened once by the app and shared by requests."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    @property
    def sessions(self) -> async_sessionmaker[AsyncSession]:
        """Database sessions for the store modules that own the other tables."""
        return self._sessions

    async def find_user_by_email(self, email: str) -> StoredUser | None:
        async with self._sessions() as session:
            row = await session.scalar(
                select(User).where(User.email == normalize_email_address(email))
            )
            return stored_user(row) if row else None

    async def get_user(self, user_id: int) -> StoredUser | None:
        async with self._sessions() as session:
            row = await session.get(User, user_id)
            return stored_user(row) if row else None

    async def account_numbers(self, user_id: int) -> frozenset[str]:
        async with self._sessions() as session:
            numbers = await session.scalars(
                select(UserAccount.account_number).where(UserAccount.user_id == user_id)
            )
            return frozenset(numbers)

    async def ping(self) -> None:
        async with self._sessions() as session:
            await session.execute(select(1))

    async def aclose(self) -> None:
        await self._engine.dispose()


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
