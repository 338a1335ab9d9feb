"""PAYMENT_CONFIRMATION and PAYMENT_FAILED from the payments' events: each login of the
account that wants them is told once per contact, whatever runs the scan how often;
old events and unwanted types are passed over."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from adapters.payments.fake import FakePaymentProcessor
from gateway.core.backends import Adapters
from gateway.core.cache.feed_cursor import StoredCursor
from gateway.core.clock import Clock, utc_now
from gateway.core.store.gateway_store import GatewayStore
from gateway.notifications.contacts_store import ContactKind
from gateway.notifications.payment_messages import PaymentFacts, payment_message
from gateway.notifications.payment_notices import FEED, queue_payment_notices
from gateway.notifications.preferences_store import StoredPreference, save_preference
from gateway.notifications.tables import DeliveryRow
from gateway.notifications.types import NotificationType, TypeSettings
from gateway.payments.status import PaymentStatus
from simulators.world import World
from tests.gateway.core.store.databases import store_on_each_backend
from tests.gateway.notifications.support import contact_of, new_member
from tests.gateway.payments.support import APPROVED_CARD, DECLINED_CARD
from tests.gateway.payments.test_schema import pay, pay_input, run_worker_step
from tests.gateway.support import Member

store = store_on_each_backend()
DENVER = ZoneInfo("America/Denver")


async def paid(
    adapters: Adapters, store: GatewayStore, member: Member, card: str, amount: str = "42.10"
) -> str:
    """A payment of the member's, charged and posted (or declined) by a worker step."""
    assert isinstance(adapters.payments, FakePaymentProcessor)
    answer = await pay(
        adapters,
        store,
        member,
        **pay_input(
            member, adapters.payments.tokenize_card(card), amount=amount, key=uuid.uuid4().hex
        ),
    )
    payment_id = str(answer["payment"]["id"])
    await run_worker_step(adapters, store, payment_id)
    return payment_id


async def notices(store: GatewayStore, account_number: str) -> list[tuple[str, str, str, str]]:
    async with store.sessions() as session:
        rows = await session.execute(
            select(DeliveryRow.type, DeliveryRow.recipient, DeliveryRow.subject, DeliveryRow.body)
            .where(DeliveryRow.account_number == account_number)
            .order_by(DeliveryRow.id)
        )
        return [(row.type, row.recipient, row.subject, row.body) for row in rows]


async def scan(store: GatewayStore, clock: Clock = utc_now) -> int:
    return await queue_payment_notices(
        store=store, cursor=StoredCursor(store, feed=FEED), zone=DENVER, clock=clock
    )


async def test_a_posted_payment_is_confirmed_once_to_each_login_that_wants_it(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    number = world.accounts[11].account_number
    holder = await new_member(store, number)
    phone = await contact_of(store, holder, ContactKind.SMS, "+15055550142")
    sharer = await new_member(store, number)
    await save_preference(
        store,
        user_id=holder.user_id,
        account_number=number,
        preference=StoredPreference(
            type=NotificationType.PAYMENT_CONFIRMATION,
            enabled=True,
            contact_ids=frozenset({phone}),
            settings=TypeSettings(),
        ),
        now=datetime.now(UTC),
    )
    payment_id = await paid(adapters, store, holder, APPROVED_CARD)

    first = await scan(store)
    again = await scan(store)
    from_the_start = await queue_payment_notices(
        store=store, cursor=StoredCursor(store, feed="another-worker"), zone=DENVER
    )

    sent = await notices(store, number)
    assert (first, again, from_the_start) == (2, 0, 0)
    assert [(kind, recipient) for kind, recipient, _, _ in sent] == [
        ("payment_confirmation", "+15055550142"),  # the holder chose the text
        ("payment_confirmation", sharer.email),  # the other login: its email, by default
    ]
    text, mail = sent[0][3], sent[1][3]
    ending = f"account ending {number[-4:]}"
    assert ending in text
    assert "$42.10" in text
    assert "Confirmation number" in text
    assert "Visa ending 4242" in mail
    assert ending in mail
    assert payment_id not in text + mail  # the member's words, not the gateway's ids


async def test_a_declined_payment_is_a_failure_notice_with_the_processor_s_reason(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    number = world.accounts[12].account_number
    member = await new_member(store, number)
    await paid(adapters, store, member, DECLINED_CARD, amount="15.00")

    await scan(store)

    [(kind, recipient, subject, body)] = await notices(store, number)
    assert (kind, recipient) == ("payment_failed", member.email)
    assert subject == f"Your payment to account ending {number[-4:]} did not go through"
    assert "$15.00" in body
    assert "declined" in body.lower()


async def test_old_events_and_types_turned_off_are_passed_over(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    number = world.accounts[13].account_number
    member = await new_member(store, number)
    await paid(adapters, store, member, APPROVED_CARD)

    later = datetime.now(UTC) + timedelta(days=2)
    assert await scan(store, clock=lambda: later) == 0  # the news is two days old
    other = world.accounts[14].account_number
    quiet = await new_member(store, other)
    await save_preference(
        store,
        user_id=quiet.user_id,
        account_number=other,
        preference=StoredPreference(
            type=NotificationType.PAYMENT_CONFIRMATION,
            enabled=False,
            contact_ids=frozenset(),
            settings=TypeSettings(),
        ),
        now=datetime.now(UTC),
    )
    await paid(adapters, store, quiet, APPROVED_CARD)
    await scan(store)

    assert await notices(store, number) == []
    assert await notices(store, other) == []


def test_a_return_and_a_payment_set_aside_say_what_the_member_should_do() -> None:
    facts = PaymentFacts(
        payment_id="pay_1",
        account_number="2000100",
        amount=Decimal("7.00"),
        fee=Decimal("0.00"),
        method_label="Checking ending 1113",
        status=PaymentStatus.RETURNED,
        at=datetime(2026, 12, 3, 6, 30, tzinfo=UTC),  # still the 2nd in Denver
        confirmation=None,
        reason="Your bank returned the payment: insufficient funds in the account.",
        by_autopay=True,
    )
    returned = payment_message(facts, ContactKind.EMAIL, DENVER)
    aside = payment_message(
        replace(facts, status=PaymentStatus.NEEDS_ATTENTION), ContactKind.SMS, DENVER
    )

    assert returned.subject == "Your payment to account ending 0100 was returned by your bank"
    assert "automatic payment of $7.00" in returned.body
    assert "December 2, 2026" in returned.body
    assert "insufficient funds" in returned.body
    assert "still due" in returned.body
    assert "do not pay again" in aside.body
