from __future__ import annotations

from datetime import date

from adapters.cis.port import PostalAddress, ServiceLocation
from gateway.billing.calendar import (
    MAX_BILLS_BACK,
    account_bill_dates,
    bill_dates_back,
    cycle_day_of,
)


def location(location_id: str, cycle: str, last_bill: date | None) -> ServiceLocation:
    return ServiceLocation(
        location_id=location_id,
        account_number="2000100",
        customer_id="C1",
        address=PostalAddress("1 Main St", "Moriarty", "NM", "87035"),
        rate_class="residential",
        service_status="active",
        is_prepay=False,
        billing_cycle=cycle,
        last_bill_date=last_bill,
        substation=None,
        feeder=None,
    )


def test_bills_go_back_monthly_on_the_cycle_day_across_a_year_end() -> None:
    assert bill_dates_back(last_bill_date=date(2026, 2, 5), cycle_day=5, count=4) == [
        date(2026, 2, 5),
        date(2026, 1, 5),
        date(2025, 12, 5),
        date(2025, 11, 5),
    ]


def test_a_cycle_day_past_a_short_month_falls_on_its_last_day() -> None:
    dates = bill_dates_back(last_bill_date=date(2024, 3, 31), cycle_day=31, count=3)
    assert dates == [date(2024, 3, 31), date(2024, 2, 29), date(2024, 1, 31)]


def test_cycle_code_must_be_a_day_of_month() -> None:
    assert cycle_day_of("05", fallback=9) == 5
    assert cycle_day_of("A", fallback=9) == 9
    assert cycle_day_of("32", fallback=9) == 9


def test_account_dates_follow_the_location_billed_last_and_stop_at_36() -> None:
    locations = [
        location("a-01", "12", date(2026, 10, 12)),
        location("a-02", "19", date(2026, 11, 19)),
        location("a-03", "05", None),
    ]
    dates = account_bill_dates(locations)
    assert len(dates) == MAX_BILLS_BACK
    assert dates[:2] == [date(2026, 11, 19), date(2026, 10, 19)]
    assert dates[-1] == date(2023, 12, 19)


def test_never_billed_account_has_no_bill_dates() -> None:
    assert account_bill_dates([location("a-01", "05", None)]) == []
