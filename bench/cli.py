"""`python -m bench`: run the benchmarks and write the report, or re-render a report."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from types import FrameType

from bench.client import GatewayRequestFailed
from bench.configs import CONFIGS, DEFAULT_CONFIGS
from bench.documents import DocumentsFailed, DocumentsPlan
from bench.fanout import FanoutFailed, FanoutPlan
from bench.payments import PaymentFailed, PaymentsPlan
from bench.portal_timing import PortalFailed, PortalPlan
from bench.processes import StartupError
from bench.replay import ReplayPlan
from bench.report import render_report
from bench.results import BenchResults, from_json, to_json
from bench.runner import SECTIONS, RunOptions, run_benchmarks
from bench.storm_plan import StormPlan
from bench.targets import check_targets
from bench.wrk import WrkError

WORKLOADS = ("dashboard", "hourly-year", "staff-list")
FULL_OUTPUT = Path("docs/benchmarks.md")
QUICK_OUTPUT = Path("var/bench/benchmarks-quick.md")
# In a report, the line after which its sections were written by hand: they are kept
# when the report is generated again.
HAND_WRITTEN = "<!-- Written by hand from here on: kept when the report is generated again. -->"


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        help=f"the report; raw results go beside it as .json (default {FULL_OUTPUT},"
        f" {QUICK_OUTPUT} with --quick)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="short runs and few samples, for development"
    )
    parser.add_argument(
        "--workloads",
        default=",".join(WORKLOADS),
        help=f"comma-separated, from {', '.join(WORKLOADS)} (default: all)",
    )
    parser.add_argument(
        "--configs",
        default=",".join(DEFAULT_CONFIGS),
        help=f"comma-separated, from {', '.join(CONFIGS)} (default: {','.join(DEFAULT_CONFIGS)})",
    )
    parser.add_argument(
        "--only",
        default=",".join(SECTIONS),
        help=f"comma-separated parts of the run, from {', '.join(SECTIONS)} (default: all);"
        " the others' figures are kept from the results already beside the report",
    )
    parser.add_argument("--data-dir", type=Path, default=Path("var/bench"))
    parser.add_argument(
        "--accounts", type=_positive(int), default=500, help="accounts in the bench co-op"
    )
    parser.add_argument(
        "--listed-accounts", type=_positive(int), default=100, help="rows of the staff list"
    )
    parser.add_argument("--cis-latency-ms", type=float, default=40.0)
    parser.add_argument("--oms-latency-ms", type=float, default=30.0)
    parser.add_argument(
        "--connections",
        type=_positive(int),
        default=16,
        # The kernel hands each new connection to one worker, and wrk keeps its
        # connections open: with only a few, one worker may get all of them.
        help="wrk connections (warm); enough to reach every worker",
    )
    parser.add_argument("--threads", type=_positive(int), default=1, help="wrk threads (warm)")
    parser.add_argument(
        "--duration", type=_positive(float), default=None, help="seconds of warm load"
    )
    parser.add_argument("--cold-requests", type=_positive(int), default=None, help="cold samples")
    parser.add_argument(
        "--storm-members",
        type=_positive(int),
        default=None,
        help="members in the outage storm, each with an account of its own (default 2000,"
        " 200 with --quick)",
    )
    parser.add_argument(
        "--render",
        type=Path,
        default=None,
        metavar="RESULTS_JSON",
        help="only re-render the report from saved results",
    )
    return parser


def _positive(kind: type[int] | type[float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"{text} is not a positive number")
        return value

    return parse


def _choices(value: str, allowed: Sequence[str], what: str) -> list[str]:
    chosen = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in allowed]
    if unknown or not chosen:
        raise SystemExit(f"unknown {what}: {', '.join(unknown) or '(none given)'}")
    return chosen


def _stop_on_sigterm() -> None:
    # SIGTERM unwinds like Ctrl+C, so every child process is stopped on the way out.
    def stop(signum: int, frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = parser().parse_args(arguments)
    output: Path = args.output or (QUICK_OUTPUT if args.quick else FULL_OUTPUT)
    if args.render is not None:
        try:
            results = from_json(args.render.read_bytes())
        except (OSError, ValueError) as error:
            sys.stderr.write(f"bench: cannot render {args.render}: {error}\n")
            return 1
    else:
        _stop_on_sigterm()
        options = run_options(args, arguments)
        try:
            results = run_benchmarks(options)
        except (
            StartupError,
            WrkError,
            GatewayRequestFailed,
            PaymentFailed,
            FanoutFailed,
            PortalFailed,
            DocumentsFailed,
        ) as error:
            sys.stderr.write(f"bench: {error}\nbench: logs in {options.data_dir / 'run'}\n")
            return 1
        output.parent.mkdir(parents=True, exist_ok=True)
        results = merged(results, _previous(output), ran=options.sections)
        output.with_suffix(".json").write_bytes(to_json(results))
    _write_report(results, output)
    return 0


def _previous(output: Path) -> BenchResults | None:
    try:
        return from_json(output.with_suffix(".json").read_bytes())
    except (OSError, ValueError):
        return None


def merged(new: BenchResults, previous: BenchResults | None, *, ran: Sequence[str]) -> BenchResults:
    """The new results, with the parts of the run that did not run kept from `previous`."""
    if previous is None:
        return new
    base = new if "workloads" in ran else previous
    return replace(
        base,
        attacks=new.attacks if "attacks" in ran else previous.attacks,
        freeze=new.freeze if "freeze" in ran else previous.freeze,
        payments=new.payments if "payments" in ran else previous.payments,
        fanout=new.fanout if "fanout" in ran else previous.fanout,
        storm=new.storm if "outage-storm" in ran else previous.storm,
        portal=new.portal if "portal" in ran else previous.portal,
        documents=new.documents if "documents" in ran else previous.documents,
    )


def run_options(args: argparse.Namespace, arguments: Sequence[str]) -> RunOptions:
    return RunOptions(
        data_dir=args.data_dir,
        accounts=args.accounts,
        generator_seed=1,
        workloads=_choices(args.workloads, WORKLOADS, "workloads"),
        configs=_choices(args.configs, list(CONFIGS), "configurations"),
        cold_requests=args.cold_requests or (4 if args.quick else 15),
        warm_duration_s=args.duration or (3.0 if args.quick else 10.0),
        warmup_s=1.0 if args.quick else 2.0,
        connections=args.connections,
        threads=args.threads,
        floor_repetitions=2 if args.quick else 5,
        listed_accounts=args.listed_accounts,
        cis_latency_ms=args.cis_latency_ms,
        oms_latency_ms=args.oms_latency_ms,
        quick=args.quick,
        command=shlex.join(["python", "-m", "bench", *arguments]),
        sections=_choices(args.only, SECTIONS, "parts"),
        replay=ReplayPlan(min_window_s=1.0, baseline_s=1.5) if args.quick else ReplayPlan(),
        payments=PaymentsPlan.quick() if args.quick else PaymentsPlan(),
        fanout=FanoutPlan.quick() if args.quick else FanoutPlan(),
        storm=_storm_plan(args),
        portal=PortalPlan.quick() if args.quick else PortalPlan(),
        documents=DocumentsPlan.quick() if args.quick else DocumentsPlan(),
    )


def _storm_plan(args: argparse.Namespace) -> StormPlan:
    plan = StormPlan.quick() if args.quick else StormPlan()
    return plan if args.storm_members is None else replace(plan, members=args.storm_members)


def with_hand_written(report: str, existing: str | None) -> str:
    """The generated report, followed by whatever was written by hand below
    `HAND_WRITTEN` in the report it replaces."""
    if existing is None or HAND_WRITTEN not in existing:
        return report
    return report.rstrip("\n") + "\n\n" + existing[existing.index(HAND_WRITTEN) :]


def _write_report(results: BenchResults, output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    targets = check_targets(results)
    try:
        existing: str | None = output.read_text(encoding="utf-8")
    except OSError:
        existing = None
    report = with_hand_written(render_report(results, targets), existing)
    output.write_text(report, encoding="utf-8")
    for check in targets:
        verdict = {True: "met", False: "MISSED", None: "not measured"}[check.met]
        sys.stderr.write(f"bench: {verdict:>12}: {check.target}: {check.figure}\n")
    sys.stderr.write(f"bench: wrote {output} (raw results: {output.with_suffix('.json')})\n")
