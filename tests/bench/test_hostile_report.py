"""The report's hostile-client and frozen-CIS sections, and their goals in the targets."""

from __future__ import annotations

from dataclasses import replace

import orjson

from bench.report import render_report
from bench.results import BenchResults, from_json, to_json
from bench.targets import check_targets
from tests.bench.examples import attack_run, freeze_result, results


def hostile_results() -> BenchResults:
    return replace(results(), attacks=attack_run(), freeze=freeze_result())


def test_the_new_sections_survive_the_json_round_trip() -> None:
    original = hostile_results()
    assert from_json(to_json(original)) == original


def test_results_from_before_the_attacks_read_without_them() -> None:
    document = orjson.loads(to_json(results()))
    del document["attacks"]
    del document["freeze"]
    read = from_json(orjson.dumps(document))
    assert (read.attacks, read.freeze) == (None, None)


def test_each_attack_is_a_row_with_its_verdicts() -> None:
    report = render_report(hostile_results(), [])
    assert "## Hostile clients" in report
    assert "- Reproduce: `python -m bench --only attacks`" in report
    assert (
        "| The tokens attack (`tokens`) | 90.0 kB | 10 | 400 ×10 | QUERY_TOO_LARGE ×10 | 6.00 |"
        " 4.00 | 6.00 / 13.0 | 0.1 kB | 10.0 / 20.0 / 21.0 | yes | yes |" in report
    )
    assert "| The slow attack (`slow`) |" in report
    assert "| 125 | 83.3 | 125 / 251 | 0.1 kB | 150 / 300 / 301 | **no** | **no** |" in report


def test_a_rate_limit_s_refusals_are_shown_with_their_retry_after() -> None:
    report = render_report(hostile_results(), [])
    assert (
        "| 429 ×8, 400 ×2 (Retry-After: 4) | RATE_LIMITED ×8, QUERY_TOO_LARGE ×2 | 1.50 |" in report
    )


def test_the_freeze_section_gives_the_figures_during_the_freeze() -> None:
    report = render_report(hostile_results(), [])
    assert "## A frozen CIS" in report
    assert "- Reproduce: `python -m bench --only freeze`" in report
    assert "| during the freeze | 20 | 70.0 | 84.0 | 3,100 | 3,101 |" in report
    assert "40 complete, 600 partial" in report
    assert "Recovery: 0.90 s from SIGCONT" in report


def test_the_goals_are_among_the_targets() -> None:
    checks = {check.target: check for check in check_targets(hostile_results())}
    bounded = checks["Every attack refused or bounded within 100 ms of server time"]
    assert (bounded.met, bounded.figure) == (False, "2 of 3; over: slow 125 ms")
    other = checks["Another member's p99 under 50 ms during every attack"]
    assert (other.met, other.figure) == (False, "2 of 3; worst 300.0 ms (slow)")
    [freeze] = [check for target, check in checks.items() if target.startswith("CIS frozen")]
    assert freeze.met is True
    assert freeze.figure == "slowest 3.10 s, p99 3.10 s; 40 complete, 600 partial, 0 failed"


def test_without_the_sections_their_goals_are_not_measured() -> None:
    checks = check_targets(results())
    unmeasured = [c for c in checks if "attack" in c.target or "frozen" in c.target.lower()]
    assert [c.met for c in unmeasured] == [None, None, None]
