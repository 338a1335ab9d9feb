"""A new member, end to end over HTTP: register against a seeded account, read the
confirmation link from the mail the real SMTP server received, confirm, sign in on two
devices, change the password, and reset it from an emailed link.

The app runs from settings alone (the SOAP stand-ins, SMTP to aiosmtpd on loopback), on
a fresh gateway database in SQLite and in PostgreSQL.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from gateway.worker import run_worker
from simulators.world import World
from tests.fixtures.smtp import SmtpTestServer
from tests.gateway.core.store.databases import BACKENDS, migrated_database_url
from tests.gateway.members.registration_support import free_accounts
from tests.gateway.served import Served, StandIns, served

BASE_URL = "https://portal.example.coop"
EMAIL = "Lena.Lewis@example.net"
FIRST_PASSWORD = "juniper and piñon smoke"
SECOND_PASSWORD = "the acequia runs in april"
THIRD_PASSWORD = "green chile harvest moon"
_LINK = re.compile(re.escape(BASE_URL) + r"(/[a-z-]+)\?token=([A-Za-z0-9_-]+)")

REGISTER = """mutation ($i: RegisterInput!) { register(input: $i) { __typename } }"""
CONFIRM = """mutation ($t: String!) { confirmEmail(input: {token: $t}) { __typename } }"""
LOGIN = """
mutation ($i: LoginInput!) { login(input: $i) {
  __typename ... on LoginSuccess { accessToken }
} }
"""
VIEWER = "{ viewer { email accounts { number } } }"
CHANGE = """
mutation ($i: ChangePasswordInput!) { changePassword(input: $i) {
  __typename ... on PasswordChanged { signedOutSessions }
} }
"""
REQUEST_RESET = """
mutation ($e: String!) { requestPasswordReset(input: {email: $e}) { __typename } }
"""
RESET = """
mutation ($i: ResetPasswordInput!) { resetPassword(input: $i) {
  __typename ... on PasswordChanged { signedOutSessions }
} }
"""


@dataclass(frozen=True, slots=True)
class Portal(Served):
    """The served app, and the SMTP server its mail goes to."""

    smtp: SmtpTestServer

    async def data(self, query: str, token: str | None = None, **variables: Any) -> Any:
        body = await self.graphql(query, token, **variables)
        assert "errors" not in body, body
        return body["data"]

    async def login(self, password: str, device: str) -> dict[str, Any]:
        data = await self.data(
            LOGIN, i={"email": EMAIL, "password": password, "deviceName": device}
        )
        return dict(data["login"])

    async def link_in_mail(self, number: int, path: str) -> str:
        """The token of the link in the `number`th message the SMTP server received
        (reset links come from the worker, soon after the request)."""
        for _ in range(200):
            if len(self.smtp.received) > number:
                break
            await asyncio.sleep(0.05)
        received = self.smtp.received[number]
        assert received.envelope_to == (EMAIL.lower(),)
        body = received.message.get_body(("plain",))
        assert body is not None
        [(found_path, token)] = _LINK.findall(str(body.get_content()))
        assert found_path == path
        return str(token)


@pytest.fixture(params=BACKENDS)
async def portal(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    smtp_server: SmtpTestServer,
    standins: StandIns,
) -> AsyncIterator[Portal]:
    settings = standins.settings(
        database_url=await migrated_database_url(request.param, request),
        jwt_secret=SecretStr("registration-flow-signing-secret-" + "r" * 10),
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_starttls=False,
        mail_from="Demo Co-op <no-reply@demo.coop>",
        public_base_url=BASE_URL + "/",
        outbox_dir=tmp_path / "outbox",
        worker_poll_interval_s=0.05,
    )
    stop = asyncio.Event()
    # The worker sends reset links (through the outbox), as in a deployment.
    worker = asyncio.create_task(run_worker(settings, stop=stop))
    try:
        async with served(settings) as gateway:
            yield Portal(gateway.client, smtp_server)
    finally:
        stop.set()
        await worker
    assert not (tmp_path / "outbox").exists()  # with an SMTP host, nothing goes to files


async def test_register_confirm_sign_in_change_and_reset_the_password(
    portal: Portal, world: World, smtp_server: SmtpTestServer
) -> None:
    account = free_accounts(world)[12]
    registered = await portal.data(
        REGISTER,
        i={
            "email": EMAIL,
            "password": FIRST_PASSWORD,
            "accountNumber": account.number,
            "proof": {"lastName": account.last_name, "serviceZip": account.service_zip},
        },
    )
    assert registered == {"register": {"__typename": "CheckYourEmail"}}
    [confirmation] = smtp_server.received
    assert confirmation.message["From"] == "Demo Co-op <no-reply@demo.coop>"
    assert confirmation.message["Subject"] == "Confirm your email address"

    not_yet = await portal.login(FIRST_PASSWORD, "laptop")
    assert not_yet["__typename"] == "EmailNotConfirmed"
    token = await portal.link_in_mail(0, "/confirm-email")
    assert await portal.data(CONFIRM, t=token) == {"confirmEmail": {"__typename": "EmailConfirmed"}}

    laptop = (await portal.login(FIRST_PASSWORD, "laptop"))["accessToken"]
    phone = (await portal.login(FIRST_PASSWORD, "phone"))["accessToken"]
    viewer = await portal.data(VIEWER, laptop)
    assert viewer == {"viewer": {"email": EMAIL.lower(), "accounts": [{"number": account.number}]}}

    changed = await portal.data(
        CHANGE, laptop, i={"currentPassword": FIRST_PASSWORD, "newPassword": SECOND_PASSWORD}
    )
    assert changed == {"changePassword": {"__typename": "PasswordChanged", "signedOutSessions": 1}}
    assert (await portal.data(VIEWER, laptop))["viewer"]["email"] == EMAIL.lower()
    ended = await portal.graphql(VIEWER, phone)  # that session has ended
    assert ended["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await portal.login(FIRST_PASSWORD, "tablet"))["__typename"] == "LoginFailed"

    asked = await portal.data(REQUEST_RESET, e=EMAIL.upper())
    assert asked == {"requestPasswordReset": {"__typename": "CheckYourEmail"}}
    reset_token = await portal.link_in_mail(1, "/reset-password")
    reset = await portal.data(RESET, i={"token": reset_token, "newPassword": THIRD_PASSWORD})
    again = await portal.data(RESET, i={"token": reset_token, "newPassword": FIRST_PASSWORD})

    assert reset == {"resetPassword": {"__typename": "PasswordChanged", "signedOutSessions": 1}}
    assert again["resetPassword"]["__typename"] == "TokenInvalid"
    signed_out = await portal.graphql(VIEWER, laptop)
    assert signed_out["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await portal.login(SECOND_PASSWORD, "laptop"))["__typename"] == "LoginFailed"
    assert (await portal.login(THIRD_PASSWORD, "laptop"))["__typename"] == "LoginSuccess"


async def test_nobody_learns_whether_an_email_has_a_login(
    portal: Portal, world: World, smtp_server: SmtpTestServer
) -> None:
    account = free_accounts(world)[13]
    proven = {
        "accountNumber": account.number,
        "proof": {"lastBillAmount": str(account.last_bill_amount)},
    }
    first = await portal.graphql(REGISTER, i={"email": EMAIL, "password": FIRST_PASSWORD} | proven)
    second = await portal.graphql(
        REGISTER, i={"email": EMAIL, "password": SECOND_PASSWORD} | proven
    )
    unknown_reset = await portal.graphql(REQUEST_RESET, e="nobody.at.all@example.net")

    assert first == second
    assert first["data"] == {"register": {"__typename": "CheckYourEmail"}}
    assert unknown_reset["data"] == {"requestPasswordReset": {"__typename": "CheckYourEmail"}}
    subjects = [received.message["Subject"] for received in smtp_server.received]
    assert subjects == ["Confirm your email address", "You already have a member portal login"]
