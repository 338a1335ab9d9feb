"""The payment workload: payBill to POSTED, payments per second through one and two
workers, and the duplicate storm, against the processor and CIS stand-ins.

Latencies to POSTED are read from the gateway's own store: the payment row's
`created_at` (written by payBill, before anything is sent) and its POSTED event (the
CIS confirmed the posting), so that watching the payments costs the gateway nothing.
Charges and postings in the storm are counted where the stand-ins keep them.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.client import GatewayClient
from bench.configs import GatewayConfig
from bench.data import Users
from bench.machine import load_average
from bench.payment_stack import PaymentSystems, running_payment_systems
from bench.results import PaymentBurst, PaymentsRun, PaymentStorm
from bench.stats import summarize
from gateway.api.http import GRAPHQL_RESPONSE
from gateway.payments.status import PaymentStatus
from gateway.payments.tables import PaymentEventRow, PaymentRow
from gateway.settings import GatewaySettings

PAY: Final = """
mutation BenchPay($input: PayBillInput!) {
  payBill(input: $input) {
    __typename
    ... on PaymentAccepted { payment { id status } }
    ... on PaymentDeclined { reason }
    ... on ValidationError { message }
  }
}
"""
AMOUNT: Final = "1.00"  # the least payment the default settings take
PATIENCE_S: Final = 300.0  # a hang guard: every payment is posted long before this
WATCH_INTERVAL_S: Final = 0.05


@dataclass(frozen=True, slots=True)
class PaymentsPlan:
    one_at_a_time: int = 20
    burst: int = 200
    concurrency: int = 16
    storm: int = 50
    processor_latency_ms: float = 300.0

    @classmethod
    def quick(cls) -> PaymentsPlan:
        return cls(one_at_a_time=5, burst=40, storm=20)


class PaymentFailed(RuntimeError):
    """payBill did not accept a payment the harness expected it to accept."""


def payments_section(
    *,
    config: GatewayConfig,
    work_dir: Path,
    data_dir: Path,
    settings: dict[str, str],
    redis_url: str,
    users: Users,
    cis_password: str,
    cis_latency_ms: float,
    plan: PaymentsPlan,
    command: str,
    say: Callable[[str], None],
) -> PaymentsRun:
    date, load_before = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), load_average()
    account_number = users.member_accounts[0]
    with ExitStack() as stack:
        say("[payments] starting PostgreSQL, the processor and a CIS of the payments' own")
        systems = stack.enter_context(
            running_payment_systems(
                config,
                work_dir=work_dir,
                data_dir=data_dir,
                settings=settings,
                redis_url=redis_url,
                users=users,
                account_number=account_number,
                cis_password=cis_password,
                cis_latency_ms=cis_latency_ms,
                processor_latency_ms=plan.processor_latency_ms,
            )
        )
        token = GatewayClient(systems.gateway.url).login(users.member_email, users.member_password)
        run = _Payer(systems, token=token, account_number=account_number)
        say(f"[payments] {plan.one_at_a_time} payments one at a time, 1 worker")
        one = asyncio.run(run.burst("one", plan.one_at_a_time, concurrency=1, workers=1))
        say(f"[payments]   to POSTED p50 {one.to_posted.p50_ms:.0f} ms")
        bursts = []
        for workers in (1, 2):
            if workers == 2:
                systems.add_worker(stack, "payments-worker-2")
            say(
                f"[payments] {plan.burst} payments, {plan.concurrency} at once, {workers} worker(s)"
            )
            burst = asyncio.run(
                run.burst(
                    f"burst{workers}", plan.burst, concurrency=plan.concurrency, workers=workers
                )
            )
            say(f"[payments]   {burst.payments_per_s:.1f} payments/s")
            bursts.append(burst)
        say(f"[payments] the duplicate storm: {plan.storm} identical payBill calls")
        storm = asyncio.run(run.storm(plan.storm))
        say(f"[payments]   {storm.charges} charge(s), {storm.postings} posting(s)")
    return PaymentsRun(
        date=date,
        command=command,
        config=config.title,
        processor_latency_ms=plan.processor_latency_ms,
        cis_latency_ms=cis_latency_ms,
        worker_poll_interval_s=float(settings.get("COOP_WORKER_POLL_INTERVAL_S", _default_poll())),
        load_average_start=load_before,
        load_average_end=load_average(),
        one_at_a_time=one,
        bursts=bursts,
        storm=storm,
    )


def _default_poll() -> float:
    default: float = GatewaySettings.model_fields["worker_poll_interval_s"].default
    return default


class _Payer:
    def __init__(self, systems: PaymentSystems, *, token: str, account_number: str) -> None:
        self._systems = systems
        self._token = token
        self._account_number = account_number
        self._graphql_url = f"{systems.gateway.url}/graphql"

    def _input(self, key: str) -> dict[str, Any]:
        return {
            "accountNumber": self._account_number,
            "amount": AMOUNT,
            "method": {"savedMethodId": self._systems.saved_method_id},
            "idempotencyKey": key,
            # The same member pays the same bill again and again: past the warning.
            "confirmDuplicate": True,
        }

    async def _pay(self, client: httpx.AsyncClient, key: str) -> tuple[str, str | None, float]:
        """payBill's __typename, the payment id if accepted, and the wait in ms."""
        started = time.perf_counter()
        response = await client.post(
            self._graphql_url,
            json={"query": PAY, "variables": {"input": self._input(key)}},
            headers={"accept": GRAPHQL_RESPONSE, "authorization": f"Bearer {self._token}"},
        )
        waited_ms = (time.perf_counter() - started) * 1000
        body = response.json()
        answer = (body.get("data") or {}).get("payBill")
        if answer is None:
            codes = {e.get("extensions", {}).get("code", "?") for e in body.get("errors", [])}
            return f"error {','.join(sorted(codes))}", None, waited_ms
        payment = answer.get("payment")
        return answer["__typename"], payment["id"] if payment else None, waited_ms

    async def burst(self, name: str, count: int, *, concurrency: int, workers: int) -> PaymentBurst:
        gate = asyncio.Semaphore(concurrency)
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(timeout=PATIENCE_S, limits=limits) as client:

            async def one(index: int) -> tuple[str, float]:
                async with gate:
                    kind, payment_id, waited_ms = await self._pay(client, f"bench-{name}-{index}")
                if payment_id is None:
                    raise PaymentFailed(f"payBill answered {kind}")
                return payment_id, waited_ms

            answered = await asyncio.gather(*(one(index) for index in range(count)))
        rows = await self._settled([payment_id for payment_id, _ in answered])
        written = min(row.created_at for row in rows)
        posted = [row.posted_at for row in rows if row.posted_at is not None]
        duration_s = (max(posted) - written).total_seconds() if posted else float("nan")
        return PaymentBurst(
            workers=workers,
            payments=count,
            concurrency=concurrency,
            duration_s=duration_s,
            payments_per_s=len(posted) / duration_s if posted else 0.0,
            answer=summarize([waited_ms for _, waited_ms in answered]),
            to_posted=summarize(
                [
                    (row.posted_at - row.created_at).total_seconds() * 1000
                    for row in rows
                    if row.posted_at is not None
                ]
                or [float("nan")]
            ),
            statuses=dict(Counter(row.status for row in rows)),
        )

    async def storm(self, requests: int) -> PaymentStorm:
        # A connection each, as from that many browser tabs: the kernel spreads them
        # over the gateway's processes.
        async def one() -> tuple[str, str | None, float]:
            async with httpx.AsyncClient(timeout=PATIENCE_S) as client:
                return await self._pay(client, "bench-storm")

        answers = await asyncio.gather(*(one() for _ in range(requests)))
        payment_ids = {payment_id for _, payment_id, _ in answers if payment_id is not None}
        rows = await self._settled(sorted(payment_ids))
        # Room for a second charge or posting, were one coming.
        await asyncio.sleep(1.0)
        return PaymentStorm(
            requests=requests,
            answers=dict(Counter(kind for kind, _, _ in answers)),
            payments=len(payment_ids),
            charges=sum([await self._charges(payment_id) for payment_id in payment_ids]),
            postings=sum(self._postings(payment_id) for payment_id in payment_ids),
            status=", ".join(sorted({row.status for row in rows})) or "none",
        )

    async def _settled(self, payment_ids: Sequence[str]) -> list[_Written]:
        """The payments' rows once none of them is still on its way."""
        engine = create_async_engine(self._systems.database_url)
        try:
            async with asyncio.timeout(PATIENCE_S):
                while True:
                    rows = await _rows(engine, payment_ids)
                    if len(rows) == len(payment_ids) and all(
                        PaymentStatus(row.status).is_final for row in rows
                    ):
                        return rows
                    await asyncio.sleep(WATCH_INTERVAL_S)
        finally:
            await engine.dispose()

    async def _charges(self, payment_id: str) -> int:
        async with httpx.AsyncClient(
            base_url=self._systems.processor_url,
            headers={"Authorization": f"Bearer {self._systems.secret_key}"},
        ) as processor:
            listed = await processor.get("/v1/charges", params={"reference": payment_id})
        listed.raise_for_status()
        return len(listed.json()["data"])

    def _postings(self, payment_id: str) -> int:
        uri = f"{self._systems.cis_database.resolve().as_uri()}?mode=ro"
        with sqlite3.connect(uri, uri=True) as cis:
            (count,) = cis.execute(
                "SELECT count(*) FROM payment_postings"
                " WHERE financial_transaction_id = ? AND kind = 'payment'",
                (payment_id,),
            ).fetchone()
        return int(count)


@dataclass(frozen=True, slots=True)
class _Written:
    """What the store says of a payment."""

    status: str
    created_at: datetime
    posted_at: datetime | None


async def _rows(engine: AsyncEngine, payment_ids: Sequence[str]) -> list[_Written]:
    # When the gateway recorded POSTED (its own clock, as created_at is), not the CIS's
    # posting time, which is the CIS's clock and resolution.
    posted = (
        select(PaymentEventRow.payment_id, func.min(PaymentEventRow.at).label("at"))
        .where(PaymentEventRow.status == PaymentStatus.POSTED.value)
        .group_by(PaymentEventRow.payment_id)
        .subquery()
    )
    rows: list[_Written] = []
    async with engine.connect() as connection:
        for start in range(0, len(payment_ids), 500):
            result = await connection.execute(
                select(PaymentRow.status, PaymentRow.created_at, posted.c.at)
                .outerjoin(posted, posted.c.payment_id == PaymentRow.id)
                .where(PaymentRow.id.in_(payment_ids[start : start + 500]))
            )
            rows += [_Written(*row) for row in result]
    return rows
