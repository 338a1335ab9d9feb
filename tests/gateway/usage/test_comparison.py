from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from adapters.cis.port import Bill, BilledUsage, ChargeLine
from adapters.meters.port import DailyWeather
from gateway.core.errors import BadUserInput
from gateway.usage.comparison import compare_periods, pick_bill_dates, summarize_period

DATES = [date(2026, 11, 5), date(2026, 10, 5), date(2025, 11, 5)]


def bill(start: date, end: date, kwh: int, amount: str) -> Bill:
    return Bill(
        account_number="1",
        bill_date=end + timedelta(days=2),
        period_start=start,
        period_end=end,
        due_date=end + timedelta(days=22),
        prior_balance=Decimal("0.00"),
        payments_received=Decimal("0.00"),
        charges=(ChargeLine("Energy", Decimal(amount)),),
        usage=(BilledUsage("M1", "L1", Decimal(100), Decimal(100 + kwh), Decimal(1), start, end),),
        balance_after_billing=Decimal(amount),
    )


def test_defaults_are_the_latest_bill_and_the_one_before() -> None:
    assert pick_bill_dates(DATES, month=None, compare_to=None) == (DATES[0], DATES[1])
    assert pick_bill_dates(DATES, month="2026-10", compare_to=None) == (DATES[1], DATES[2])
    assert pick_bill_dates(DATES, month=None, compare_to="2025-11") == (DATES[0], DATES[2])


@pytest.mark.parametrize(
    ("month", "compare_to", "message"),
    [("2026-13", None, "YYYY-MM"), ("Oct 2026", None, "YYYY-MM"), ("2024-01", None, "No bill")],
)
def test_bad_months_are_bad_input(month: str, compare_to: str | None, message: str) -> None:
    with pytest.raises(BadUserInput, match=message):
        pick_bill_dates(DATES, month=month, compare_to=compare_to)


def test_the_oldest_bill_has_nothing_to_compare_with() -> None:
    with pytest.raises(BadUserInput, match="no earlier bill"):
        pick_bill_dates(DATES, month="2025-11", compare_to=None)


def test_degree_days_and_averages_come_from_the_periods_daily_means() -> None:
    start = date(2026, 1, 1)
    weather = [
        DailyWeather(start + timedelta(days=i), 0.0, 0.0, mean)
        for i, mean in enumerate([55.0, 65.0, 75.0, 99.0])
    ]
    summary = summarize_period(bill(start, start + timedelta(days=2), 300, "40.00"), weather)
    assert summary.days == 3
    assert summary.average_daily_kwh == 100.0
    assert summary.average_temperature_f == 65.0  # the fourth day is outside the period
    assert (summary.heating_degree_days, summary.cooling_degree_days) == (10.0, 10.0)


def test_changes_are_current_minus_baseline() -> None:
    start = date(2026, 1, 1)
    cold = [DailyWeather(start, 0, 0, 40.0)]
    mild = [DailyWeather(start, 0, 0, 60.0)]
    current = summarize_period(bill(start, start, 150, "30.50"), cold)
    baseline = summarize_period(bill(start, start, 100, "20.25"), mild)
    change = compare_periods(current, baseline)
    assert change.kwh == 50.0
    assert change.kwh_percent == 50.0
    assert change.cost == Decimal("10.25")
    assert change.average_temperature_f == -20.0
    assert (change.heating_degree_days, change.cooling_degree_days) == (20.0, 0.0)


def test_percent_change_from_nothing_is_null() -> None:
    start = date(2026, 1, 1)
    change = compare_periods(
        summarize_period(bill(start, start, 10, "1.00"), []),
        summarize_period(bill(start, start, 0, "1.00"), []),
    )
    assert change.kwh_percent is None
    assert change.average_temperature_f is None
