from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import pytest_asyncio

from gateway.core.store.gateway_store import GatewayStore
from gateway.identity import login as login_module
from gateway.identity.login import EmailNotConfirmed, LoginOutcome, WrongCredentials, login
from gateway.identity.passwords import hash_password, verify_password
from gateway.identity.sessions import SessionTokens
from gateway.identity.store import Device, running_sessions
from gateway.identity.throttle import LoginThrottle, Throttled, ThrottleLimits
from gateway.identity.users import find_user_by_email, get_user
from tests.gateway.conftest import Members
from tests.gateway.core.store.databases import add_user
from tests.gateway.support import TOKENS

# Attempts are recorded at this (past) time, so that they never count against the
# sign-ins of other tests, which throttle by the wall clock.
T0 = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
UNCONFIRMED_PASSWORD = "not confirmed yet, but right"


def throttle(store: GatewayStore, *, per_email: int = 100, per_address: int = 100) -> LoginThrottle:
    limits = ThrottleLimits(
        failures_per_email_and_address=per_email,
        failures_per_email=per_email,
        failures_per_address=per_address,
    )
    return LoginThrottle(store, limits, clock=lambda: T0)


@pytest_asyncio.fixture(scope="module")
async def unconfirmed_email(gateway_store: GatewayStore) -> str:
    user_id = await add_user(gateway_store, confirmed=False, password=UNCONFIRMED_PASSWORD)
    user = await get_user(gateway_store, user_id)
    assert user is not None
    return user.email


async def sign_in(
    store: GatewayStore,
    email: str,
    password: str,
    *,
    gate: LoginThrottle | None = None,
    address: str = "192.0.2.1",
) -> LoginOutcome:
    return await login(
        store=store,
        tokens=TOKENS,
        throttle=gate or throttle(store),
        email=email,
        password=password,
        device=Device("Test bench", "pytest", address),
    )


async def test_the_right_password_starts_a_session(
    gateway_store: GatewayStore, members: Members
) -> None:
    signed_in = await sign_in(gateway_store, members.demo.email.upper(), members.demo.password)
    assert isinstance(signed_in, SessionTokens)
    claims = TOKENS.verify(signed_in.access.token)
    assert (claims.user_id, claims.role) == (members.demo.user_id, members.demo.role)
    assert claims.session_id == signed_in.session_id
    assert signed_in.refresh_expires_at - signed_in.access.expires_at > timedelta(days=29)
    running = await running_sessions(
        gateway_store, user_id=members.demo.user_id, now=datetime.now(UTC)
    )
    session = next(s for s in running if s.id == signed_in.session_id)
    assert session.device == Device("Test bench", "pytest", "192.0.2.1")


async def test_wrong_password_and_unknown_email_are_both_just_no(
    gateway_store: GatewayStore, members: Members
) -> None:
    wrong = await sign_in(gateway_store, members.demo.email, "guess")
    unknown = await sign_in(gateway_store, "nobody@example.com", "guess")
    oversized = await sign_in(gateway_store, members.demo.email, "x" * 5000)
    assert wrong == unknown == oversized == WrongCredentials()


async def test_an_unconfirmed_email_is_only_mentioned_to_the_right_password(
    gateway_store: GatewayStore, unconfirmed_email: str
) -> None:
    wrong = await sign_in(gateway_store, unconfirmed_email, "a wrong password")
    assert wrong == WrongCredentials()
    right = await sign_in(gateway_store, unconfirmed_email, UNCONFIRMED_PASSWORD)
    assert right == EmailNotConfirmed()
    user = await find_user_by_email(gateway_store, unconfirmed_email)
    assert user is not None
    assert await running_sessions(gateway_store, user_id=user.id, now=datetime.now(UTC)) == []


async def test_throttled_looks_the_same_for_known_and_unknown_emails_and_checks_no_password(
    gateway_store: GatewayStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A login of its own: another test's successful sign-in (at the wall clock, after
    # T0) would start this email's count afresh.
    password = "right, and never signed in with"
    user = await get_user(gateway_store, await add_user(gateway_store, password=password))
    assert user is not None
    verified: list[str] = []

    async def counted_verify(password_hash: str, password: str) -> bool:
        verified.append(password)
        return await verify_password(password_hash, password)

    async def counted_nothing(password: str) -> None:
        verified.append(password)

    monkeypatch.setattr(login_module, "verify_password", counted_verify)
    monkeypatch.setattr(login_module, "verify_against_nothing", counted_nothing)
    answers = []
    for email, address in (
        (user.email, "192.0.2.2"),
        ("ghost@example.com", "192.0.2.3"),
    ):
        gate = throttle(gateway_store, per_email=2)
        for _ in range(2):
            assert await sign_in(gateway_store, email, "wrong", gate=gate, address=address) == (
                WrongCredentials()
            )
        before = len(verified)
        answers.append(await sign_in(gateway_store, email, password, gate=gate, address=address))
        assert len(verified) == before  # turned away before any password was looked at
    assert answers[0] == answers[1] == Throttled(retry_after_seconds=15 * 60 + 1)


async def test_hashes_are_argon2id_and_salted() -> None:
    first, second = await hash_password("same"), await hash_password("same")
    assert first.startswith("$argon2id$")
    assert first != second
    assert await verify_password(first, "same")
    assert not await verify_password(first, "other")
    assert not await verify_password("not a hash", "same")
