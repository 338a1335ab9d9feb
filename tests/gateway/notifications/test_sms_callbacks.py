"""Members' texts through the SMS stand-in to the gateway's signed routes: STOP and the
other opt-out words stop every text to the number at once with exactly one
confirmation, a replay changes nothing, START resumes, HELP answers; every change is
logged, and staff read the log of an account."""

from __future__ import annotations

import itertools
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select
from starlette.applications import Starlette

from adapters.sms.port import InboundMessage, MessageStatus, StatusUpdate
from adapters.sms.signature import (
    encode,
    inbound_json,
    status_callback_json,
)
from gateway.audit.tables import AuditEntry
from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import Role
from gateway.notifications.consent import CONSENT_WORDING, is_opted_out
from gateway.notifications.contacts_store import ContactKind
from gateway.notifications.sms_routes import INBOUND_PATH, STATUS_PATH, sms_callback_routes
from gateway.notifications.tables import SmsConsentRow
from simulators.server import serve_asgi
from simulators.world import World
from tests.fixtures.smtp import SmtpTestServer
from tests.gateway.core.store.databases import add_user, store_on_each_backend
from tests.gateway.notifications.support import (
    Line,
    Worker,
    code_in,
    contact_of,
    kept,
    new_member,
    post,
    serve_line,
    worker,
)
from tests.gateway.support import Member, codes, execute

store = store_on_each_backend()


@pytest.fixture
def world_account(world: World) -> str:
    return world.accounts[0].account_number


_numbers = itertools.count(200)


def new_phone() -> str:
    """A number no other test of the module texts from (opt-outs are per number)."""
    return f"+1505555{next(_numbers):04d}"


async def consent_rows(store: GatewayStore, phone: str) -> list[SmsConsentRow]:
    async with store.sessions() as session:
        return list(
            await session.scalars(
                select(SmsConsentRow).where(SmsConsentRow.phone == phone).order_by(SmsConsentRow.id)
            )
        )


@pytest_asyncio.fixture(scope="module")
async def line(store: GatewayStore) -> AsyncIterator[Line]:
    """One stand-in per store: a provider's message ids never repeat, and the gateway
    keeps every text's id."""
    async with serve_line(store) as served:
        yield served


@pytest_asyncio.fixture
async def replies(
    store: GatewayStore, smtp_server: SmtpTestServer, line: Line
) -> AsyncIterator[Worker]:
    async with worker(store, smtp_server, line.stand_in) as run:
        yield run


async def test_stop_stops_the_number_at_once_with_one_confirmation_and_a_replay_does_nothing(
    store: GatewayStore, line: Line, replies: Worker
) -> None:
    phone = new_phone()
    first, second = await new_member(store), await new_member(store)
    await contact_of(store, first, ContactKind.SMS, phone)
    await contact_of(store, second, ContactKind.SMS, phone)

    stop = await line.text(phone, "STOP")

    assert await is_opted_out(store, phone)  # before any worker ran
    await replies.run()
    replayed = await line.replay(stop)
    again = await line.text(phone, "stop")
    await replies.run()
    texts = await replies.texts_to(phone)

    assert replayed.status_code == 200
    assert replayed.json() == {"status": "seen before"}
    assert texts == [
        "Mesa Verde Electric: You are unsubscribed and will get no more texts from us."
        " Reply START to resubscribe."
    ]
    assert again.id != stop.id
    logged = await consent_rows(store, phone)
    assert [(r.change, r.method, r.actor, r.wording, r.user_id) for r in logged] == [
        ("revoked", "text_keyword", phone, "STOP", None)
    ]
    assert logged[0].source == f"sms:{stop.id}"


@pytest.mark.parametrize(
    "body",
    [
        "STOPALL",
        "unsubscribe",
        "Cancel",
        "END",
        "quit",
        "REVOKE",
        "opt out",
        "Opt-Out.",
        "please stop texting me",
    ],
)
async def test_every_opt_out_word_stops_texts(
    body: str, store: GatewayStore, line: Line, replies: Worker
) -> None:
    phone = new_phone()

    await line.text(phone, body)
    await replies.run()

    assert await is_opted_out(store, phone)
    assert [r.wording for r in await consent_rows(store, phone)] == [body]
    assert len(await replies.texts_to(phone)) == 1


