"""The report's section on billing day: notices through one and two workers, and a
worker killed with SIGKILL."""

from __future__ import annotations

from bench.hostile_report import counted
from bench.report_format import rate, table
from bench.results import FanoutRound, FanoutRun

TITLES = {"run1": "1 worker", "run2": "2 workers", "killed": "2 workers, 1 killed (SIGKILL)"}


def duplicates_within_goal(found: FanoutRound) -> bool:
    """At most one message repeated per worker killed, and nothing lost."""
    return found.duplicates <= found.killed and found.losses == 0


def _row(found: FanoutRound) -> list[str]:
    return [
        TITLES.get(found.name, found.name),
        str(found.notices),
        f"{found.duration_s:.1f}",
        rate(found.messages_per_s),
        " / ".join(f"{mb:.0f}" for mb in found.peak_rss_mb) or "—",
        str(found.emails_received),
        str(found.texts_received),
        str(found.duplicates),
        str(found.losses),
        counted(found.statuses),
    ]


def fanout_section(run: FanoutRun) -> list[str]:
    return [
        "## Billing day: notices by email and text",
        "",
        f"Issue 12: {run.notices:,} BILL_AVAILABLE notices, half by email and half by text,"
        " through one and then two workers, then two with one killed by SIGKILL mid-run."
        " Goal: at most one duplicate per killed worker, and no loss.",
        "",
        f"- Reproduce: `python -m bench --only fanout` (this run: `{run.command}`, {run.date}).",
        "- The gateway's database on a throwaway PostgreSQL server; the mail to a real SMTP"
        f" relay (`bench.smtp_sink`, its own process) taking each message after"
        f" {run.smtp_latency_ms:g} ms; the texts to the SMS stand-in (its own process) at"
        f" {run.sms_latency_ms:g} ms a call. The notices are queued (a delivery row and its"
        " outbox entry each) before the workers start; the time is from their start to the"
        " last notice settled. The killed worker's claims come back after its lease"
        f" ({run.lease_s:g} s here).",
        "- Received: each Message-ID the relay wrote, each message the provider keeps, counted"
        " where they arrived. A duplicate is a message received more than once; a loss is a"
        " notice not SENT at the end, or one never received.",
        f"- Load average: {run.load_average_start} at the start, {run.load_average_end} at"
        " the end.",
        "",
        *table(
            [
                "run",
                "notices",
                "time (s)",
                "messages/s",
                "peak RSS per worker (MB)",
                "emails received",
                "texts received",
                "duplicates",
                "losses",
                "ended",
            ],
            [_row(found) for found in run.rounds],
        ),
        "",
    ]
