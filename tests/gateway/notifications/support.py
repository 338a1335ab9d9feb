"""The notification tests' worker: the real outbox, real SMTP and the SMS stand-in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from adapters.email.smtp import SmtpEmailSender
from adapters.sms import sandbox
from adapters.sms.http import HttpSmsSender, SmsEndpoint
from gateway.core.outbox import Handler, OutboxRunner
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import Role
from gateway.identity.users import get_user
from gateway.notifications.contacts import CONTACT_CODE_KIND
from gateway.notifications.contacts_store import ContactKind
from gateway.notifications.jobs import contact_code_handler, sms_reply_handler
from gateway.notifications.replies import SMS_REPLY_KIND, CoopIdentity
from gateway.notifications.tables import ContactRow
from tests.fixtures.sms import ACCOUNT_SID, AUTH_TOKEN, SmsStandIn
from tests.fixtures.smtp import SmtpTestServer
from tests.gateway.core.store.databases import add_user
from tests.gateway.support import Member

COOP = CoopIdentity("Mesa Verde Electric", "call (505) 555-0199")
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
        return [
            str(r.message.get_body(("plain",)).get_content())  # type: ignore[union-attr]
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
            **(extra or {}),
        }
        yield Worker(OutboxRunner(store.engine, handlers, worker_id="test-worker"), smtp, sms)
