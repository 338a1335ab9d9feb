"""The notification tests' worker: the real outbox, real SMTP and the SMS stand-in."""

from __future__ import annotations

import asyncio
import re
import time as clock_time
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

from adapters.email.smtp import SmtpEmailSender
from adapters.sms import sandbox
from adapters.sms.http import HttpSmsSender, SmsEndpoint
from adapters.sms.port import InboundMessage
from adapters.sms.signature import SIGNATURE_HEADER, encode, inbound_json, signature_header
from gateway.core.outbox import Handler, OutboxRunner
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.unit_of_work import unit_of_work
from gateway.documents.coop import CoopIdentity
from gateway.identity.tables import Role
from gateway.identity.users import get_user
from gateway.notifications import contacts_store
from gateway.notifications.contacts import CONTACT_CODE_KIND
from gateway.notifications.contacts_store import ContactKind
from gateway.notifications.deliveries import DELIVER_KIND, queue_delivery
from gateway.notifications.jobs import contact_code_handler, delivery_handler, sms_reply_handler
from gateway.notifications.quiet_hours import QuietHours
from gateway.notifications.replies import SMS_REPLY_KIND
from gateway.notifications.sending import SendingRules
from gateway.notifications.sms_routes import INBOUND_PATH, STATUS_PATH, sms_callback_routes
from gateway.notifications.tables import ContactRow, SmsInboundRow
from simulators.server import serve_asgi
from simulators.sms.app import create_sms_app
from tests.fixtures.sms import ACCOUNT_SID, AUTH_TOKEN, TEST_CONFIG, CallbackReceiver, SmsStandIn
from tests.fixtures.smtp import SmtpTestServer
from tests.gateway.core.store.databases import add_user
from tests.gateway.support import Member

COOP = CoopIdentity(
    name="Mesa Verde Electric", address=("7 Mesa Road", "Belen, NM 87002"), phone="(505) 555-0199"
)
POSTAL_ADDRESS = "7 Mesa Road, Belen, NM 87002"
PORTAL = "https://portal.example.coop"
# An empty window: no test here is held by quiet hours unless it sets its own.
NEVER_QUIET = QuietHours(time(0, 0), time(0, 0), ZoneInfo("America/Denver"))


def sending_rules(status_callback_url: str | None, quiet: QuietHours = NEVER_QUIET) -> SendingRules:
    return SendingRules(
        coop=COOP,
        public_base_url=PORTAL,
        status_callback_url=status_callback_url,
        quiet_hours=quiet,
    )


_CODE = re.compile(r"\b(\d{6})\b")


def code_in(text: str) -> str:
    found = _CODE.search(text)
    assert found is not None, text
    return found.group(1)


async def new_member(store: GatewayStore, *accounts: str, confirmed: bool = True) -> Member:
    user_id = await add_user(store, account_numbers=accounts, confirmed=confirmed)
    user = await get_user(store, user_id)
    assert user is not None
    return Member(user_id, user.email, "", Role.MEMBER, accounts)


async def contact_of(
    store: GatewayStore, member: Member, kind: ContactKind, value: str, *, activated: bool = True
) -> int:
    """A contact of `member`'s as `addContact` (and `activateContact`) leave it; its id."""
    now = datetime.now(UTC)
    async with store.sessions.begin() as session:
        row = ContactRow(
            user_id=member.user_id,
            kind=kind.value,
            value=value,
            is_login=False,
            created_at=now,
            activated_at=now if activated else None,
            code_serial=1,
        )
        session.add(row)
        await session.flush()
        return row.id


@dataclass
class Worker:
    """Runs what the outbox holds, as `coop-gateway worker` would, once per call."""

    runner: OutboxRunner
    smtp: SmtpTestServer
    sms: SmsStandIn

    async def run(self) -> int:
        return await self.runner.run_once()

    def emails_to(self, address: str) -> list[str]:
        return self._parts(address, "plain")

    def html_emails_to(self, address: str) -> list[str]:
        return self._parts(address, "html")

    def _parts(self, address: str, subtype: str) -> list[str]:
        return [
            str(r.message.get_body((subtype,)).get_content())  # type: ignore[union-attr]
            for r in self.smtp.received
            if address in r.envelope_to
        ]

    async def texts_to(self, phone: str) -> list[str]:
        async with self.sms.client() as client:
            messages: list[dict[str, Any]] = (await client.get("/outbox")).json()["messages"]
        # The outbox lists the newest first; tests read in the order sent.
        return [m["body"] for m in reversed(messages) if m["to"] == phone]


