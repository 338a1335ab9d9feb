"""The report's section on documents: Green Button downloads and bill PDFs, and their
goals among the targets."""

from __future__ import annotations

from typing import Final

from bench.report_format import milliseconds, table
from bench.results import DocumentFetches, DocumentsRun

# The bars for a year of hours of a three-meter account.
GREEN_BUTTON_GOAL_MS: Final = 1000.0
GREEN_BUTTON_RSS_GOAL_MB: Final = 50.0


def largest_growth_mb(fetches: DocumentFetches) -> float:
    return max(fetches.rss_growth_mb, default=0.0)


def green_button_in_time(run: DocumentsRun) -> bool:
    return all(f.latency.p95_ms < GREEN_BUTTON_GOAL_MS for f in run.green_button)


def green_button_in_memory(run: DocumentsRun) -> bool:
    return all(largest_growth_mb(f) < GREEN_BUTTON_RSS_GOAL_MB for f in run.green_button)


def _row(fetches: DocumentFetches) -> list[str]:
    rows = f" ({fetches.rows:,} readings)" if fetches.rows is not None else ""
    return [
        fetches.title,
        str(fetches.latency.samples),
        milliseconds(fetches.latency.p50_ms),
        milliseconds(fetches.latency.p95_ms),
        milliseconds(fetches.latency.max_ms),
        f"{fetches.response_bytes / 1_000_000:,.2f}{rows}",
        f"{fetches.cpu_ms_per_request:,.1f}",
        f"{largest_growth_mb(fetches):,.1f}",
    ]


def documents_section(run: DocumentsRun) -> list[str]:
    return [
        "## Documents: Green Button downloads and bill PDFs",
        "",
        f"Issue 14: a year of hours ({run.first_day} to {run.last_day}) for an account with"
        f" {run.account_meters} meters, as ESPI XML and as CSV, and that account's latest"
        " bill as a PDF, each from a link GraphQL gave (`Account.greenButtonUrl`,"
        " `Bill.pdfUrl`) and followed as a browser would. Goals: a year of hours answers in"
        f" under {GREEN_BUTTON_GOAL_MS:,.0f} ms and grows the web process by under"
        f" {GREEN_BUTTON_RSS_GOAL_MB:g} MB; and whether a PDF is cheaper drawn in the worker"
        " or on request with a cache.",
        "",
        f"- Reproduce: `python -m bench --only documents` (this run: `{run.command}`, {run.date}).",
        f"- The gateway {run.config}, over the stand-ins (the CIS adds"
        f" {run.cis_latency_ms:g} ms a call) and the meter store's SQLite file. Time: the GET"
        " sent to its last byte read, by the client. CPU: the web process's user and system"
        " time over the request, from /proc (10 ms ticks, summed over the requests and"
        " shared out). RSS growth: the web process's peak during a request (`VmHWM`, brought"
        " down to `VmRSS` before it) over its `VmRSS` before; the largest of the requests.",
        "- Every Green Button download starts from an emptied cache (`FLUSHDB`, no answers"
        " kept in the process): its reads come from the meter store. The PDF three ways:"
        " every cache emptied (the bill read from the CIS, then drawn), only the cached"
        " PDFs dropped (drawn over a warm entity cache), and from the cache.",
        "- Which is cheaper: drawing in the worker would pay the drawn PDF's CPU for every"
        " bill cut, opened or not; on request with the cache pays it for each bill opened"
        " and the cached figure for each time it is opened again.",
        f"- Load average: {run.load_average_start} at the start, {run.load_average_end} at"
        " the end.",
        "",
        *table(
            [
                "document",
                "requests",
                "p50 ms",
                "p95 ms",
                "max ms",
                "MB",
                "CPU ms / request",
                "RSS growth, MB (largest)",
            ],
            [_row(fetches) for fetches in (*run.green_button, *run.bill_pdf)],
        ),
        "",
    ]
