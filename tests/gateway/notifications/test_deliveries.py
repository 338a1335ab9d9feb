"""The delivery log: a test message to a contact is sent by the worker (real SMTP, the
SMS stand-in, whose status callbacks come back to the gateway), shown in
`viewer.notifications`, and suppressed with its reason when it may not go; the same
news is queued once; quiet hours hold a text until morning."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import pytest_asyncio
from sqlalchemy import func, select

from adapters.email.fake import FakeEmailSender
from adapters.sms import sandbox
from adapters.sms.fake import FakeSmsSender
from adapters.sms.port import MessageStatus, StatusUpdate
from gateway.core.backends import Adapters
from gateway.core.outbox.table import OutboxEntry
from gateway.core.store.gateway_store import GatewayStore
from gateway.notifications.consent import is_opted_out
from gateway.notifications.contacts_store import ContactKind
from gateway.notifications.deliveries import (
    DELIVER_KIND,
    get_delivery,
    record_status,
)
from gateway.notifications.quiet_hours import QuietHours
from gateway.notifications.sending import deliver
from gateway.notifications.tables import DeliveryRow
from simulators.world import World
from tests.fixtures.smtp import SmtpTestServer
from tests.gateway.core.store.databases import store_on_each_backend
from tests.gateway.notifications.support import (
    PORTAL,
    POSTAL_ADDRESS,
    Line,
    Worker,
    contact_of,
    new_member,
    queue_notice,
    sending_rules,
    serve_line,
    worker,
)
from tests.gateway.support import Member, execute

store = store_on_each_backend()
DENVER = ZoneInfo("America/Denver")

SEND_TEST = """
mutation($i: ID!) { sendTestNotification(input: {contactId: $i}) {
  __typename
  ... on TestNotificationQueued { notification { id status channel recipient type } }
  ... on ContactNotFound { contactId }
  ... on ContactNotActivated { contactId }
} }
"""
NOTIFICATIONS = """
query($first: Int!, $after: String) { viewer { notifications(first: $first, after: $after) {
  edges { cursor node { id type channel recipient subject status reason } }
  pageInfo { hasNextPage endCursor }
} } }
"""
CONTACTS = "query { viewer { contacts { id value } } }"


@pytest_asyncio.fixture(scope="module")
async def line(store: GatewayStore) -> AsyncIterator[Line]:
    async with serve_line(store) as served:
        yield served


@pytest_asyncio.fixture
async def sent_by(
    store: GatewayStore, smtp_server: SmtpTestServer, line: Line
) -> AsyncIterator[Worker]:
    async with worker(store, smtp_server, line.stand_in) as run:
        yield run


async def ask(
    adapters: Adapters, store: GatewayStore, query: str, who: Member, **variables: Any
) -> dict[str, Any]:
    result = await execute(adapters, store, query, who, **variables)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data


async def login_contact(adapters: Adapters, store: GatewayStore, member: Member) -> str:
    listed = (await ask(adapters, store, CONTACTS, member))["viewer"]["contacts"]
    return str(listed[0]["id"])


async def status_of(store: GatewayStore, delivery_id: str) -> tuple[str, str | None]:
    found = await get_delivery(store, int(delivery_id))
    assert found is not None
    return found.status.value, found.reason


async def test_a_test_email_is_sent_with_the_manage_link_and_the_postal_address(
    adapters: Adapters, store: GatewayStore, sent_by: Worker
) -> None:
    member = await new_member(store)
    contact_id = await login_contact(adapters, store, member)

    queued = (await ask(adapters, store, SEND_TEST, member, i=contact_id))["sendTestNotification"]
    await sent_by.run()
    listed = (await ask(adapters, store, NOTIFICATIONS, member, first=10))["viewer"]

    assert queued["__typename"] == "TestNotificationQueued"
    assert queued["notification"]["status"] == "QUEUED"
    mails = sent_by.emails_to(member.email)
    assert len(mails) == 1
    assert f"{PORTAL}/notifications" in mails[0]
    assert POSTAL_ADDRESS in mails[0]
    [html] = sent_by.html_emails_to(member.email)
    assert f'href="{PORTAL}/notifications"' in html
    assert POSTAL_ADDRESS in html
    [edge] = listed["notifications"]["edges"]
    assert edge["node"]["id"] == queued["notification"]["id"]
    assert (edge["node"]["type"], edge["node"]["status"], edge["node"]["recipient"]) == (
        "test",
        "SENT",
        member.email,
    )


async def test_a_test_text_is_delivered_as_the_providers_callback_says(
    adapters: Adapters, store: GatewayStore, line: Line, sent_by: Worker
) -> None:
    member = await new_member(store)
    phone = await contact_of(store, member, ContactKind.SMS, "+15055550401")

    queued = (await ask(adapters, store, SEND_TEST, member, i=str(phone)))["sendTestNotification"]
    await sent_by.run()
    delivery_id = queued["notification"]["id"]
    async with asyncio.timeout(10):
        while True:
            line.answered.clear()
            if (await status_of(store, delivery_id))[0] == "delivered":
                break
            await line.answered.wait()

    assert await sent_by.texts_to("+15055550401") == [
        "This is a test: co-op notifications reach you here."
    ]


async def test_nothing_is_sent_to_a_contact_not_activated_or_not_the_viewers(
    adapters: Adapters, store: GatewayStore
) -> None:
    member, other = await new_member(store), await new_member(store)
    pending = await contact_of(store, member, ContactKind.EMAIL, "p@example.com", activated=False)
    theirs = await contact_of(store, other, ContactKind.EMAIL, "o@example.com")

    answers = [
        (await ask(adapters, store, SEND_TEST, member, i=str(c)))["sendTestNotification"]
        for c in (pending, theirs, "999999999", "١")
    ]

    assert [a["__typename"] for a in answers] == [
        "ContactNotActivated",
        "ContactNotFound",
        "ContactNotFound",
        "ContactNotFound",
    ]
    listed = (await ask(adapters, store, NOTIFICATIONS, member, first=10))["viewer"]
    assert listed["notifications"]["edges"] == []


async def test_a_number_that_said_stop_is_suppressed_and_so_is_a_removed_contact(
    adapters: Adapters, store: GatewayStore, line: Line, sent_by: Worker
) -> None:
    member = await new_member(store)
    stopped = await contact_of(store, member, ContactKind.SMS, "+15055550402")
    gone = await contact_of(store, member, ContactKind.EMAIL, "gone@example.com")
    first = (await ask(adapters, store, SEND_TEST, member, i=str(stopped)))["sendTestNotification"]
    second = (await ask(adapters, store, SEND_TEST, member, i=str(gone)))["sendTestNotification"]
    await line.text("+15055550402", "STOP")
    removed = await execute(
        adapters,
        store,
        "mutation($i: ID!) { removeContact(input: {contactId: $i}) { __typename } }",
        member,
        i=str(gone),
    )
    assert removed.data == {"removeContact": {"__typename": "ContactRemoved"}}

    await sent_by.run()

    assert await status_of(store, first["notification"]["id"]) == ("suppressed", "no_consent")
    assert await status_of(store, second["notification"]["id"]) == (
        "suppressed",
        "contact_removed",
    )
    texts = await sent_by.texts_to("+15055550402")
    assert len(texts) == 1  # the STOP confirmation, not the test
    assert "unsubscribed" in texts[0]
    assert sent_by.emails_to("gone@example.com") == []


async def test_the_same_news_is_queued_once_and_a_preference_turned_off_suppresses_it(
    adapters: Adapters, store: GatewayStore, world: World, sent_by: Worker
) -> None:
    account = world.accounts[0].account_number
    member = await new_member(store, account)
    login = int(await login_contact(adapters, store, member))

    first = await queue_notice(
        store, member, login, "payment_due", account, f"due:{member.user_id}:1"
    )
    again = await queue_notice(
        store, member, login, "payment_due", account, f"due:{member.user_id}:1"
    )
    off = await execute(
        adapters,
        store,
        "mutation($n: String!) { setNotificationPreference(input: {accountNumber: $n,"
        " type: BILL_AVAILABLE, enabled: false}) { __typename } }",
        member,
        n=account,
    )
    assert off.data == {"setNotificationPreference": {"__typename": "NotificationPreferenceSet"}}
    unwanted = await queue_notice(
        store, member, login, "bill_available", account, f"bill:{member.user_id}"
    )
    await sent_by.run()

    assert first is not None
    assert again is None
    assert unwanted is not None
    async with store.sessions() as session:
        rows = await session.scalar(
            select(func.count())
            .select_from(DeliveryRow)
            .where(DeliveryRow.user_id == member.user_id)
        )
    assert rows == 2
    assert await status_of(store, str(first)) == ("sent", None)
    assert await status_of(store, str(unwanted)) == ("suppressed", "preference_off")
    assert len(sent_by.emails_to(member.email)) == 1


async def test_notifications_page_newest_first(adapters: Adapters, store: GatewayStore) -> None:
    member = await new_member(store)
    contact_id = await login_contact(adapters, store, member)
    sent = [
        (await ask(adapters, store, SEND_TEST, member, i=contact_id))["sendTestNotification"][
            "notification"
        ]["id"]
        for _ in range(3)
    ]

    page1 = (await ask(adapters, store, NOTIFICATIONS, member, first=2))["viewer"]["notifications"]
    page2 = (
        await ask(
            adapters, store, NOTIFICATIONS, member, first=2, after=page1["pageInfo"]["endCursor"]
        )
    )["viewer"]["notifications"]

    assert [e["node"]["id"] for e in page1["edges"] + page2["edges"]] == sent[::-1]
    assert (page1["pageInfo"]["hasNextPage"], page2["pageInfo"]["hasNextPage"]) == (True, False)


QUIET = QuietHours(time(21, 0), time(8, 0), DENVER)


@pytest.mark.parametrize(
    ("local", "resumes"),
    [
        (datetime(2026, 12, 3, 22, 30, tzinfo=DENVER), datetime(2026, 12, 4, 8, 0, tzinfo=DENVER)),
        (datetime(2026, 12, 4, 2, 0, tzinfo=DENVER), datetime(2026, 12, 4, 8, 0, tzinfo=DENVER)),
        (datetime(2026, 12, 3, 21, 0, tzinfo=DENVER), datetime(2026, 12, 4, 8, 0, tzinfo=DENVER)),
        (datetime(2026, 12, 4, 8, 0, tzinfo=DENVER), None),
        (datetime(2026, 12, 3, 12, 0, tzinfo=DENVER), None),
    ],
)
def test_quiet_hours_run_past_midnight(local: datetime, resumes: datetime | None) -> None:
    assert QUIET.resumes_at(local.astimezone(UTC)) == resumes


async def test_a_text_due_in_quiet_hours_waits_for_morning_but_an_outage_does_not(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    account = world.accounts[0].account_number
    member = await new_member(store, account)
    phone = await contact_of(store, member, ContactKind.SMS, "+15055550403")
    for kind in ("payment_due", "outage"):
        chosen = await execute(
            adapters,
            store,
            "mutation($n: String!, $t: NotificationType!, $c: ID!) {"
            " setNotificationPreference(input: {accountNumber: $n, type: $t, contactIds: [$c]})"
            " { __typename } }",
            member,
            n=account,
            t=kind.upper(),
            c=str(phone),
        )
        assert chosen.data == {
            "setNotificationPreference": {"__typename": "NotificationPreferenceSet"}
        }
    due = await queue_notice(
        store, member, phone, "payment_due", account, f"q-due:{member.user_id}"
    )
    outage = await queue_notice(store, member, phone, "outage", account, f"q-out:{member.user_id}")
    assert due is not None
    assert outage is not None
    texts = FakeSmsSender()
    rules = sending_rules(None, QUIET)
    night = datetime(2026, 12, 3, 22, 30, tzinfo=DENVER)

    async def send(delivery_id: int, at: datetime) -> None:
        await deliver(
            store=store,
            email=FakeEmailSender(),
            sms=texts,
            rules=rules,
            delivery_id=delivery_id,
            clock=lambda: at,
        )

    await send(due, night)
    await send(outage, night)
    held = await status_of(store, str(due))
    async with store.sessions() as session:
        again_at = await session.scalar(
            select(OutboxEntry.due_at).where(
                OutboxEntry.kind == DELIVER_KIND,
                OutboxEntry.idempotency_key.like(f"deliver-after-quiet:{due}:%"),
            )
        )
    await send(due, datetime(2026, 12, 4, 8, 0, tzinfo=DENVER))

    assert held == ("queued", "quiet_hours")
    assert again_at is not None
    assert again_at.replace(tzinfo=again_at.tzinfo or UTC) == datetime(
        2026, 12, 4, 8, 0, tzinfo=DENVER
    )
    assert await status_of(store, str(outage)) == ("sent", None)
    assert await status_of(store, str(due)) == ("sent", None)


async def test_a_text_the_carrier_refuses_as_opted_out_is_suppressed_and_stops_the_number(
    adapters: Adapters, store: GatewayStore
) -> None:
    member = await new_member(store)
    phone = await contact_of(store, member, ContactKind.SMS, sandbox.OPTED_OUT_NUMBER)
    queued = (await ask(adapters, store, SEND_TEST, member, i=str(phone)))["sendTestNotification"]

    await deliver(
        store=store,
        email=FakeEmailSender(),
        sms=FakeSmsSender(),
        rules=sending_rules(None),
        delivery_id=int(queued["notification"]["id"]),
    )

    assert await status_of(store, queued["notification"]["id"]) == ("suppressed", "no_consent")
    assert await is_opted_out(store, sandbox.OPTED_OUT_NUMBER)


async def test_a_texts_status_moves_on_once_whatever_order_callbacks_come_in(
    adapters: Adapters, store: GatewayStore
) -> None:
    member = await new_member(store)
    phone = await contact_of(store, member, ContactKind.SMS, "+15055550404")
    queued = (await ask(adapters, store, SEND_TEST, member, i=str(phone)))["sendTestNotification"]
    delivery_id = queued["notification"]["id"]
    texts = FakeSmsSender()
    await deliver(
        store=store,
        email=FakeEmailSender(),
        sms=texts,
        rules=sending_rules(None),
        delivery_id=int(delivery_id),
    )
    async with store.sessions() as session:
        row = await session.get(DeliveryRow, int(delivery_id))
        assert row is not None
        message_id = row.provider_message_id
    assert message_id is not None
    now = datetime.now(UTC)

    moved = [
        await record_status(store, StatusUpdate(message_id=message_id, status=status), now=now)
        for status in (MessageStatus.SENT, MessageStatus.DELIVERED, MessageStatus.UNDELIVERED)
    ]

    assert moved == [False, True, False]
    assert await status_of(store, delivery_id) == ("delivered", None)
