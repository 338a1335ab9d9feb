"""Signing in, refreshing and signing out through the HTTP endpoint, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import pytest_asyncio
from pydantic import SecretStr
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.core.backends import Adapters
from gateway.identity.tables import Role
from gateway.identity.tokens import TokenIssuer
from gateway.identity.users import get_user
from gateway.settings import GatewaySettings
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.meters.fake_from_world import fake_meters_from_world
from simulators.oms.fake_from_world import fake_oms_from_world
from simulators.world import World
from tests.gateway import served
from tests.gateway.core.store.databases import BACKENDS, add_user, migrated_store

PASSWORD = "a long and fine password"
FAILURES_PER_EMAIL_AND_ADDRESS = 2
FAILURES_PER_EMAIL = 4
FAILURES_PER_ADDRESS = 3
SECRET = SecretStr("sessions-test-signing-secret-" + "s" * 16)

LOGIN = """
mutation ($input: LoginInput!) { login(input: $input) {
  __typename
  ... on LoginSuccess {
    accessToken tokenType expiresAt refreshToken refreshExpiresAt sessionId
  }
  ... on LoginFailed { message }
  ... on LoginThrottled { message retryAfterSeconds }
  ... on EmailNotConfirmed { message }
  ... on ValidationError { field message }
} }
"""
REFRESH = """
mutation ($token: String!) { refreshSession(input: {refreshToken: $token}) {
  __typename
  ... on RefreshSessionSuccess { accessToken refreshToken refreshExpiresAt sessionId }
  ... on RefreshFailed { message }
} }
"""
SESSIONS = """
{ viewer { email sessions {
  id deviceName userAgent clientAddress createdAt lastUsedAt expiresAt current
} } }
"""
REVOKE = """
mutation ($id: ID!) { revokeSession(input: {sessionId: $id}) {
  __typename
  ... on SessionRevoked { sessionId }
  ... on SessionNotFound { sessionId message }
} }
"""
LOGOUT = "mutation { logout { sessionsEnded } }"
ELSEWHERE = "mutation { signOutEverywhereElse { sessionsEnded } }"
ACCOUNT = "query ($n: String!) { account(number: $n) { __typename ... on Account { number } } }"


@dataclass(frozen=True, slots=True)
class Site:
    app: Starlette
    member_email: str
    other_email: str
    unconfirmed_email: str
    throttled_email: str
    account_number: str


@pytest_asyncio.fixture(scope="module", params=BACKENDS)
async def site(request: pytest.FixtureRequest, world: World) -> AsyncIterator[Site]:
    store = await migrated_store(request.param, request)
    url = store.engine.url.render_as_string(hide_password=False)
    number = world.accounts[5].account_number
    emails = []
    for numbers, confirmed in (((number,), True), ((), True), ((), False), ((), True)):
        user_id = await add_user(
            store, password=PASSWORD, confirmed=confirmed, account_numbers=numbers
        )
        user = await get_user(store, user_id)
        assert user is not None
        emails.append(user.email)
    await store.aclose()
    settings = GatewaySettings(
        jwt_secret=SECRET,
        database_url=url,
        login_failures_per_email_and_address=FAILURES_PER_EMAIL_AND_ADDRESS,
        login_failures_per_email=FAILURES_PER_EMAIL,
        login_failures_per_address=FAILURES_PER_ADDRESS,
    )
    adapters = Adapters(
        cis=fake_cis_from_world(world),
        oms=fake_oms_from_world(world),
        meters=fake_meters_from_world(world),
    )
    app = create_app(settings, adapters)
    async with app.router.lifespan_context(app):
        member, other, unconfirmed, throttled = emails
        yield Site(app, member, other, unconfirmed, throttled, number)


class Device(served.Device):
    async def login(
        self, email: str, password: str = PASSWORD, device_name: str | None = None
    ) -> dict[str, Any]:
        given = {"email": email, "password": password, "deviceName": device_name}
        answer: dict[str, Any] = (await self.post(LOGIN, input=given))["data"]["login"]
        if answer["__typename"] == "LoginSuccess":
            self.keep(answer)
        return answer

    async def refresh(self) -> dict[str, Any]:
        answer: dict[str, Any] = (await self.post(REFRESH, token=self.refresh_token))["data"][
            "refreshSession"
        ]
        if answer["__typename"] == "RefreshSessionSuccess":
            self.keep(answer)
        return answer

    async def sessions(self) -> list[dict[str, Any]]:
        body = await self.post(SESSIONS)
        sessions: list[dict[str, Any]] = body["data"]["viewer"]["sessions"]
        return sessions

    async def reads_account(self, number: str) -> bool:
        """True if the account reads; False if the request is not signed in (any more)."""
        body = await self.post(ACCOUNT, n=number)
        if body.get("errors"):
            [error] = body["errors"]
            assert error["extensions"]["code"] == "UNAUTHENTICATED"
            assert body["data"] is None
            return False
        assert body["data"]["account"] == {"__typename": "Account", "number": number}
        return True


async def unauthenticated(answer: Awaitable[dict[str, Any]]) -> bool:
    """True when the viewer is null with one UNAUTHENTICATED error, the code `account` gives."""
    body = await answer
    [error] = body.get("errors") or [{"extensions": {}}]
    return body["data"] == {"viewer": None} and error["extensions"]["code"] == "UNAUTHENTICATED"


@pytest_asyncio.fixture
async def devices(site: Site) -> AsyncIterator[list[Device]]:
    made: list[Device] = []
    yield made
    for device in made:
        await device.aclose()


def device(site: Site, devices: list[Device], address: str, user_agent: str = "pytest") -> Device:
    made = Device(site.app, address, user_agent)
    devices.append(made)
    return made


async def test_two_devices_sign_in_refresh_list_and_revoke(
    site: Site, devices: list[Device]
) -> None:
    phone = device(site, devices, "198.51.100.7", "CoopApp/3.1 (iOS 19)")
    laptop = device(site, devices, "198.51.100.8", "Mozilla/5.0 (X11; Linux x86_64)")
    signed_in = await phone.login(site.member_email, device_name="Pat's phone")
    assert signed_in["__typename"] == "LoginSuccess"
    assert signed_in["tokenType"] == "Bearer"
    assert signed_in["refreshExpiresAt"] > signed_in["expiresAt"]
    assert (await laptop.login(site.member_email, device_name=" Kitchen laptop "))[
        "__typename"
    ] == "LoginSuccess"
    assert phone.session_id != laptop.session_id

    for each in (phone, laptop):
        session_id, old_refresh = each.session_id, each.refresh_token
        refreshed = await each.refresh()
        assert refreshed["__typename"] == "RefreshSessionSuccess"
        assert refreshed["sessionId"] == session_id
        assert refreshed["refreshToken"] != old_refresh
        assert await each.reads_account(site.account_number)

    listed = await laptop.sessions()
    assert [s["id"] for s in listed] == [laptop.session_id, phone.session_id]
    assert [s["current"] for s in listed] == [True, False]
    assert [(s["deviceName"], s["userAgent"], s["clientAddress"]) for s in listed] == [
        ("Kitchen laptop", "Mozilla/5.0 (X11; Linux x86_64)", "198.51.100.8"),
        ("Pat's phone", "CoopApp/3.1 (iOS 19)", "198.51.100.7"),
    ]
    assert all(s["createdAt"] <= s["lastUsedAt"] < s["expiresAt"] for s in listed)
    assert [s["current"] for s in await phone.sessions()] == [False, True]

    revoked = await laptop.post(REVOKE, id=phone.session_id)
    assert revoked["data"]["revokeSession"] == {
        "__typename": "SessionRevoked",
        "sessionId": phone.session_id,
    }
    assert not await phone.reads_account(site.account_number)
    assert await unauthenticated(phone.post(SESSIONS))
    assert (await phone.refresh())["__typename"] == "RefreshFailed"
    assert [s["id"] for s in await laptop.sessions()] == [laptop.session_id]
    assert await laptop.reads_account(site.account_number)


async def test_a_replayed_refresh_token_signs_out_both_copies(
    site: Site, devices: list[Device]
) -> None:
    owner = device(site, devices, "198.51.100.20")
    await owner.login(site.member_email)
    stolen = owner.refresh_token
    assert (await owner.refresh())["__typename"] == "RefreshSessionSuccess"
    thief = device(site, devices, "203.0.113.66")
    thief.refresh_token = stolen
    assert await thief.refresh() == {
        "__typename": "RefreshFailed",
        "message": "This sign-in has ended; sign in again.",
    }
    assert not await owner.reads_account(site.account_number)
    assert (await owner.refresh())["__typename"] == "RefreshFailed"
    garbage = device(site, devices, "203.0.113.67")
    garbage.refresh_token = "not-a-token"
    assert await garbage.refresh() == await thief.refresh()


async def test_logout_ends_this_session_only(site: Site, devices: list[Device]) -> None:
    here = device(site, devices, "198.51.100.30")
    there = device(site, devices, "198.51.100.31")
    await here.login(site.member_email)
    await there.login(site.member_email)
    assert (await here.post(LOGOUT))["data"] == {"logout": {"sessionsEnded": 1}}
    assert not await here.reads_account(site.account_number)
    assert (await here.refresh())["__typename"] == "RefreshFailed"
    assert await there.reads_account(site.account_number)
    anonymous = device(site, devices, "198.51.100.32")
    body = await anonymous.post(LOGOUT)
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_sign_out_everywhere_else(site: Site, devices: list[Device]) -> None:
    others = [device(site, devices, f"198.51.100.4{n}") for n in range(2)]
    here = device(site, devices, "198.51.100.49")
    for each in [*others, here]:
        await each.login(site.other_email)
    assert (await here.post(ELSEWHERE))["data"] == {"signOutEverywhereElse": {"sessionsEnded": 2}}
    for other in others:
        assert await unauthenticated(other.post(SESSIONS))
        assert (await other.refresh())["__typename"] == "RefreshFailed"
    [left] = await here.sessions()
    assert (left["id"], left["current"]) == (here.session_id, True)


async def test_someone_elses_session_answers_like_a_missing_one(
    site: Site, devices: list[Device]
) -> None:
    victim = device(site, devices, "198.51.100.50")
    intruder = device(site, devices, "198.51.100.51")
    await victim.login(site.member_email)
    await intruder.login(site.other_email)
    theirs = await intruder.post(REVOKE, id=victim.session_id)
    missing = await intruder.post(REVOKE, id="0" * 32)
    oversized = await intruder.post(REVOKE, id="0" * 500)
    for answer, asked in ((theirs, victim.session_id), (missing, "0" * 32), (oversized, "0" * 500)):
        assert answer["data"] == {
            "revokeSession": {
                "__typename": "SessionNotFound",
                "sessionId": asked,
                "message": "No such session was found.",
            }
        }
        assert "errors" not in answer
    assert await victim.reads_account(site.account_number)


async def test_throttled_per_email_alike_for_known_and_unknown_emails(
    site: Site, devices: list[Device]
) -> None:
    answers = []
    known, unknown = site.throttled_email, "nobody@example.com"
    for email, address in ((known, "192.0.2.60"), (unknown, "192.0.2.61")):
        client = device(site, devices, address)
        for _ in range(FAILURES_PER_EMAIL_AND_ADDRESS):
            assert (await client.login(email, "wrong password"))["__typename"] == "LoginFailed"
        answers.append(await client.login(email, PASSWORD))
    for answer in answers:
        assert answer.keys() == {"__typename", "message", "retryAfterSeconds"}
        assert 0 < answer.pop("retryAfterSeconds") <= 15 * 60 + 1
    assert answers[0] == answers[1]
    assert answers[0]["__typename"] == "LoginThrottled"
    # The guesser's budget for the email is spent, not the owner's: from their own
    # address the owner signs in (a lockout per email alone let anyone lock them out).
    owner = device(site, devices, "192.0.2.62")
    assert (await owner.login(known))["__typename"] == "LoginSuccess"
    # Guessing from many addresses still meets the looser budget per email.
    for n in range(FAILURES_PER_EMAIL // FAILURES_PER_EMAIL_AND_ADDRESS - 1):
        client = device(site, devices, f"192.0.2.{63 + n}")
        for _ in range(FAILURES_PER_EMAIL_AND_ADDRESS):
            assert (await client.login(unknown, "wrong"))["__typename"] == "LoginFailed"
    another = device(site, devices, "192.0.2.69")
    assert (await another.login(unknown))["__typename"] == "LoginThrottled"


async def test_throttled_per_address_across_emails(site: Site, devices: list[Device]) -> None:
    crowded = device(site, devices, "192.0.2.70")
    for n in range(FAILURES_PER_ADDRESS):
        assert (await crowded.login(f"spray-{n}@example.com", "guess"))["__typename"] == (
            "LoginFailed"
        )
    assert (await crowded.login(site.member_email))["__typename"] == "LoginThrottled"
    quiet = device(site, devices, "192.0.2.71")
    assert (await quiet.login(site.member_email))["__typename"] == "LoginSuccess"


async def test_an_unconfirmed_email_must_be_confirmed_first(
    site: Site, devices: list[Device]
) -> None:
    client = device(site, devices, "192.0.2.80")
    assert (await client.login(site.unconfirmed_email, "wrong password"))[
        "__typename"
    ] == "LoginFailed"
    assert await client.login(site.unconfirmed_email) == {
        "__typename": "EmailNotConfirmed",
        "message": "Confirm your email address first: follow the link in the message we sent.",
    }
    assert client.access_token is None


@pytest.mark.parametrize("name", ["x" * 121, "tab\there"])
async def test_a_bad_device_name_is_refused_before_anything_else(
    site: Site, devices: list[Device], name: str
) -> None:
    client = device(site, devices, "192.0.2.90")
    answer = await client.login(site.member_email, device_name=name)
    assert answer == {
        "__typename": "ValidationError",
        "field": "deviceName",
        "message": "Use at most 120 printable characters.",
    }


async def test_viewer_with_credentials_that_do_not_work_is_unauthenticated(
    site: Site, devices: list[Device]
) -> None:
    # It answered `viewer: null` with no error, as if the client had not signed in.
    signed_in = device(site, devices, "198.51.100.60")
    await signed_in.login(site.member_email)
    assert signed_in.session_id is not None
    an_hour_ago = datetime.now(UTC) - timedelta(hours=1)
    old = TokenIssuer(SECRET, ttl=timedelta(minutes=15), clock=lambda: an_hour_ago)
    expired = device(site, devices, "198.51.100.61")
    expired.access_token = old.issue(
        user_id=1, role=Role.MEMBER, session_id=signed_in.session_id
    ).token
    forged = device(site, devices, "198.51.100.62")
    forged.access_token = "not.a.token"
    anonymous = device(site, devices, "198.51.100.63")

    assert await unauthenticated(expired.post(SESSIONS))
    assert await unauthenticated(forged.post(SESSIONS))
    # A signed-out client (no Authorization header) still reads null: the existing
    # contract ("null when not signed in"), which portals use to show the sign-in page.
    signed_out = await anonymous.post(SESSIONS)
    assert signed_out["data"] == {"viewer": None}
    assert "errors" not in signed_out
    assert (await signed_in.post(SESSIONS))["data"]["viewer"]["email"] == site.member_email
