"""Issue 4 as one story, over HTTP against the app built from settings alone.

A new member registers against a seeded account and confirms the address from the
mail the real SMTP server received; signs in on a laptop and a phone, refreshes the
laptop, sees both sessions and signs the phone out; changes the home phone, which
the CIS stand-in then holds. A staff login made by `coop-gateway create-staff` finds
the account by the member's name and the new phone and reads it; an admin sees that
read, and only that read, in the audit log.

Everything real: the CIS and OMS SOAP stand-ins on loopback (a CIS of this test's
own, since it is written to), the meter store, aiosmtpd, Redis as the cache, and a
fresh gateway database on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio
from pydantic import SecretStr
from starlette.applications import Starlette

from adapters.cis.soap import SoapCis
from gateway.app import create_app
from gateway.core.cache import kinds
from gateway.core.cache.keys import key_parts
from gateway.identity.tables import Role
from gateway.staff.logins import create_staff
from simulators.soap import MultiSpeakCredentials
from simulators.world import World, WorldCustomer
from tests.fixtures.cis import cis_endpoint_for
from tests.fixtures.smtp import ReceivedEmail, SmtpTestServer
from tests.gateway import served
from tests.gateway.core.store.databases import BACKENDS, migrated_database_url
from tests.gateway.members.registration_support import AccountFacts, free_accounts

BASE_URL = "https://portal.example.coop"
MEMBER_EMAIL = "betty.lewis.journey@example.net"
MEMBER_PASSWORD = "blue corn pancakes at dawn"
STAFF_EMAIL = "member.services@example.com"
STAFF_PASSWORD = "front counter desk two"
ADMIN_EMAIL = "it.operations@example.com"
ADMIN_PASSWORD = "the audit log never sleeps"
NEW_HOME_PHONE = "(505) 555-0173"
NEW_HOME_PHONE_DIGITS = "5055550173"
STAFF_DESK = "10.8.0.21"
_LINK = re.compile(re.escape(BASE_URL) + r"/confirm-email\?token=([A-Za-z0-9_-]+)")

REGISTER = "mutation ($i: RegisterInput!) { register(input: $i) { __typename } }"
CONFIRM = "mutation ($t: String!) { confirmEmail(input: {token: $t}) { __typename } }"
LOGIN = """
mutation ($i: LoginInput!) { login(input: $i) {
  __typename ... on LoginSuccess { accessToken refreshToken sessionId }
} }
"""
REFRESH = """
mutation ($t: String!) { refreshSession(input: {refreshToken: $t}) {
  __typename ... on RefreshSessionSuccess { accessToken refreshToken sessionId }
} }
"""
SESSIONS = "{ viewer { email sessions { id deviceName userAgent clientAddress current } } }"
REVOKE = """
mutation ($id: ID!) { revokeSession(input: {sessionId: $id}) { __typename } }
"""
CUSTOMER = """
query ($n: String!) { account(number: $n) { __typename ... on Account {
  customer { customerId homePhone mobilePhone }
} } }
"""
UPDATE = """
mutation ($n: String!, $i: ContactDetailsInput!) {
  updateContactDetails(accountNumber: $n, input: $i) {
    __typename ... on UpdateContactDetailsSuccess { customer { homePhone } }
  }
}
"""
SEARCH = """
query ($q: String!) { searchAccounts(query: $q) { edges { node { accountNumber customerName } } } }
"""
STAFF_LOOKUP = """
query StaffLookup($n: String!) { account(number: $n) { __typename ... on Account {
  balance { amountDue } customer { firstName lastName homePhone }
} } }
"""
AUDIT = """
query ($filter: AuditEntryFilter) { auditEntries(filter: $filter) { edges { node {
  accountNumber actorEmail actorRole fields operationName clientAddress
} } } }
"""


class Device(served.Device):
    async def data(self, query: str, **variables: Any) -> dict[str, Any]:
        body = await self.post(query, **variables)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    async def login(self, email: str, password: str, device_name: str | None = None) -> None:
        given = {"email": email, "password": password, "deviceName": device_name}
        self._keep((await self.data(LOGIN, i=given))["login"], "LoginSuccess")

    async def refresh(self) -> str:
        """The answer's type; the device keeps the new tokens when there are some."""
        answer = (await self.data(REFRESH, t=self.refresh_token))["refreshSession"]
        if answer["__typename"] == "RefreshSessionSuccess":
            self._keep(answer, "RefreshSessionSuccess")
        return str(answer["__typename"])

    def _keep(self, answer: dict[str, Any], expected: str) -> None:
        assert answer["__typename"] == expected, answer
        self.keep(answer)


