"""Migrated gateway databases of both kinds for store tests, and users without argon2's cost."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable, Collection
from datetime import UTC, datetime
from typing import Any

import pytest
import pytest_asyncio
from argon2 import PasswordHasher

from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from gateway.identity.tables import Role, User, UserAccount

BACKENDS = ("sqlite", "postgresql")
_numbers = itertools.count(1)
# Verifying follows the cost recorded in the hash: cheap hashes keep sign-in tests fast.
_cheap_hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


async def migrated_database_url(backend: str, request: pytest.FixtureRequest) -> str:
    """The URL of a fresh, migrated gateway database: a SQLite file or one on the real
    PostgreSQL."""
    if backend == "sqlite":
        factory: pytest.TempPathFactory = request.getfixturevalue("tmp_path_factory")
        url = f"sqlite+aiosqlite:///{factory.mktemp('gateway-store') / 'gateway.db'}"
    else:
        new_database: Callable[[], str] = request.getfixturevalue("postgres_database_url")
        url = new_database()
    await migrate(url)
    return url


async def migrated_store(backend: str, request: pytest.FixtureRequest) -> GatewayStore:
    """A store over a fresh, migrated gateway database (`migrated_database_url`)."""
    return open_store(await migrated_database_url(backend, request))


def store_on_each_backend() -> Any:
    """A `store` fixture for a module: one migrated store per backend, which the module's
    tests share (`store = store_on_each_backend()` at module level)."""

    @pytest_asyncio.fixture(scope="module", params=BACKENDS)
    async def store(request: pytest.FixtureRequest) -> AsyncIterator[GatewayStore]:
        opened = await migrated_store(request.param, request)
        yield opened
        await opened.aclose()

    return store


async def add_user(
    store: GatewayStore,
    *,
    password: str | None = None,
    confirmed: bool = True,
    role: Role = Role.MEMBER,
    account_numbers: tuple[str, ...] = (),
) -> int:
    """A user with a fresh email, and a cheap argon2id hash of `password` (if any)."""
    now = datetime.now(UTC)
    user = User(
        email=f"session-user-{next(_numbers)}@example.com",
        password_hash=_cheap_hasher.hash(password) if password else "no password",
        role=role.value,
        created_at=now,
        email_confirmed_at=now if confirmed else None,
    )
    async with store.sessions() as db, db.begin():
        db.add(user)
        await db.flush()
        db.add_all(
            UserAccount(user_id=user.id, account_number=n, access="holder", linked_at=now)
            for n in account_numbers
        )
        return user.id


def announcing(store: GatewayStore) -> tuple[GatewayStore, list[int]]:
    """`store`'s database through a store that records the logins it announces changed."""
    announced: list[int] = []

    async def record(user_ids: Collection[int]) -> None:
        announced.extend(user_ids)

    watched = GatewayStore(store.engine)
    watched.announce_login_changes(record)
    return watched, announced
