"""The report's section on the member portal in the browser."""

from __future__ import annotations

import statistics
from typing import Final

from bench.report_format import table
from bench.results import PortalRun

# The bar: the dashboard usable within a second of signing in, on loopback.
DASHBOARD_GOAL_MS: Final = 1000.0


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def dashboard_within_goal(run: PortalRun) -> bool:
    return statistics.median(run.sign_in_to_dashboard_ms) <= DASHBOARD_GOAL_MS


def _row(title: str, values: list[float]) -> list[str]:
    return [
        title,
        f"{statistics.median(values):,.0f}",
        f"{percentile(values, 0.95):,.0f}",
        f"{max(values):,.0f}",
    ]


def portal_section(run: PortalRun) -> list[str]:
    return [
        "## The member portal in the browser",
        "",
        f"Issue 15: {run.visits} first visits (a fresh Chromium profile each, no HTTP cache)"
        " to the portal `make demo` serves, each signing in as the demo member. Goal: the"
        f" dashboard usable within {DASHBOARD_GOAL_MS:,.0f} ms of signing in, on loopback.",
        "",
        f"- Reproduce: `python -m bench --only portal` (this run: `{run.command}`, {run.date}).",
        "- Measured by the page itself with the Performance API (`bench.portal_timing`): a"
        " script run before the portal's own marks when the sign-in form is shown, when it"
        " is submitted, and the frame after the dashboard's amount due enters the document.",
        "  Signing in is a `login` and then the dashboard's queries against the stand-ins.",
        f"- Load average: {run.load_average_start} at the start, {run.load_average_end} at"
        " the end.",
        "",
        *table(
            ["milliseconds", "p50", "p95", "max"],
            [
                _row("navigation start to document parsed", run.dom_interactive_ms),
                _row("navigation start to the sign-in form shown", run.sign_in_shown_ms),
                _row("sign-in submitted to the dashboard shown", run.sign_in_to_dashboard_ms),
            ],
        ),
        "",
    ]
