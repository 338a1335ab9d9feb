"""The report's section on payments: payBill to POSTED, throughput, the duplicate storm."""

from __future__ import annotations

from bench.hostile_report import counted
from bench.report_format import VERDICTS, milliseconds, rate, table
from bench.results import PaymentBurst, PaymentsRun


def _row(name: str, burst: PaymentBurst) -> list[str]:
    return [
        name,
        str(burst.workers),
        str(burst.payments),
        str(burst.concurrency),
        f"{milliseconds(burst.answer.p50_ms)} / {milliseconds(burst.answer.p95_ms)}",
        f"{milliseconds(burst.to_posted.p50_ms)} / {milliseconds(burst.to_posted.p95_ms)}",
        f"{burst.duration_s:.1f}",
        rate(burst.payments_per_s),
        counted(burst.statuses),
    ]


def payments_section(run: PaymentsRun) -> list[str]:
    storm = run.storm
    exactly_once = storm.payments == storm.charges == storm.postings == 1
    return [
        "## Payments",
        "",
        "Issue 11: `payBill` to `POSTED` latency, payments per second through one and two"
        " workers, and the duplicate storm, against the processor and CIS stand-ins.",
        "",
        f"- Reproduce: `python -m bench --only payments` (this run: `{run.command}`, {run.date}).",
        f"- Against the gateway {run.config}, its database on a throwaway PostgreSQL"
        " server (workers share an outbox only there), Redis as above; the processor"
        f" stand-in answers in {run.processor_latency_ms:g} ms, the CIS stand-in (a copy"
        f" of the bench co-op's, so the postings touch no other workload) in"
        f" {run.cis_latency_ms:g} ms. Each payment is $1.00 on the demo member's first"
        " account, with the card saved at the processor, past the duplicate warning.",
        "- *Answer*: `payBill`, request to `PaymentAccepted` (the payment written with its"
        " outbox entry, nothing sent yet). *To POSTED*: the payment row's `created_at` to"
        " its POSTED event (the CIS confirmed the posting), both by the gateway's clock: the"
        " worker's pick-up, the card charge and the CIS posting. *Duration*: the first"
        " payment written to the last one posted.",
        f"- The worker looks for due work every {run.worker_poll_interval_s:g} s, and at"
        " once when woken.",
        f"- Load average: {run.load_average_start} at the start, {run.load_average_end} at"
        " the end.",
        "",
        *table(
            [
                "run",
                "workers",
                "payments",
                "at once",
                "answer p50 / p95 (ms)",
                "to POSTED p50 / p95 (ms)",
                "duration (s)",
                "payments/s",
                "ended",
            ],
            [
                _row("one at a time", run.one_at_a_time),
                *(_row(f"burst, {b.workers} worker(s)", b) for b in run.bursts),
            ],
        ),
        "",
        f"The duplicate storm: {storm.requests} identical `payBill` calls (one idempotency"
        " key), all at once, each on a connection of its own so that they spread over both"
        f" web processes, with both workers running. Answers: {counted(storm.answers)};"
        f" {storm.payments} payment(s), ended {storm.status}; the processor charged"
        f" {storm.charges} time(s) and the CIS booked {storm.postings} posting(s) under"
        f" its id. Exactly once: {VERDICTS[exactly_once]}.",
        "",
    ]
