"""A usage series' points, from its arguments."""

from __future__ import annotations

from datetime import date

from gateway.usage.cost import usage_points


def test_points_per_interval() -> None:
    year = {"from": date(2025, 11, 15), "to": date(2026, 11, 14)}
    assert usage_points({**year, "interval": "hour"}) == 8_760
    assert usage_points({**year, "interval": "day"}) == 365
    assert usage_points({**year, "interval": "month"}) == 13
    assert (
        usage_points({"from": date(2026, 3, 1), "to": date(2026, 3, 1), "interval": "hour"}) == 24
    )


def test_a_range_the_resolver_refuses_costs_nothing() -> None:
    backwards = {"from": date(2026, 3, 2), "to": date(2026, 3, 1), "interval": "day"}
    assert usage_points(backwards) == 0
    assert usage_points({"interval": "day"}) == 0