@pytest.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest) -> str:
    return await migrated_database_url(request.param, request)


@pytest.fixture
async def app(
    database_url: str,
    tmp_path: Path,
    smtp_server: SmtpTestServer,
    clean_redis: str,
    fresh_cis_url: str,
    standins: served.StandIns,
) -> AsyncIterator[Starlette]:
    settings = standins.settings(
        cis_url=fresh_cis_url,
        database_url=database_url,
        jwt_secret=SecretStr("member-journey-signing-secret-" + "j" * 16),
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_starttls=False,
        public_base_url=BASE_URL,
        outbox_dir=tmp_path / "outbox",
        redis_url=SecretStr(clean_redis),
        redis_timeout_s=served.REDIS_TIMEOUT_S,
    )
    built = create_app(settings)
    async with built.router.lifespan_context(built):
        yield built


@pytest.fixture
async def devices(app: Starlette) -> AsyncIterator[Callable[[str, str], Device]]:
    """Makes devices (address, user agent) on the app; closes them after the test."""
    made: list[Device] = []

    def device(address: str, user_agent: str) -> Device:
        made.append(Device(app, address, user_agent))
        return made[-1]

    yield device
    for each in made:
        await each.aclose()


def confirmation_token(received: ReceivedEmail) -> str:
    assert received.envelope_to == (MEMBER_EMAIL,)
    body = received.message.get_body(("plain",))
    assert body is not None
    [token] = _LINK.findall(str(body.get_content()))
    return str(token)


async def cached_in_redis(redis_url: str, customer_id: str) -> bool:
    client = redis.asyncio.Redis.from_url(redis_url)
    try:
        return bool(await client.exists(kinds.CUSTOMER.key(key_parts(customer_id))))
    finally:
        await client.aclose()


async def customer_in_the_cis(
    cis_url: str, credentials: MultiSpeakCredentials, customer_id: str
) -> str | None:
    """The home phone the CIS stand-in holds, asked over SOAP past the gateway and its cache."""
    cis = await SoapCis.create(endpoint=cis_endpoint_for(cis_url, credentials))
    try:
        return (await cis.get_customer(customer_id)).home_phone
    finally:
        await cis.aclose()


def a_person_without_a_login(world: World) -> tuple[AccountFacts, WorldCustomer]:
    customers = {c.customer_id: c for c in world.customers}
    owners = {a.account_number: customers[a.customer_id] for a in world.accounts}
    account = next(f for f in free_accounts(world) if f.business_name is None)
    return account, owners[account.number]