@pytest.mark.parametrize("body", ["cancel my autopay", "the outage should end soon", "thanks"])
async def test_other_texts_change_nothing_and_get_no_answer(
    body: str, store: GatewayStore, line: Line, replies: Worker
) -> None:
    phone = new_phone()

    await line.text(phone, body)
    await replies.run()

    assert not await is_opted_out(store, phone)
    assert await consent_rows(store, phone) == []
    assert await replies.texts_to(phone) == []


@pytest.mark.parametrize("word", ["START", "unstop"])
async def test_start_resumes_texts_and_is_logged(
    word: str, store: GatewayStore, line: Line, replies: Worker
) -> None:
    phone = new_phone()
    await line.text(phone, "STOP")

    await line.text(phone, word)
    await replies.run()

    assert not await is_opted_out(store, phone)
    assert [(r.change, r.wording) for r in await consent_rows(store, phone)] == [
        ("revoked", "STOP"),
        ("granted", word),
    ]
    texts = await replies.texts_to(phone)
    assert len(texts) == 2
    assert texts[1].startswith("Mesa Verde Electric: You will get account texts again.")


async def test_start_without_a_stop_changes_nothing(
    store: GatewayStore, line: Line, replies: Worker
) -> None:
    phone = new_phone()

    await line.text(phone, "START")
    await replies.run()

    assert await consent_rows(store, phone) == []
    assert await replies.texts_to(phone) == []


async def test_help_answers_with_the_coops_name_and_contact_even_when_stopped(
    store: GatewayStore, line: Line, replies: Worker
) -> None:
    phone = new_phone()
    await line.text(phone, "STOP")

    await line.text(phone, "help")
    await replies.run()

    texts = await replies.texts_to(phone)
    assert len(texts) == 2
    assert "Mesa Verde Electric" in texts[1]
    assert "call (505) 555-0199" in texts[1]
    assert await is_opted_out(store, phone)  # HELP changes no consent


async def test_a_stopped_number_gets_no_activation_code(
    adapters: Adapters, store: GatewayStore, line: Line, replies: Worker
) -> None:
    phone = new_phone()
    member = await new_member(store)
    added = await execute(
        adapters,
        store,
        "mutation($v: String!) { addContact(input: {kind: SMS, value: $v}) { __typename } }",
        member,
        v=phone,
    )
    assert added.data == {"addContact": {"__typename": "ContactAdded"}}

    await line.text(phone, "STOP")  # before the worker sends the code
    await replies.run()
    refused = await execute(
        adapters,
        store,
        "mutation($v: String!) { addContact(input: {kind: SMS, value: $v}) {"
        " __typename ... on ValidationError { message } } }",
        member,
        v=phone,
    )

    texts = await replies.texts_to(phone)
    assert len(texts) == 1  # the STOP confirmation only
    assert "unsubscribed" in texts[0]
    assert refused.data is not None
    assert refused.data["addContact"]["__typename"] == "ValidationError"
    assert "START" in refused.data["addContact"]["message"]


async def test_callbacks_that_do_not_check_are_refused_and_change_nothing(
    store: GatewayStore, line: Line
) -> None:
    phone = new_phone()
    stop = encode(
        inbound_json(InboundMessage(id="SMforged0001", from_=phone, to="+1", body="STOP"))
    )

    forged = await post(line.gateway_url, INBOUND_PATH, stop, secret="not-the-token")
    stale = await post(line.gateway_url, INBOUND_PATH, stop, at=int(time.time()) - 3600)
    unsigned = await post(line.gateway_url, INBOUND_PATH, stop, secret="")
    huge = await post(line.gateway_url, INBOUND_PATH, b"{" + b" " * 20_000 + b"}")
    status_here = await post(
        line.gateway_url,
        INBOUND_PATH,
        encode(status_callback_json(StatusUpdate(message_id="SM1", status=MessageStatus.SENT))),
    )

    assert [r.status_code for r in (forged, stale, unsigned, huge, status_here)] == [
        400,
        400,
        400,
        413,
        400,
    ]
    assert not await kept(store, "SMforged0001")
    assert not await is_opted_out(store, phone)
    assert await consent_rows(store, phone) == []


