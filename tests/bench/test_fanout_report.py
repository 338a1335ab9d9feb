"""The report's billing-day section, and its goal among the targets."""

from __future__ import annotations

from dataclasses import replace

from bench.report import render_report
from bench.results import from_json, to_json
from bench.targets import check_targets
from tests.bench.examples import fanout_run, results

TARGET = "Billing-day notices: at most one duplicate per killed worker, and no loss"


def test_the_fanout_survives_the_json_round_trip() -> None:
    original = replace(results(), fanout=fanout_run())
    assert from_json(to_json(original)) == original


def test_each_round_is_a_row_with_its_counts() -> None:
    report = render_report(replace(results(), fanout=fanout_run()), [])
    assert "## Billing day: notices by email and text" in report
    assert "- Reproduce: `python -m bench --only fanout`" in report
    assert (
        "| 2 workers | 5000 | 50.0 | 100 | 120 / 120 | 2500 | 2500 | 0 | 0 | sent ×5000 |" in report
    )
    assert (
        "| 2 workers, 1 killed (SIGKILL) | 5000 | 50.0 | 100 | 120 / 120 | 2501 | 2500 | 1 | 0 |"
        in report
    )


def test_one_duplicate_per_killed_worker_is_the_most_the_goal_allows() -> None:
    def verdict(duplicates: int) -> bool | None:
        checked = check_targets(replace(results(), fanout=fanout_run(duplicates=duplicates)))
        return next(c.met for c in checked if c.target == TARGET)

    assert (verdict(0), verdict(1), verdict(2)) == (True, True, False)
    assert next(c.met for c in check_targets(results()) if c.target == TARGET) is None
