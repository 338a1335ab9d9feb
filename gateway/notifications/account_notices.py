"""BILL_AVAILABLE, PAYMENT_DUE and DELINQUENT, from a scan of the CIS.

The CIS tells no one when it cuts a bill or when a balance falls past due, so the
worker looks: account by account, every account a member has linked, through the
loaders and the shared cache like any request, and never faster than the scan rate
(accounts per minute), so that the CIS is not flooded on billing day. What it finds is
queued for each contact that wants it under a dedupe key naming the bill or the due
date: looking again, a restart or a second worker queues nothing twice.

- BILL_AVAILABLE: the newest bill, while at most `FRESH_BILL_DAYS` old (so that turning
  notifications on does not announce old bills);
- PAYMENT_DUE: an amount due within the login's chosen number of days, unless autopay
  will draft it or a payment is already on its way;
- DELINQUENT: a past-due amount, once per bill;
- AUTOPAY_UPCOMING: autopay's next draft within the login's chosen number of days (or
  that it will not draft a bill above its limit), once per draft date;
- PREPAY_LOW_BALANCE: a prepay account's credit under the login's amount, or under its
  number of days of average use; at most once a week while it stays low;
- HIGH_USAGE: yesterday's kWh over the login's level, or its cost (at the latest bill's
  charges per kWh) over the login's amount; once per day. It is off until the member
  turns it on, as no default level suits every home.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Final

from sqlalchemy import select

from adapters.cis.port import Balance, Bill
from adapters.errors import AdapterError
from gateway.billing.bills import bill_dates, existing_bills
from gateway.core.clock import Clock, utc_now
from gateway.core.loaders import DailyReadRange, DataLoaders
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.unit_of_work import unit_of_work
from gateway.identity.tables import Role, User, UserAccount
from gateway.notifications import account_messages
from gateway.notifications.card_notices import queue_card_notices
from gateway.notifications.contacts_store import ContactKind
from gateway.notifications.deliveries import queue_delivery
from gateway.notifications.payment_messages import Message
from gateway.notifications.recipients import Recipient, recipients
from gateway.notifications.types import NotificationType
from gateway.payments import store as payments_store
from gateway.payments.autopay.store import active_enrollment
from gateway.payments.prepay import (
    average_daily_cost,
    billed_rate,
    days_remaining,
    prepay_account,
    prepay_balance,
)
from gateway.payments.status import PaymentStatus

logger = logging.getLogger("gateway.notifications.account_notices")

FRESH_BILL_DAYS: Final = 3
# A payment written but not yet in the CIS's balance: the reminder would be wrong.
ON_ITS_WAY: Final = frozenset({PaymentStatus.SCHEDULED, PaymentStatus.PROCESSING})
ON_ITS_WAY_SINCE: Final = timedelta(days=7)

Compose = Callable[[ContactKind], Message]
Wanted = Callable[[Recipient], bool]


async def member_accounts(store: GatewayStore) -> list[str]:
    """Every account a member has linked, in number order."""
    async with store.sessions() as session:
        numbers = await session.scalars(
            select(UserAccount.account_number)
            .join(User, User.id == UserAccount.user_id)
            .where(User.role == Role.MEMBER)
            .distinct()
            .order_by(UserAccount.account_number)
        )
        return list(numbers)


async def queue_account_notices(
    *,
    store: GatewayStore,
    loaders: DataLoaders,
    account_number: str,
    today: date,
    clock: Clock = utc_now,
) -> int:
    """Queue what is news on the account today; the number of notices queued."""
    balance = await loaders.balance.load(account_number)
    latest = await _latest_bill(loaders, account_number)
    queued = 0
    if latest is not None and today - latest.bill_date <= timedelta(days=FRESH_BILL_DAYS):
        queued += await _tell(
            store,
            account_number,
            NotificationType.BILL_AVAILABLE,
            about=latest.bill_date.isoformat(),
            compose=lambda channel: account_messages.bill_available(latest, channel),
            clock=clock,
        )
    due = balance.due_date
    if (
        due is not None
        and due >= today
        and account_messages.has_debt(balance.amount_due)
        and not await _taken_care_of(store, account_number, clock)
    ):

        def within_their_days(recipient: Recipient) -> bool:
            days = recipient.settings.days_before or 0
            return (due - today).days <= days

        queued += await _tell(
            store,
            account_number,
            NotificationType.PAYMENT_DUE,
            about=due.isoformat(),
            compose=lambda channel: account_messages.payment_due(balance, due, channel),
            wanted=within_their_days,
            clock=clock,
        )
    if account_messages.has_debt(balance.past_due_amount):
        # Once per bill: the bill the amount is past due on (its due date if the CIS
        # listed no bill).
        about = latest.bill_date if latest is not None else due
        queued += await _tell(
            store,
            account_number,
            NotificationType.DELINQUENT,
            about=about.isoformat() if about is not None else "unknown",
            compose=lambda channel: account_messages.delinquent(balance, channel),
            clock=clock,
        )
    queued += await _autopay_upcoming(store, balance, today, clock)
    queued += await _prepay_low(store, loaders, account_number, today, clock)
    queued += await _high_usage(store, loaders, account_number, today, clock)
    return queued


async def _high_usage(
    store: GatewayStore, loaders: DataLoaders, account_number: str, today: date, clock: Clock
) -> int:
    yesterday = today - timedelta(days=1)
    meters = await loaders.meters.load(account_number)
    reads = await loaders.daily_reads.load_many(
        [DailyReadRange(meter.meter_no, yesterday, today) for meter in meters]
    )
    if not any(len(meter_reads) for meter_reads in reads):
        return 0  # no reads for yesterday yet: the next scan looks again
    kwh = sum((Decimal(str(v)) for r in reads for v in r.kwh), Decimal(0))
    rate = await billed_rate(loaders, account_number)
    cost = (kwh * rate).quantize(Decimal("0.01")) if rate is not None else None

    def over_their_level(recipient: Recipient) -> bool:
        settings = recipient.settings
        if settings.high_usage_amount is not None:
            return cost is not None and cost > settings.high_usage_amount
        return settings.high_usage_kwh_per_day is not None and kwh > settings.high_usage_kwh_per_day

    return await _tell(
        store,
        account_number,
        NotificationType.HIGH_USAGE,
        about=yesterday.isoformat(),
        compose=lambda channel: account_messages.high_usage(
            account_number, yesterday, kwh, cost, channel
        ),
        wanted=over_their_level,
        clock=clock,
    )


async def _autopay_upcoming(
    store: GatewayStore, balance: Balance, today: date, clock: Clock
) -> int:
    enrollment = await active_enrollment(store, balance.account_number)
    due = balance.due_date
    if enrollment is None or due is None or not account_messages.has_debt(balance.amount_due):
        return 0
    draft = enrollment.rule.draft_date(due)
    if draft < today:
        return 0

    def within_their_days(recipient: Recipient) -> bool:
        return (draft - today).days <= (recipient.settings.days_before or 0)

    return await _tell(
        store,
        balance.account_number,
        NotificationType.AUTOPAY_UPCOMING,
        about=draft.isoformat(),
        compose=lambda channel: account_messages.autopay_upcoming(
            balance, draft, enrollment.max_amount, channel
        ),
        wanted=within_their_days,
        clock=clock,
    )


async def _prepay_low(
    store: GatewayStore, loaders: DataLoaders, account_number: str, today: date, clock: Clock
) -> int:
    if await prepay_account(loaders=loaders, account_number=account_number) is None:
        return 0
    credit = (await prepay_balance(loaders=loaders, account_number=account_number)).balance
    cost = await average_daily_cost(loaders=loaders, account_number=account_number, today=today)
    days_left = days_remaining(credit, cost)

    def below_their_line(recipient: Recipient) -> bool:
        settings = recipient.settings
        if settings.low_balance_amount is not None:
            return credit < settings.low_balance_amount
        return (
            settings.low_balance_days is not None
            and days_left is not None
            and days_left < settings.low_balance_days
        )

    # At most once a week while the credit stays low: a reminder, not a daily alarm.
    year, week, _ = today.isocalendar()
    return await _tell(
        store,
        account_number,
        NotificationType.PREPAY_LOW_BALANCE,
        about=f"{year}-W{week:02d}",
        compose=lambda channel: account_messages.prepay_low(
            account_number, credit, days_left, channel
        ),
        wanted=below_their_line,
        clock=clock,
    )


async def _latest_bill(loaders: DataLoaders, account_number: str) -> Bill | None:
    dates = await bill_dates(loaders=loaders, account_number=account_number)
    bills = await existing_bills(loaders=loaders, account_number=account_number, dates=dates[:1])
    return bills[0] if bills else None


async def _taken_care_of(store: GatewayStore, account_number: str, clock: Clock) -> bool:
    if await active_enrollment(store, account_number) is not None:
        return True
    on_its_way = await payments_store.recent_payment(
        store,
        account_number=account_number,
        since=clock() - ON_ITS_WAY_SINCE,
        statuses=ON_ITS_WAY,
    )
    return on_its_way is not None


async def _tell(
    store: GatewayStore,
    account_number: str,
    kind: NotificationType,
    *,
    about: str,
    compose: Compose,
    clock: Clock,
    wanted: Wanted = lambda _: True,
) -> int:
    queued = 0
    for recipient in await recipients(store, account_number=account_number, kind=kind, clock=clock):
        if not wanted(recipient):
            continue
        message = compose(recipient.contact.kind)
        async with unit_of_work(store, clock=clock) as uow:
            delivery_id = await queue_delivery(
                uow,
                dedupe_key=f"{kind.value}:{account_number}:{about}:{recipient.contact.id}",
                contact=recipient.contact,
                type_=kind.value,
                account_number=account_number,
                subject=message.subject,
                body=message.body,
                now=clock(),
            )
        queued += delivery_id is not None
    return queued


def account_notices_job(
    *,
    store: GatewayStore,
    loaders: Callable[[], DataLoaders],
    today: Callable[[], date],
    interval_s: float,
    per_minute: int,
    clock: Clock = utc_now,
) -> Callable[[asyncio.Event], Coroutine[Any, Any, None]]:
    """Runs until `stop` is set: a scan of every member's account now, then one every
    interval, at most `per_minute` accounts a minute. An account whose systems fail is
    passed over until the next scan; the others go on."""
    pause_s = 60.0 / per_minute

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            queued = failed = 0
            try:
                numbers = await member_accounts(store)
                # Saved cards are the logins', not the accounts': one look per scan.
                queued += await queue_card_notices(store=store, today=today(), clock=clock)
            except Exception:
                logger.exception("account notices: could not list the accounts or cards")
                numbers = []
            for number in numbers:
                if stop.is_set():
                    return
                try:
                    queued += await queue_account_notices(
                        store=store,
                        loaders=loaders(),
                        account_number=number,
                        today=today(),
                        clock=clock,
                    )
                except AdapterError as error:
                    failed += 1
                    logger.warning("account notices: %s passed over: %s", number, error)
                except Exception:
                    failed += 1
                    logger.exception("account notices: %s passed over", number)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), pause_s)
            if queued or failed:
                logger.info("account notices: %d queued, %d accounts passed over", queued, failed)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_s)

    return run
