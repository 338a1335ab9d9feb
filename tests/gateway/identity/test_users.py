from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from gateway.identity.passwords import verify_password
from gateway.identity.tables import Role
from gateway.identity.users import account_numbers, find_user_by_email, get_user, upsert_member
from tests.gateway.core.store.databases import store_on_each_backend

# On SQLite and on the real PostgreSQL, one database per module.
store = store_on_each_backend()


async def test_upsert_creates_then_updates_the_same_user(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'gateway.db'}"
    await migrate(url)
    store = open_store(url)
    try:
        created = await upsert_member(
            url, email=" Pat@Example.com ", password="first", account_numbers=["2", "1", "2"]
        )
        again = await upsert_member(
            store.engine,
            email="pat@example.COM",
            password="second",
            account_numbers=["3"],
            role="staff",
        )
        assert again == created
        user = await find_user_by_email(store, "PAT@example.com")
        assert user is not None
        assert (user.email, user.role) == ("pat@example.com", Role.STAFF)
        assert user.created_at.tzinfo is not None
        assert await verify_password(user.password_hash, "second")
        assert await account_numbers(store, created) == {"3"}
        assert await get_user(store, created + 100) is None
    finally:
        await store.aclose()


async def test_upsert_in_a_session_leaves_the_commit_to_the_caller(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await migrate(url)
    store = open_store(url)
    try:
        async with AsyncSession(store.engine) as session:
            await upsert_member(session, email="a@example.com", password="p", account_numbers=[])
            await session.rollback()
        assert await find_user_by_email(store, "a@example.com") is None
        with pytest.raises(ValueError, match="'root'"):
            await upsert_member(
                store.engine, email="b@x.org", password="p", account_numbers=[], role="root"
            )
    finally:
        await store.aclose()


async def test_emails_are_unique_whatever_their_case(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await migrate(url)
    store = open_store(url)
    try:
        await upsert_member(store.engine, email="dup@example.com", password="p", account_numbers=[])
        async with store.engine.begin() as connection:
            with pytest.raises(IntegrityError):
                await connection.exec_driver_sql(
                    "INSERT INTO users (email, password_hash, role, created_at)"
                    " VALUES ('DUP@example.com', 'x', 'member', '2026-01-01')"
                )
    finally:
        await store.aclose()
