"""The report's outage-storm section, and its goal among the targets."""

from __future__ import annotations

from dataclasses import replace

from bench.report import render_report
from bench.results import from_json, to_json
from bench.targets import check_targets
from tests.bench.examples import results, storm_run

TARGET = "Outage storm: no errors, and OMS calls bounded by distinct locations per TTL"


def test_the_storm_survives_the_json_round_trip() -> None:
    original = replace(results(), storm=storm_run())
    assert from_json(to_json(original)) == original


def test_the_section_gives_the_figures_the_bound_and_how_to_reproduce() -> None:
    report = render_report(replace(results(), storm=storm_run()), [])

    assert "## Outage storm" in report
    assert "- Reproduce: `python -m bench --only outage-storm`" in report
    assert "| 8,000 | 62.0 | 129 | 120 | 1,500 | 0 | 9,000 | 9,360 / 18,720 | 1,800 |" in report
    assert "| PortalDashboard | 20 | 150 | 1,000 | 1,600 | 1,601 |" in report
    assert "GetOutageEventStatusByOutageLocation ×7500" in report
    assert "gateway web processes 60.0, load generator 20.0" in report


def test_the_goal_wants_no_errors_and_the_calls_within_the_bound_across_processes() -> None:
    def verdict(**figures: int) -> bool | None:
        checked = check_targets(replace(results(), storm=storm_run(**figures)))
        return next(c.met for c in checked if c.target == TARGET)

    assert verdict() is True
    assert verdict(status_calls=9360) is True
    assert verdict(status_calls=9361) is False
    assert verdict(errors=1) is False
    assert next(c.met for c in check_targets(results()) if c.target == TARGET) is None


def test_what_the_gateway_logged_is_listed_when_it_logged_anything() -> None:
    quiet = render_report(replace(results(), storm=storm_run()), [])
    logged = replace(storm_run(), gateway_log=["27× Redis cache at … is unavailable"])
    noisy = render_report(replace(results(), storm=logged), [])

    assert "The gateway logged" not in quiet
    assert "- `27× Redis cache at … is unavailable`" in noisy
