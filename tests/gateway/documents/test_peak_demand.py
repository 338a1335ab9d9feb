"""Peak demand: each billing period's highest hour, the five highest, and the average
day by local hour, checked against the hourly usage GraphQL gives for the same range."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from statistics import fmean
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from adapters.cis.port import Bill
from gateway.documents.peak_demand import peak_demand_of
from gateway.usage.series import UsagePoint
from tests.gateway.conftest import Members
from tests.gateway.documents.conftest import DocumentsGateway

ZONE = ZoneInfo("America/Denver")
PEAKS = """query ($n: String!, $p: Int!) { account(number: $n) { ... on Account {
  peakDemand(periods: $p) {
    periods { billDate start end peak { startsAt kwh temperatureF } }
    topHours { startsAt kwh temperatureF }
    weekdayProfile weekendProfile } } } }"""
USAGE = """query ($n: String!, $from: Date!, $to: Date!) { account(number: $n) {
  ... on Account { usage(from: $from, to: $to, interval: HOUR) {
    startsAt kwh temperatureF } } } }"""


def period_bill(start: date, end: date) -> Bill:
    nothing = Decimal("0.00")
    return Bill("1", end + timedelta(days=2), start, end, end, nothing, nothing, (), (), nothing)


def test_the_day_the_clocks_fall_back_counts_its_second_one_oclock() -> None:
    # 2026-11-01 (a Sunday) has 25 local hours: 1:00 twice.
    start = datetime(2026, 11, 1, 6, tzinfo=ZoneInfo("UTC"))
    points = [
        UsagePoint((start + timedelta(hours=h)).astimezone(ZONE), float(h), False, 40.0)
        for h in range(25)
    ]

    found = peak_demand_of([period_bill(date(2026, 11, 1), date(2026, 11, 1))], points)

    assert found.weekend_profile[1] == pytest.approx((1.0 + 2.0) / 2)
    assert found.weekend_profile[0] == 0.0
    assert found.weekday_profile == (None,) * 24
    assert [h.kwh for h in found.top_hours] == [24.0, 23.0, 22.0, 21.0, 20.0]
    assert found.periods[0].peak is not None
    assert found.periods[0].peak.kwh == 24.0


async def test_peaks_are_the_highest_hours_of_the_accounts_usage(
    documents: DocumentsGateway, members: Members
) -> None:
    number = members.demo.account_numbers[0]
    data = await documents.ok(PEAKS, documents.member_token, n=number, p=3)
    found: dict[str, Any] = data["account"]["peakDemand"]
    periods = found["periods"]
    assert len(periods) == 3
    start, end = periods[-1]["start"], periods[0]["end"]
    usage = await documents.ok(
        USAGE, documents.member_token, n=number, **{"from": start, "to": end}
    )
    series = usage["account"]["usage"]
    hours = [
        (datetime.fromisoformat(at), kwh, t)
        for at, kwh, t in zip(
            series["startsAt"], series["kwh"], series["temperatureF"], strict=True
        )
    ]

    for period in periods:
        inside = [h for h in hours if period["start"] <= h[0].date().isoformat() <= period["end"]]
        highest = max(inside, key=lambda h: h[1])
        assert period["peak"]["kwh"] == highest[1]
        assert period["peak"]["temperatureF"] == highest[2]
        assert datetime.fromisoformat(period["peak"]["startsAt"]) == highest[0]
    top = sorted((h[1] for h in hours), reverse=True)[:5]
    assert [h["kwh"] for h in found["topHours"]] == top
    by_hour: dict[tuple[bool, int], list[float]] = defaultdict(list)
    for at, kwh, _ in hours:
        by_hour[(at.weekday() >= 5, at.hour)].append(kwh)
    assert len(found["weekdayProfile"]) == len(found["weekendProfile"]) == 24
    for hour in range(24):
        assert found["weekdayProfile"][hour] == pytest.approx(
            fmean(by_hour[(False, hour)]), abs=0.001
        )
        assert found["weekendProfile"][hour] == pytest.approx(
            fmean(by_hour[(True, hour)]), abs=0.001
        )


async def test_too_many_periods_is_bad_input(documents: DocumentsGateway, members: Members) -> None:
    body = await documents.http.graphql(
        PEAKS, documents.member_token, n=members.demo.account_numbers[0], p=14
    )
    assert body["data"]["account"]["peakDemand"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
