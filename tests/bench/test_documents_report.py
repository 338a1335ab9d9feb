"""The report's section on documents, and its goals among the targets."""

from __future__ import annotations

from dataclasses import replace

from bench.report import render_report
from bench.results import from_json, to_json
from bench.targets import check_targets
from tests.bench.examples import documents_run, results

IN_TIME = "Green Button: a year of hours for a 3-meter account, p95 under 1,000 ms to the last byte"
IN_MEMORY = "Green Button: a year of hours grows the web process by under 50 MB"


def verdict(target: str, **changes: float) -> bool | None:
    checked = check_targets(replace(results(), documents=documents_run(**changes)))
    return next(c.met for c in checked if c.target == target)


def test_the_documents_run_survives_the_json_round_trip() -> None:
    original = replace(results(), documents=documents_run())
    assert from_json(to_json(original)) == original


def test_each_document_is_a_row_with_its_time_cpu_and_largest_growth() -> None:
    report = render_report(replace(results(), documents=documents_run()), [])

    assert "## Documents: Green Button downloads and bill PDFs" in report
    assert "- Reproduce: `python -m bench --only documents`" in report
    assert "| Green Button XML | 20 | 720 | 900 | 901 | 3.80 | 45.0 | 2.0 |" in report
    assert "| Green Button CSV | 20 | 400 | 500 | 501 | 3.80 (26,280 readings) | 45.0 | 3.5 |" in (
        report
    )
    assert "| Bill PDF from the cache | 20 | 3.20 | 4.00 | 5.00 | 3.80 | 45.0 | 0.0 |" in report


def test_a_year_of_hours_must_answer_within_a_second() -> None:
    assert verdict(IN_TIME, xml_p95=999.0) is True
    assert verdict(IN_TIME, xml_p95=1000.0) is False


def test_a_year_of_hours_must_grow_the_process_by_under_50_mb() -> None:
    assert verdict(IN_MEMORY, csv_growth=49.9) is True
    assert verdict(IN_MEMORY, csv_growth=50.0) is False


def test_the_goals_are_not_measured_when_the_section_did_not_run() -> None:
    checked = {c.target: c for c in check_targets(results())}
    assert checked[IN_TIME].met is None
    assert checked[IN_MEMORY].met is None
    assert render_report(results(), []).count("## Documents") == 0
