"""The harness's command line: what a run is asked to do."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bench.cli import HAND_WRITTEN, main, merged, parser, run_options, with_hand_written
from bench.results import to_json
from tests.bench.examples import attack_run, documents_run, freeze_result, payments_run, results


def test_the_full_run_is_the_default() -> None:
    options = run_options(parser().parse_args([]), [])
    assert options.workloads == ["dashboard", "hourly-year", "staff-list"]
    assert options.configs == ["cached-1", "cached-2", "entities-2", "naive-2"]
    assert (options.cold_requests, options.warm_duration_s) == (15, 10.0)
    assert (options.cis_latency_ms, options.oms_latency_ms) == (40.0, 30.0)
    assert options.command == "python -m bench"
    assert not options.quick
    assert list(options.sections) == [
        "workloads",
        "attacks",
        "freeze",
        "payments",
        "fanout",
        "outage-storm",
        "portal",
        "documents",
    ]
    assert (options.storm.members, options.storm.oms_latency_ms) == (2000, 300.0)
    assert (options.payments.burst, options.payments.storm) == (200, 50)
    assert options.fanout.notices == 5000
    assert options.portal.visits == 10
    assert (options.documents.downloads, options.documents.pdf_requests) == (5, 10)


def test_parts_of_the_run_can_be_run_alone() -> None:
    arguments = ["--only", "attacks,freeze"]
    options = run_options(parser().parse_args(arguments), arguments)
    assert options.sections == ["attacks", "freeze"]
    assert options.hostile_config.name == "cached-1"
    with pytest.raises(SystemExit, match="unknown parts: attack"):
        run_options(parser().parse_args(["--only", "attack"]), [])


def test_the_parts_not_run_keep_their_figures_from_the_last_results() -> None:
    previous = replace(results(), attacks=attack_run(), freeze=freeze_result())
    fresh = replace(attack_run(), date="2026-12-04 00:00 UTC")
    new = replace(results(), date="2026-12-04 00:00 UTC", phases=[], attacks=fresh)
    kept = merged(new, previous, ran=["attacks"])
    assert kept.attacks == fresh
    assert kept.freeze == previous.freeze
    assert (kept.date, kept.phases) == (previous.date, previous.phases)
    rerun = merged(new, previous, ran=["workloads"])
    assert (rerun.date, rerun.attacks, rerun.freeze) == (
        new.date,
        previous.attacks,
        previous.freeze,
    )
    assert merged(new, None, ran=["attacks"]) == new
    with_payments = replace(previous, payments=payments_run())
    assert merged(new, with_payments, ran=["attacks"]).payments == with_payments.payments
    fresh_payments = replace(new, payments=payments_run(charges=1))
    assert merged(fresh_payments, previous, ran=["payments"]).payments == payments_run()
    with_documents = replace(previous, documents=documents_run())
    assert merged(new, with_documents, ran=["attacks"]).documents == documents_run()
    fresh_documents = replace(new, documents=documents_run(xml_p95=500.0))
    assert merged(fresh_documents, with_documents, ran=["documents"]).documents == (
        documents_run(xml_p95=500.0)
    )


def test_quick_mode_shortens_everything_and_records_the_command() -> None:
    arguments = ["--quick", "--workloads", "dashboard", "--configs", "cached-2"]
    options = run_options(parser().parse_args(arguments), arguments)
    assert options.quick
    assert (options.cold_requests, options.warm_duration_s, options.floor_repetitions) == (
        4,
        3.0,
        2,
    )
    assert options.workloads == ["dashboard"]
    assert options.configs == ["cached-2"]
    assert options.command == "python -m bench --quick --workloads dashboard --configs cached-2"


def test_the_staff_list_gets_a_quarter_of_the_cold_samples() -> None:
    options = run_options(parser().parse_args(["--cold-requests", "20"]), [])
    assert options.cold_requests_for("dashboard") == 20
    assert options.cold_requests_for("staff-list") == 5


def test_unknown_workloads_are_refused() -> None:
    with pytest.raises(SystemExit, match="unknown workloads: dashbord"):
        run_options(parser().parse_args(["--workloads", "dashbord"]), [])


def test_numbers_must_be_positive() -> None:
    with pytest.raises(SystemExit):
        parser().parse_args(["--connections", "0"])


def test_rendering_results_that_cannot_be_read_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "results.json"
    broken.write_text("{}")
    assert main(["--render", str(broken), "--output", str(tmp_path / "out.md")]) == 1
    assert "cannot render" in capsys.readouterr().err
    assert not (tmp_path / "out.md").exists()


def test_saved_results_render_to_the_report(tmp_path: Path) -> None:
    saved = tmp_path / "benchmarks.json"
    saved.write_bytes(to_json(results()))
    report = tmp_path / "docs" / "benchmarks.md"
    assert main(["--render", str(saved), "--output", str(report)]) == 0
    assert report.read_text().startswith("# Benchmarks\n")


def test_sections_written_by_hand_below_the_marker_are_kept() -> None:
    existing = f"# Benchmarks\nold figures\n\n{HAND_WRITTEN}\n\n## By hand\n\nA comparison.\n"
    report = with_hand_written("# Benchmarks\nnew figures\n", existing)
    assert report == f"# Benchmarks\nnew figures\n\n{HAND_WRITTEN}\n\n## By hand\n\nA comparison.\n"
    assert with_hand_written("# Benchmarks\n", "# Benchmarks\nno marker\n") == "# Benchmarks\n"
    assert with_hand_written("# Benchmarks\n", None) == "# Benchmarks\n"


def test_the_storm_can_be_made_smaller_keeping_its_shape() -> None:
    arguments = ["--only", "outage-storm", "--storm-members", "500"]
    options = run_options(parser().parse_args(arguments), arguments)
    assert options.sections == ["outage-storm"]
    assert (options.storm.members, options.storm.polls, options.storm.arrival_s) == (500, 3, 60.0)
    quick = run_options(parser().parse_args(["--quick"]), ["--quick"])
    assert quick.storm.members == 200