async def test_a_signed_status_is_acknowledged_and_an_inbound_body_is_not_one(
    line: Line,
) -> None:
    status = encode(
        status_callback_json(StatusUpdate(message_id="SM42", status=MessageStatus.DELIVERED))
    )
    inbound = encode(inbound_json(InboundMessage(id="SM43", from_=new_phone(), to="+1", body="hi")))

    taken = await post(line.gateway_url, STATUS_PATH, status)
    wrong = await post(line.gateway_url, STATUS_PATH, inbound)

    assert (taken.status_code, taken.json()) == (200, {"status": "accepted"})
    assert wrong.status_code == 400


async def test_without_a_secret_every_callback_is_refused(store: GatewayStore) -> None:
    app = Starlette(routes=sms_callback_routes(secret=None, store=lambda: store))
    body = encode(inbound_json(InboundMessage(id="SM44", from_=new_phone(), to="+1", body="STOP")))
    async with serve_asgi(app) as url:
        answered = await post(url, INBOUND_PATH, body)

    assert answered.status_code == 503
    assert not await kept(store, "SM44")


CONSENT_LOG = """
query($n: String!) { account(number: $n) { ... on Account {
  smsConsentLog { phone change method source actor wording recordedAt }
} } }
"""


async def test_staff_read_an_accounts_consent_log_and_members_may_not(
    adapters: Adapters,
    store: GatewayStore,
    smtp_server: SmtpTestServer,
    line: Line,
    replies: Worker,
    world_account: str,
) -> None:
    phone = new_phone()
    member = await new_member(store, world_account)
    staff_id = await add_user(store, role=Role.STAFF)
    staff = Member(staff_id, "staff@example.com", "", Role.STAFF, ())
    added = await execute(
        adapters,
        store,
        "mutation($v: String!) { addContact(input: {kind: SMS, value: $v}) {"
        " ... on ContactAdded { contact { id } } } }",
        member,
        v=phone,
    )
    assert added.data is not None
    contact_id = added.data["addContact"]["contact"]["id"]
    await replies.run()
    code = code_in((await replies.texts_to(phone))[0])
    activated = await execute(
        adapters,
        store,
        "mutation($i: ID!, $c: String!) { activateContact(input: {contactId: $i, code: $c}) {"
        " __typename } }",
        member,
        i=contact_id,
        c=code,
    )
    assert activated.data == {"activateContact": {"__typename": "ContactActivated"}}
    await line.text(phone, "STOP")

    read = await execute(adapters, store, CONSENT_LOG, staff, n=world_account)
    refused = await execute(adapters, store, CONSENT_LOG, member, n=world_account)

    assert read.errors is None, read.errors
    assert read.data is not None
    log: list[dict[str, Any]] = read.data["account"]["smsConsentLog"]
    assert [(e["change"], e["method"], e["actor"], e["wording"]) for e in log] == [
        ("REVOKED", "TEXT_KEYWORD", phone, "STOP"),
        ("GRANTED", "CONTACT_ACTIVATION", f"user:{member.user_id}", CONSENT_WORDING),
    ]
    assert codes(refused) == ["FORBIDDEN"]
    assert refused.data == {"account": {"smsConsentLog": None}}
    async with store.sessions() as session:
        audited = list(
            await session.scalars(
                select(AuditEntry.fields).where(
                    AuditEntry.actor_user_id == staff_id,
                    AuditEntry.account_number == world_account,
                )
            )
        )
    assert audited == ["smsConsentLog"]