async def test_a_member_joins_and_staff_help_them_on_the_record(
    app: Starlette,
    devices: Callable[[str, str], Device],
    database_url: str,
    world: World,
    smtp_server: SmtpTestServer,
    clean_redis: str,
    fresh_cis_url: str,
    cis_credentials: MultiSpeakCredentials,
) -> None:
    account, owner = a_person_without_a_login(world)
    number = account.number
    laptop = devices("198.51.100.10", "Mozilla/5.0 (X11; Linux x86_64)")
    phone = devices("198.51.100.11", "CoopApp/3.1 (iOS 19)")

    # 1-2. Register with the facts on the bill; confirm from the mail SMTP received.
    proof = {"lastName": account.last_name.upper(), "serviceZip": account.service_zip}
    registered = await laptop.data(
        REGISTER,
        i={
            "email": MEMBER_EMAIL,
            "password": MEMBER_PASSWORD,
            "accountNumber": number,
            "proof": proof,
        },
    )
    assert registered == {"register": {"__typename": "CheckYourEmail"}}
    [mail] = smtp_server.received
    confirmed = await laptop.data(CONFIRM, t=confirmation_token(mail))
    assert confirmed == {"confirmEmail": {"__typename": "EmailConfirmed"}}

    # 3. Two devices; the laptop refreshes, lists both and signs the phone out.
    await laptop.login(MEMBER_EMAIL, MEMBER_PASSWORD, "Kitchen laptop")
    await phone.login(MEMBER_EMAIL, MEMBER_PASSWORD, "Betty's phone")
    session_before, refresh_before = laptop.session_id, laptop.refresh_token
    assert await laptop.refresh() == "RefreshSessionSuccess"
    assert laptop.session_id == session_before
    assert laptop.refresh_token != refresh_before  # rotated: the new one is spent next
    assert await laptop.refresh() == "RefreshSessionSuccess"

    listed = (await laptop.data(SESSIONS))["viewer"]
    assert listed["email"] == MEMBER_EMAIL
    assert [(s["id"], s["current"]) for s in listed["sessions"]] == [
        (laptop.session_id, True),
        (phone.session_id, False),
    ]
    assert [(s["deviceName"], s["userAgent"], s["clientAddress"]) for s in listed["sessions"]] == [
        ("Kitchen laptop", "Mozilla/5.0 (X11; Linux x86_64)", "198.51.100.10"),
        ("Betty's phone", "CoopApp/3.1 (iOS 19)", "198.51.100.11"),
    ]
    revoked = await laptop.data(REVOKE, id=phone.session_id)
    assert revoked == {"revokeSession": {"__typename": "SessionRevoked"}}
    shut_out = await phone.post(CUSTOMER, n=number)
    assert shut_out["data"] is None
    assert [e["extensions"]["code"] for e in shut_out["errors"]] == ["UNAUTHENTICATED"]
    assert await phone.refresh() == "RefreshFailed"
    assert [s["id"] for s in (await laptop.data(SESSIONS))["viewer"]["sessions"]] == [
        laptop.session_id
    ]

    # 4. A new home phone: written to the CIS, the cached customer dropped, read back.
    before = (await laptop.data(CUSTOMER, n=number))["account"]["customer"]
    customer_id = before["customerId"]
    assert before["homePhone"] == owner.home_phone != NEW_HOME_PHONE_DIGITS
    assert await cached_in_redis(clean_redis, customer_id)
    updated = await laptop.data(UPDATE, n=number, i={"homePhone": NEW_HOME_PHONE})
    assert updated["updateContactDetails"] == {
        "__typename": "UpdateContactDetailsSuccess",
        "customer": {"homePhone": NEW_HOME_PHONE_DIGITS},
    }
    after = (await laptop.data(CUSTOMER, n=number))["account"]["customer"]
    assert after == before | {"homePhone": NEW_HOME_PHONE_DIGITS}
    in_the_cis = await customer_in_the_cis(fresh_cis_url, cis_credentials, customer_id)
    assert in_the_cis == NEW_HOME_PHONE_DIGITS

    # 5. Staff, made by the operators' command, find the account and read it.
    await create_staff(database_url, email=STAFF_EMAIL, password=STAFF_PASSWORD, role=Role.STAFF)
    await create_staff(database_url, email=ADMIN_EMAIL, password=ADMIN_PASSWORD, role=Role.ADMIN)
    desk = devices(STAFF_DESK, "Mozilla/5.0 (Windows NT 10.0)")
    await desk.login(STAFF_EMAIL, STAFF_PASSWORD)
    name = f"{owner.first_name} {owner.last_name}"
    found = {"accountNumber": number, "customerName": name}
    by_name = (await desk.data(SEARCH, q=name))["searchAccounts"]["edges"]
    assert found in [edge["node"] for edge in by_name]
    by_phone = (await desk.data(SEARCH, q=NEW_HOME_PHONE))["searchAccounts"]["edges"]
    assert [edge["node"] for edge in by_phone] == [found]
    looked_up = (await desk.data(STAFF_LOOKUP, n=number))["account"]
    assert looked_up["__typename"] == "Account"
    assert looked_up["balance"]["amountDue"]
    assert looked_up["customer"] == {
        "firstName": owner.first_name,
        "lastName": owner.last_name,
        "homePhone": NEW_HOME_PHONE_DIGITS,
    }

    # 6. The admin sees the staff read, and nothing of the member's own reads.
    office = devices("10.8.0.5", "Mozilla/5.0 (Macintosh)")
    await office.login(ADMIN_EMAIL, ADMIN_PASSWORD)
    audited = await office.data(AUDIT, filter={"accountNumber": number})
    assert [edge["node"] for edge in audited["auditEntries"]["edges"]] == [
        {
            "accountNumber": number,
            "actorEmail": STAFF_EMAIL,
            "actorRole": "STAFF",
            "fields": ["balance", "customer"],
            "operationName": "StaffLookup",
            "clientAddress": STAFF_DESK,
        }
    ]
    everything = await office.data(AUDIT)
    assert len(everything["auditEntries"]["edges"]) == 1
