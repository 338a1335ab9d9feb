"""The report's payment section, and the duplicate storm among the targets."""

from __future__ import annotations

from dataclasses import replace

import orjson

from bench.report import render_report
from bench.results import from_json, to_json
from bench.targets import check_targets
from tests.bench.examples import payments_run, results

STORM_TARGET = "Duplicate payment storm: exactly one processor charge and one CIS posting"


def test_the_payments_survive_the_json_round_trip() -> None:
    original = replace(results(), payments=payments_run())
    assert from_json(to_json(original)) == original


def test_results_from_before_the_payments_read_without_them() -> None:
    document = orjson.loads(to_json(results()))
    del document["payments"]
    assert from_json(orjson.dumps(document)).payments is None


def test_each_run_is_a_row_and_the_storm_gives_its_counts() -> None:
    report = render_report(replace(results(), payments=payments_run()), [])
    assert "## Payments" in report
    assert "- Reproduce: `python -m bench --only payments`" in report
    assert (
        "| one at a time | 1 | 20 | 1 | 320 / 380 | 600 / 780 | 16.0 | 12 | posted ×20 |" in report
    )
    assert "| burst, 2 worker(s) | 2 | 200 | 16 | 320 / 380 | 600 / 780 | 8.0 | 25 |" in report
    assert "the processor charged 1 time(s) and the CIS booked 1 posting(s)" in report
    assert "Exactly once: yes." in report


def test_the_storm_target_is_met_only_by_one_charge_and_one_posting() -> None:
    def verdict(**counts: int) -> bool | None:
        checked = check_targets(replace(results(), payments=payments_run(**counts)))
        return next(check.met for check in checked if check.target == STORM_TARGET)

    assert verdict() is True
    assert verdict(charges=2) is False
    assert verdict(postings=0) is False
    unrun = check_targets(results())
    assert next(c.met for c in unrun if c.target == STORM_TARGET) is None
