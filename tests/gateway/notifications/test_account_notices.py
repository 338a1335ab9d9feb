"""BILL_AVAILABLE, PAYMENT_DUE and DELINQUENT from a scan of the CIS (the fake built from
the demo world): each is queued once per bill or due date and contact, on the right
days, and not when autopay or a payment on its way takes care of the bill."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from adapters.cis.payments import PrepayBalance
from adapters.cis.port import Balance
from gateway.billing.bills import bill_dates, existing_bills
from gateway.core.backends import Adapters
from gateway.core.loaders import DailyReadRange, DataLoaders
from gateway.core.store.gateway_store import GatewayStore
from gateway.notifications.account_notices import member_accounts, queue_account_notices
from gateway.notifications.contacts import list_contacts
from gateway.notifications.preferences_store import StoredPreference, save_preference
from gateway.notifications.tables import DeliveryRow
from gateway.notifications.types import NotificationType, TypeSettings
from gateway.payments.autopay.draft_rule import DraftRule, DraftRuleKind
from gateway.payments.autopay.store import NewEnrollment, insert_enrollment
from simulators.world import World
from tests.gateway.core.store.databases import store_on_each_backend
from tests.gateway.notifications.support import new_member
from tests.gateway.support import Member

store = store_on_each_backend()


def loaders(adapters: Adapters) -> DataLoaders:
    return DataLoaders.create(
        cis=adapters.cis,
        oms=adapters.oms,
        meters=adapters.meters,
        cis_payments=adapters.cis_payments,
    )


async def balances(adapters: Adapters, world: World) -> list[Balance]:
    return [await adapters.cis.get_balance(a.account_number) for a in world.accounts]


async def notices(store: GatewayStore, account_number: str) -> list[tuple[str, str]]:
    async with store.sessions() as session:
        rows = await session.execute(
            select(DeliveryRow.type, DeliveryRow.subject)
            .where(DeliveryRow.account_number == account_number)
            .order_by(DeliveryRow.id)
        )
        return [(row.type, row.subject) for row in rows]


async def scan(adapters: Adapters, store: GatewayStore, number: str, today: date) -> int:
    return await queue_account_notices(
        store=store, loaders=loaders(adapters), account_number=number, today=today
    )


async def latest_bill_date(adapters: Adapters, number: str) -> date:
    found = loaders(adapters)
    dates = await bill_dates(loaders=found, account_number=number)
    [bill] = await existing_bills(loaders=found, account_number=number, dates=dates[:1])
    return bill.bill_date


async def test_a_new_bill_is_announced_once_while_it_is_new(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    fresh, stale = world.accounts[20].account_number, world.accounts[21].account_number
    await new_member(store, fresh)
    await new_member(store, stale)
    cut = await latest_bill_date(adapters, fresh)

    first = await scan(adapters, store, fresh, cut + timedelta(days=1))
    again = await scan(adapters, store, fresh, cut + timedelta(days=2))
    old = await latest_bill_date(adapters, stale)
    await scan(adapters, store, stale, old + timedelta(days=10))

    bills = [n for n in await notices(store, fresh) if n[0] == "bill_available"]
    assert (first >= 1, again) == (True, 0)
    assert bills == [("bill_available", f"Your bill for account ending {fresh[-4:]} is ready")]
    assert [n for n in await notices(store, stale) if n[0] == "bill_available"] == []


async def test_a_payment_comes_due_on_the_member_s_day_unless_autopay_drafts_it(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    owing = [
        b
        for b in await balances(adapters, world)
        if b.due_date is not None and b.current_amount > 0 and b.past_due_amount == 0
    ]
    reminded, drafted = owing[0], owing[1]
    assert reminded.due_date is not None
    assert drafted.due_date is not None
    await new_member(store, reminded.account_number)
    other = await new_member(store, drafted.account_number)
    await insert_enrollment(
        store,
        NewEnrollment(
            account_number=drafted.account_number,
            user_id=other.user_id,
            method_id="pm_test",
            rule=DraftRule(DraftRuleKind.DUE_DATE),
            max_amount=None,
            now=datetime.now(UTC),
        ),
    )

    async def reminders(number: str) -> int:
        return len([n for n in await notices(store, number) if n[0] == "payment_due"])

    # The default is three days before the due date.
    await scan(adapters, store, reminded.account_number, reminded.due_date - timedelta(days=4))
    too_early = await reminders(reminded.account_number)
    await scan(adapters, store, reminded.account_number, reminded.due_date - timedelta(days=3))
    await scan(adapters, store, reminded.account_number, reminded.due_date - timedelta(days=2))
    await scan(adapters, store, drafted.account_number, drafted.due_date - timedelta(days=1))

    assert too_early == 0
    assert await reminders(reminded.account_number) == 1
    assert await reminders(drafted.account_number) == 0
    # What its member hears instead: autopay will pay it, on the due date (its rule).
    day = drafted.due_date.strftime("%B %-d, %Y")
    assert [
        n for n in await notices(store, drafted.account_number) if n[0] == "autopay_upcoming"
    ] == [
        (
            "autopay_upcoming",
            f"Autopay will pay account ending {drafted.account_number[-4:]} on {day}",
        )
    ]


async def test_a_past_due_balance_is_told_once_per_bill(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    late = next(b for b in await balances(adapters, world) if b.past_due_amount > 0)
    await new_member(store, late.account_number)
    today = await latest_bill_date(adapters, late.account_number) + timedelta(days=20)

    await scan(adapters, store, late.account_number, today)
    await scan(adapters, store, late.account_number, today + timedelta(days=1))

    past_due = [n for n in await notices(store, late.account_number) if n[0] == "delinquent"]
    assert past_due == [("delinquent", f"Account ending {late.account_number[-4:]} is past due")]
    assert late.account_number in await member_accounts(store)


async def test_low_prepaid_credit_is_told_below_the_member_s_line_once_a_week(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    assert adapters.cis_payments is not None
    prepaid = []
    for account in world.accounts:
        credit = await adapters.cis_payments.prepay_balance(account.account_number)
        if isinstance(credit, PrepayBalance):
            prepaid.append(credit)
    low, ample = prepaid[0], prepaid[1]
    for credit, line in ((low, low.balance + 1), (ample, ample.balance - 1)):
        member = await new_member(store, credit.account_number)
        await save_preference(
            store,
            user_id=member.user_id,
            account_number=credit.account_number,
            preference=StoredPreference(
                type=NotificationType.PREPAY_LOW_BALANCE,
                enabled=True,
                contact_ids=frozenset({await login_contact(store, member)}),
                settings=TypeSettings(low_balance_amount=line),
            ),
            now=datetime.now(UTC),
        )
    monday = date(2026, 12, 7)

    for day in (monday, monday + timedelta(days=1), monday + timedelta(days=7)):
        await scan(adapters, store, low.account_number, day)
        await scan(adapters, store, ample.account_number, day)

    def warnings(found: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [n for n in found if n[0] == "prepay_low_balance"]

    subject = f"Low prepaid credit on account ending {low.account_number[-4:]}"
    assert warnings(await notices(store, low.account_number)) == [
        ("prepay_low_balance", subject),
        ("prepay_low_balance", subject),  # the week after
    ]
    assert warnings(await notices(store, ample.account_number)) == []


async def login_contact(store: GatewayStore, member: Member) -> int:
    [contact] = await list_contacts(store=store, user_id=member.user_id, login_address=member.email)
    return contact.id


async def test_a_day_over_the_member_s_level_is_told_once(
    adapters: Adapters, store: GatewayStore, world: World
) -> None:
    number = world.accounts[7].account_number
    today = world.as_of
    found = loaders(adapters)
    meters = await found.meters.load(number)
    reads = await found.daily_reads.load_many(
        [DailyReadRange(m.meter_no, today - timedelta(days=1), today) for m in meters]
    )
    used = sum(v for r in reads for v in r.kwh)
    assert used > 2, "the world's account used power yesterday"
    heavy, light = await new_member(store, number), await new_member(store, number)
    for member, level in ((heavy, int(used) - 1), (light, int(used) + 1)):
        await save_preference(
            store,
            user_id=member.user_id,
            account_number=number,
            preference=StoredPreference(
                type=NotificationType.HIGH_USAGE,
                enabled=True,
                contact_ids=frozenset({await login_contact(store, member)}),
                settings=TypeSettings(high_usage_kwh_per_day=level),
            ),
            now=datetime.now(UTC),
        )

    await scan(adapters, store, number, today)
    await scan(adapters, store, number, today)

    async with store.sessions() as session:
        told = (
            await session.execute(
                select(DeliveryRow.recipient, DeliveryRow.body).where(
                    DeliveryRow.account_number == number, DeliveryRow.type == "high_usage"
                )
            )
        ).all()
    assert [recipient for recipient, _ in told] == [heavy.email]
    assert f"{used:,.0f} kWh" in told[0][1]
