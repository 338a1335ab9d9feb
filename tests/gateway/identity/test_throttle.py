"""Sign-in throttling per email and per client address, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio
from sqlalchemy import func, select

from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.store import add_attempt
from gateway.identity.tables import LoginAttempt
from gateway.identity.throttle import (
    PRUNE_INTERVAL,
    Admitted,
    LoginThrottle,
    Throttled,
    ThrottleLimits,
)
from tests.gateway.core.store.databases import BACKENDS, migrated_store

T0 = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)
WINDOW = 15 * MINUTE


class Clock:
    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest_asyncio.fixture(scope="module", params=BACKENDS)
async def store(request: pytest.FixtureRequest) -> AsyncIterator[GatewayStore]:
    opened = await migrated_store(request.param, request)
    yield opened
    await opened.aclose()


def throttle(
    store: GatewayStore,
    clock: Clock,
    *,
    per_email: int = 100,
    per_address: int = 100,
    per_pair: int = 100,
) -> LoginThrottle:
    limits = ThrottleLimits(
        failures_per_email_and_address=per_pair,
        failures_per_email=per_email,
        failures_per_address=per_address,
        window=WINDOW,
    )
    return LoginThrottle(store, limits, clock=clock)


async def fail(gate: LoginThrottle, email: str, address: str | None) -> None:
    assert isinstance(await gate.admit(email=email, client_address=address), Admitted)


async def test_failures_per_email_slide_out_of_the_window(store: GatewayStore) -> None:
    clock = Clock()
    gate = throttle(store, clock, per_email=3)
    email, address = "slide@example.com", "203.0.113.20"
    for minute in range(3):
        clock.now = T0 + minute * MINUTE
        await fail(gate, email, address)
    clock.now = T0 + 3 * MINUTE
    assert await gate.admit(email=email, client_address=address) == Throttled(721)
    # Turned-away attempts do not count, however many: the first failure still sets the wait.
    clock.now = T0 + WINDOW
    for _ in range(4):
        assert await gate.admit(email=email, client_address=address) == Throttled(1)
    clock.now = T0 + WINDOW + timedelta(seconds=1)
    assert isinstance(await gate.admit(email=email, client_address=address), Admitted)


async def test_the_same_email_however_it_is_typed(store: GatewayStore) -> None:
    clock = Clock()
    gate = throttle(store, clock, per_email=2)
    await fail(gate, "Typed@Example.com", "203.0.113.21")
    await fail(gate, " typed@example.COM ", "203.0.113.22")
    outcome = await gate.admit(email="typed@example.com", client_address="203.0.113.23")
    assert outcome == Throttled(int(WINDOW.total_seconds()) + 1)


async def test_a_success_starts_the_email_count_afresh(store: GatewayStore) -> None:
    clock = Clock()
    gate = throttle(store, clock, per_email=2)
    email, address = "afresh@example.com", "203.0.113.24"
    await fail(gate, email, address)
    clock.now += MINUTE
    admitted = await gate.admit(email=email, client_address=address)
    assert isinstance(admitted, Admitted)
    await gate.succeeded(admitted)
    for _ in range(2):
        clock.now += MINUTE
        await fail(gate, email, address)
    clock.now += MINUTE
    assert isinstance(await gate.admit(email=email, client_address=address), Throttled)


async def test_failures_per_address_count_across_emails(store: GatewayStore) -> None:
    clock = Clock()
    gate = throttle(store, clock, per_address=3)
    address = "203.0.113.25"
    for n in range(3):
        await fail(gate, f"spray-{n}@example.com", address)
    refused = await gate.admit(email="spray-new@example.com", client_address=address)
    assert refused == Throttled(int(WINDOW.total_seconds()) + 1)
    # Elsewhere the same email is fine: it has no failures of its own.
    elsewhere = await gate.admit(email="spray-new@example.com", client_address="203.0.113.26")
    assert isinstance(elsewhere, Admitted)


async def test_a_known_password_does_not_reset_an_address(store: GatewayStore) -> None:
    clock = Clock()
    gate = throttle(store, clock, per_address=2)
    address = "203.0.113.27"
    await fail(gate, "guess-1@example.com", address)
    await fail(gate, "guess-2@example.com", address)
    assert isinstance(await gate.admit(email="mine@example.com", client_address=address), Throttled)


async def test_attempts_without_an_address_share_one_budget(store: GatewayStore) -> None:
    clock = Clock(T0 + 2 * WINDOW)
    gate = throttle(store, clock, per_address=1)
    await fail(gate, "direct-1@example.com", None)
    outcome = await gate.admit(email="direct-2@example.com", client_address=None)
    assert isinstance(outcome, Throttled)


async def count_attempts(store: GatewayStore, email: str) -> int:
    async with store.sessions() as db:
        found = await db.scalar(
            select(func.count()).select_from(LoginAttempt).where(LoginAttempt.email == email)
        )
        return int(found or 0)


async def test_attempts_too_old_to_count_are_pruned_now_and_then(store: GatewayStore) -> None:
    email = "pruned@example.com"
    old = T0 - 10 * WINDOW
    await add_attempt(store, email=email, client_address="203.0.113.28", now=old)
    clock = Clock(T0)
    gate = throttle(store, clock)
    await fail(gate, email, "203.0.113.28")
    assert await count_attempts(store, email) == 1
    await add_attempt(store, email=email, client_address="203.0.113.28", now=old)
    clock.now += PRUNE_INTERVAL / 2
    await fail(gate, email, "203.0.113.28")
    assert await count_attempts(store, email) == 3  # not yet: pruning waits its interval
    clock.now += PRUNE_INTERVAL
    await fail(gate, email, "203.0.113.28")
    assert await count_attempts(store, email) == 3  # the old one went, this one came


async def test_a_strangers_failures_do_not_lock_the_owner_out(store: GatewayStore) -> None:
    # The tight budget was per email alone: five wrong guesses from anywhere refused
    # the owner's correct password too, for the whole window.
    clock = Clock()
    gate = throttle(store, clock, per_pair=3, per_email=10)
    email, stranger, owner = "owned@example.com", "203.0.113.40", "198.51.100.40"
    for _ in range(3):
        await fail(gate, email, stranger)

    assert isinstance(await gate.admit(email=email, client_address=stranger), Throttled)
    assert isinstance(await gate.admit(email=email, client_address=owner), Admitted)


async def test_many_addresses_still_meet_a_ceiling_per_email(store: GatewayStore) -> None:
    clock = Clock()
    gate = throttle(store, clock, per_pair=2, per_email=4)
    email = "ceiling@example.com"
    for address in ("203.0.113.50", "203.0.113.50", "203.0.113.51", "203.0.113.51"):
        await fail(gate, email, address)

    assert isinstance(await gate.admit(email=email, client_address="203.0.113.52"), Throttled)
