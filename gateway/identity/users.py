"""Portal users made or reset by operators' commands and the demo seed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine

from adapters.rules.email import normalize_email_address
from gateway.core.store.models import Role, User, UserAccount
from gateway.identity.passwords import hash_password


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