@asynccontextmanager
async def worker(
    store: GatewayStore,
    smtp: SmtpTestServer,
    sms: SmsStandIn,
    extra: Mapping[str, Handler] | None = None,
) -> AsyncIterator[Worker]:
    async with AsyncExitStack() as stack:
        email = SmtpEmailSender(smtp.smtp_settings())
        stack.push_async_callback(email.aclose)
        texts = HttpSmsSender(
            SmsEndpoint(
                base_url=sms.url,
                account_sid=ACCOUNT_SID,
                auth_token=AUTH_TOKEN,
                from_number=sandbox.FROM_NUMBER,
            )
        )
        stack.push_async_callback(texts.aclose)
        handlers: dict[str, Handler] = {
            CONTACT_CODE_KIND: contact_code_handler(store=store, email=email, sms=texts),
            SMS_REPLY_KIND: sms_reply_handler(store=store, sms=texts, coop=COOP),
            DELIVER_KIND: delivery_handler(
                store=store,
                email=email,
                sms=texts,
                rules=sending_rules(sms.config.status_callback_url),
            ),
            **(extra or {}),
        }
        yield Worker(OutboxRunner(store.engine, handlers, worker_id="test-worker"), smtp, sms)


@dataclass(frozen=True)
class Line:
    """The SMS stand-in, whose members' texts come to the gateway's routes."""

    stand_in: SmsStandIn
    gateway_url: str
    store: GatewayStore
    answered: asyncio.Event  # set each time the gateway's routes answer a callback

    async def text(self, phone: str, body: str) -> InboundMessage:
        """The member at `phone` texts `body`; returns once the gateway has kept it."""
        sent = await self.stand_in.test_control("/v1/_inbound", {"from": phone, "body": body})
        message = InboundMessage(id=str(sent["id"]), from_=phone, to=str(sent["to"]), body=body)
        async with asyncio.timeout(10):
            while True:
                self.answered.clear()
                if await kept(self.store, message.id):
                    return message
                await self.answered.wait()

    async def replay(self, message: InboundMessage) -> httpx.Response:
        """The same text's callback again, freshly signed (a redelivery, or a replay)."""
        return await post(self.gateway_url, INBOUND_PATH, encode(inbound_json(message)))


async def post(
    base_url: str, path: str, body: bytes, *, secret: str = AUTH_TOKEN, at: int | None = None
) -> httpx.Response:
    signed = signature_header(secret, int(clock_time.time()) if at is None else at, body)
    async with httpx.AsyncClient(base_url=base_url) as client:
        return await client.post(
            path,
            content=body,
            headers={SIGNATURE_HEADER: signed, "Content-Type": "application/json"},
        )


async def kept(store: GatewayStore, message_id: str) -> bool:
    async with store.sessions() as session:
        return await session.get(SmsInboundRow, message_id) is not None


class Announcing:
    """An ASGI app that sets `answered` after each request it answers."""

    def __init__(self, app: ASGIApp, answered: asyncio.Event) -> None:
        self._app, self._answered = app, answered

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)
        if scope["type"] == "http":
            self._answered.set()


@asynccontextmanager
async def serve_line(store: GatewayStore) -> AsyncIterator[Line]:
    """The gateway's SMS routes on `store`, and an SMS stand-in calling them back."""
    answered = asyncio.Event()
    routes = sms_callback_routes(secret=SecretStr(AUTH_TOKEN), store=lambda: store)
    async with AsyncExitStack() as stack:
        gateway_url = await stack.enter_async_context(
            serve_asgi(Announcing(Starlette(routes=routes), answered))
        )
        config = replace(
            TEST_CONFIG,
            inbound_url=gateway_url + INBOUND_PATH,
            status_callback_url=gateway_url + STATUS_PATH,
        )
        app = create_sms_app(config)
        url = await stack.enter_async_context(serve_asgi(app))
        yield Line(SmsStandIn(url, app, CallbackReceiver(), config), gateway_url, store, answered)


async def queue_notice(
    store: GatewayStore, member: Member, contact_id: int, kind: str, account: str, key: str
) -> int | None:
    """A notice of `kind` about `account` queued for the contact, as detection queues it;
    its delivery id, or None when `key` was queued before."""
    now = datetime.now(UTC)
    async with unit_of_work(store) as uow:
        row = await contacts_store.get_contact(uow.session, contact_id=contact_id)
        assert row is not None
        return await queue_delivery(
            uow,
            dedupe_key=key,
            contact=contacts_store.contact_of(row),
            type_=kind,
            account_number=account,
            subject="Your payment is due soon",
            body="Your payment of $84.12 is due on December 10.",
            now=now,
        )
