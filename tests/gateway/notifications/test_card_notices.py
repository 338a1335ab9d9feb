"""CARD_EXPIRING: a saved card is told once as it comes within 30 days of its expiry,
once more when it has expired, only to its own login, and says so when autopay uses it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from adapters.payments.port import MethodKind, PaymentMethod
from gateway.core.store.gateway_store import GatewayStore
from gateway.notifications.card_notices import queue_card_notices
from gateway.notifications.tables import DeliveryRow
from gateway.payments.autopay.draft_rule import DraftRule, DraftRuleKind
from gateway.payments.autopay.store import NewEnrollment, insert_enrollment
from gateway.payments.wallet.store import insert_method
from simulators.world import World
from tests.gateway.core.store.databases import store_on_each_backend
from tests.gateway.notifications.support import new_member

store = store_on_each_backend()


def card(method_id: str, *, year: int, month: int) -> PaymentMethod:
    return PaymentMethod(
        id=method_id,
        kind=MethodKind.CARD,
        customer_ref="",
        last4="4242",
        brand="visa",
        exp_month=month,
        exp_year=year,
        bank_name=None,
        account_type=None,
    )


async def told(store: GatewayStore, recipient: str) -> list[str]:
    async with store.sessions() as session:
        subjects = await session.scalars(
            select(DeliveryRow.subject)
            .where(DeliveryRow.recipient == recipient, DeliveryRow.type == "card_expiring")
            .order_by(DeliveryRow.id)
        )
        return list(subjects)


async def test_a_card_is_told_as_it_nears_its_end_and_once_expired(
    store: GatewayStore, world: World
) -> None:
    number = world.accounts[5].account_number
    owner = await new_member(store, number)
    sharer = await new_member(store, number)  # the same account, but not the same card
    await insert_method(
        store,
        user_id=owner.user_id,
        method=card("pm_expiring", year=2027, month=1),
        nickname=None,
        make_default=True,
        now=datetime.now(UTC),
    )
    await insert_enrollment(
        store,
        NewEnrollment(
            account_number=number,
            user_id=owner.user_id,
            method_id="pm_expiring",
            rule=DraftRule(DraftRuleKind.DUE_DATE),
            max_amount=None,
            now=datetime.now(UTC),
        ),
    )

    early = await queue_card_notices(store=store, today=date(2026, 12, 1))  # 61 days left
    soon = await queue_card_notices(store=store, today=date(2027, 1, 5))
    again = await queue_card_notices(store=store, today=date(2027, 1, 20))
    expired = await queue_card_notices(store=store, today=date(2027, 2, 1))
    long_gone = await queue_card_notices(store=store, today=date(2027, 6, 1))

    assert (early, soon, again, expired, long_gone) == (0, 1, 0, 1, 0)
    assert await told(store, owner.email) == [
        "Your saved Visa ending 4242 expires soon",
        "Your saved Visa ending 4242 has expired",
    ]
    assert await told(store, sharer.email) == []
    async with store.sessions() as session:
        body = await session.scalar(
            select(DeliveryRow.body).where(DeliveryRow.recipient == owner.email).limit(1)
        )
    assert body is not None
    assert "January 2027" in body
    assert "Autopay pays with it" in body
