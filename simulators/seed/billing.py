"""Bills, payments and balances from metered usage, the way a co-op's CIS cuts them.

Each account is billed monthly on its cycle day for the service period that ended
two days before (the meter read date). Each service location pays an availability
charge, an energy charge and the month's power cost adjustment on its own kWh; the
gross receipts tax applies to the account's total. Payments follow the member's habit,
and the running balance carries from bill to bill, so a bill's prior balance, payments
received and balance after billing always add up.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from adapters.rules.money import round_to_cents
from simulators.world import (
    RateClass,
    WorldBalance,
    WorldBill,
    WorldChargeLine,
    WorldLocationUsage,
    WorldPayment,
    WorldServiceLocation,
)

PAYMENT_TERMS_DAYS = 20  # the CIS stand-in's and the adapter's default agree on this
READ_DAYS_BEFORE_BILL = 2
GROSS_RECEIPTS_TAX_RATE = Decimal("0.0700")


@dataclass(frozen=True, slots=True)
class Tariff:
    availability: Decimal
    energy_per_kwh: Decimal


TARIFFS: Mapping[RateClass, Tariff] = {
    RateClass.RESIDENTIAL: Tariff(Decimal("32.00"), Decimal("0.1187")),
    RateClass.COMMERCIAL: Tariff(Decimal("48.50"), Decimal("0.1069")),
}


class PayingHabit(StrEnum):
    PROMPT = "prompt"
    AUTOPAY = "autopay"
    LATE = "late"
    DELINQUENT = "delinquent"  # stopped paying: the account is past due today


def power_cost_adjustment(bill_date: date) -> Decimal:
    """$/kWh pass-through of the wholesale power cost, changing month to month."""
    swing = ((bill_date.year * 12 + bill_date.month) * 7919) % 17  # 0..16, stable per month
    return (Decimal(swing) - Decimal(5)) / Decimal(1000)


def add_months(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 + months
    return date(month_index // 12, month_index % 12 + 1, day.day)


def bill_dates(*, cycle_day: int, usage_start: date, as_of: date) -> list[date]:
    """Every cycle date whose whole service period has metered usage and is before today."""
    first = date(usage_start.year, usage_start.month, cycle_day)
    dates: list[date] = []
    candidate = first
    while candidate < as_of:
        period_end = candidate - timedelta(days=READ_DAYS_BEFORE_BILL)
        period_start = add_months(candidate, -1) - timedelta(days=READ_DAYS_BEFORE_BILL - 1)
        if period_start >= usage_start and period_end < as_of:
            dates.append(candidate)
        candidate = add_months(candidate, 1)
    return dates


@dataclass(frozen=True, slots=True)
class AccountLedger:
    bills: tuple[WorldBill, ...]
    payments: tuple[WorldPayment, ...]
    balance: WorldBalance


def bill_account(
    *,
    account_number: str,
    cycle_day: int,
    locations: Sequence[WorldServiceLocation],
    daily_kwh: Mapping[str, tuple[float, ...]],
    register_starts: Mapping[str, float],
    usage_start: date,
    as_of: date,
    habit: PayingHabit,
    rng: random.Random,
) -> AccountLedger:
    dates = bill_dates(cycle_day=cycle_day, usage_start=usage_start, as_of=as_of)
    cumulative = {meter: list(_running_totals(series)) for meter, series in daily_kwh.items()}

    def register_at(meter_no: str, day_index: int) -> Decimal:
        """The whole-kWh register reading at the end of day `day_index` (-1: before the first)."""
        used = cumulative[meter_no][day_index] if day_index >= 0 else 0.0
        return Decimal(int(register_starts[meter_no] + used))

    bills: list[WorldBill] = []
    payments: list[WorldPayment] = []
    paid_on: dict[date, date] = {}
    balance = Decimal("0.00")
    previous_bill_date: date | None = None
    for index, bill_date in enumerate(dates):
        period_end = bill_date - timedelta(days=READ_DAYS_BEFORE_BILL)
        if bills:
            period_start = bills[-1].period_end + timedelta(days=1)
        else:
            period_start = add_months(bill_date, -1) - timedelta(days=READ_DAYS_BEFORE_BILL - 1)
        first_index = (period_start - usage_start).days
        last_index = (period_end - usage_start).days
        pca = power_cost_adjustment(bill_date)
        lines: list[WorldChargeLine] = []
        usage: list[WorldLocationUsage] = []
        for location in locations:
            tariff = TARIFFS[location.rate_class]
            location_kwh = Decimal(0)
            for meter_no in location.meter_nos:
                previous = register_at(meter_no, first_index - 1)
                present = register_at(meter_no, last_index)
                usage.append(
                    WorldLocationUsage(
                        location.location_id, meter_no, previous, present, present - previous
                    )
                )
                location_kwh += present - previous
            where = location.address.line1
            lines.append(
                WorldChargeLine(
                    f"Availability charge, {where}", tariff.availability, location.location_id
                )
            )
            lines.append(
                WorldChargeLine(
                    f"Energy charge, {location_kwh} kWh at ${tariff.energy_per_kwh}",
                    round_to_cents(location_kwh * tariff.energy_per_kwh),
                    location.location_id,
                )
            )
            lines.append(
                WorldChargeLine(
                    f"Power cost adjustment, {location_kwh} kWh at ${pca}",
                    round_to_cents(location_kwh * pca),
                    location.location_id,
                )
            )
        subtotal = sum((line.amount for line in lines), Decimal("0.00"))
        lines.append(
            WorldChargeLine(
                "NM gross receipts tax", round_to_cents(subtotal * GROSS_RECEIPTS_TAX_RATE)
            )
        )
        amount = sum((line.amount for line in lines), Decimal("0.00"))

        received = sum(
            (
                p.amount
                for p in payments
                if previous_bill_date is not None and previous_bill_date < p.paid_on <= bill_date
            ),
            Decimal("0.00"),
        )
        prior = balance
        balance = prior - received + amount
        due = bill_date + timedelta(days=PAYMENT_TERMS_DAYS)
        bills.append(
            WorldBill(
                account_number=account_number,
                bill_date=bill_date,
                period_start=period_start,
                period_end=period_end,
                due_date=due,
                prior_balance=prior,
                payments_received=received,
                charges=tuple(lines),
                usage=tuple(usage),
                balance_after_billing=balance,
            )
        )
        pay_day, method = _payment_for(habit, bill_date, due, index, len(dates), rng)
        if pay_day is not None and pay_day < as_of:
            payments.append(WorldPayment(account_number, pay_day, amount, method))
            paid_on[bill_date] = pay_day
        previous_bill_date = bill_date

    return AccountLedger(
        tuple(bills), tuple(payments), _balance(account_number, bills, payments, paid_on, as_of)
    )


def _running_totals(series: tuple[float, ...]) -> list[float]:
    total = 0.0
    out: list[float] = []
    for value in series:
        total += value
        out.append(total)
    return out


def _payment_for(
    habit: PayingHabit, bill_date: date, due: date, index: int, count: int, rng: random.Random
) -> tuple[date | None, str]:
    if habit is PayingHabit.AUTOPAY:
        return due - timedelta(days=1), rng.choice(("bank draft", "recurring card"))
    if habit is PayingHabit.DELINQUENT and index >= count - 2:
        return None, ""
    if habit is PayingHabit.LATE and rng.random() < 0.5:
        return bill_date + timedelta(days=rng.randint(22, 34)), rng.choice(("card", "cash"))
    return bill_date + timedelta(days=rng.randint(4, 17)), rng.choice(
        ("card", "card", "echeck", "cash")
    )


def _balance(
    account_number: str,
    bills: Sequence[WorldBill],
    payments: Sequence[WorldPayment],
    paid_on: Mapping[date, date],
    as_of: date,
) -> WorldBalance:
    unpaid = [bill for bill in bills if bill.bill_date not in paid_on]
    past_due = sum((b.amount for b in unpaid if b.due_date < as_of), Decimal("0.00"))
    current = sum((b.amount for b in unpaid if b.due_date >= as_of), Decimal("0.00"))
    latest_due = bills[-1].due_date if bills else None
    last_payment = max(payments, key=lambda p: p.paid_on) if payments else None
    oldest_past_due = min((b.due_date for b in unpaid if b.due_date < as_of), default=None)
    return WorldBalance(
        account_number=account_number,
        current_amount=current,
        past_due_amount=past_due,
        due_date=latest_due
        if latest_due is not None and (latest_due >= as_of or past_due)
        else None,
        last_payment_amount=last_payment.amount if last_payment else None,
        last_payment_date=last_payment.paid_on if last_payment else None,
        disconnect_date=oldest_past_due + timedelta(days=30) if oldest_past_due else None,
    )
