"""The outage storm's schedule, and the OMS calls it may cost."""

from __future__ import annotations

import pytest

from bench.storm_plan import StormPlan, oms_call_bound, ttl_windows, visits


def test_every_member_visits_once_polling_on_the_plans_interval() -> None:
    plan = StormPlan(members=50, arrival_s=30.0, polls=3, poll_interval_s=15.0)

    planned = visits(plan)

    assert sorted(visit.member for visit in planned) == list(range(50))
    arrivals = [visit.dashboards_at_s[0] for visit in planned]
    assert arrivals == sorted(arrivals)
    assert all(0 <= at <= 30.0 for at in arrivals)
    for visit in planned:
        first = visit.dashboards_at_s[0]
        assert visit.dashboards_at_s == (first, first + 15.0, first + 30.0)
    assert max(at for visit in planned for at in visit.dashboards_at_s) <= plan.last_send_s


def test_arrivals_are_spread_and_the_same_for_the_same_seed() -> None:
    plan = StormPlan(members=400, arrival_s=60.0)

    arrivals = [visit.dashboards_at_s[0] for visit in visits(plan)]

    assert visits(plan) == visits(plan)
    assert visits(StormPlan(members=400, arrival_s=60.0, seed=14)) != visits(plan)
    # Each quarter of the window gets about a quarter of the members, not a burst.
    for quarter in range(4):
        inside = [at for at in arrivals if quarter * 15 <= at < (quarter + 1) * 15]
        assert 60 < len(inside) < 140


@pytest.mark.parametrize(
    ("duration_s", "windows"), [(0.0, 1), (29.9, 1), (30.0, 2), (75.0, 3), (90.0, 4)]
)
def test_a_key_can_be_loaded_once_plus_once_per_full_ttl(duration_s: float, windows: int) -> None:
    assert ttl_windows(duration_s, 30.0) == windows


def test_the_bound_counts_locations_and_the_events_of_those_out_per_window() -> None:
    bound = oms_call_bound(locations=2400, out=720, duration_s=70.0, ttl_s=30.0, processes=2)

    assert bound.windows == 3
    assert bound.per_gateway == (2400 + 720) * 3
    assert bound.per_process == bound.per_gateway * 2
    assert bound.holds(bound.per_gateway, across_processes=True)
    assert not bound.holds(bound.per_gateway + 1, across_processes=True)
    assert bound.holds(bound.per_gateway + 1, across_processes=False)


@pytest.mark.parametrize(
    "arguments",
    [
        {"locations": 10, "out": 11, "duration_s": 1.0, "ttl_s": 30.0, "processes": 1},
        {"locations": 10, "out": 1, "duration_s": 1.0, "ttl_s": 0.0, "processes": 1},
        {"locations": 10, "out": 1, "duration_s": -1.0, "ttl_s": 30.0, "processes": 1},
        {"locations": 10, "out": 1, "duration_s": 1.0, "ttl_s": 30.0, "processes": 0},
    ],
)
def test_a_bound_of_impossible_figures_is_refused(arguments: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        oms_call_bound(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "arguments",
    [{"members": 0}, {"polls": 0}, {"poll_interval_s": 0.0}, {"outage_share": 0.0}],
)
def test_a_storm_of_nothing_is_refused(arguments: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        StormPlan(**arguments)  # type: ignore[arg-type]
