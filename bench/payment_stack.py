"""What the payment workload runs against: PostgreSQL, the processor stand-in, a CIS of
its own, and the gateway with its workers.

The payments post to a copy of the bench co-op's CIS database, so that the other
workloads, in this run and the next, read the balances they always read. Several
workers share a gateway database only on PostgreSQL (on SQLite a second one is
refused), so the gateway's database here is a throwaway PostgreSQL server's.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx

from adapters.payments.http import HttpPaymentProcessor, PaymentsEndpoint
from bench.configs import GatewayConfig
from bench.data import Users, copy_with_own
from bench.processes import ChildProcess, free_port, start_child
from bench.stack import (
    STAND_IN_START_TIMEOUT_S,
    STAND_IN_USER,
    RunningGateway,
    base_environment,
    gateway_command,
    running_gateway,
    start_worker,
)
from gateway.core.store.migrate import migrate
from gateway.identity.users import upsert_member
from gateway.payments.methods import customer_ref
from simulators.cis.app import SERVICE_PATH as CIS_SERVICE_PATH
from simulators.postgres import throwaway_postgres

PUBLISHABLE_KEY: Final = "pk_test_bench"
# The card the processor's published test numbers approve.
APPROVED_CARD: Final = "4242424242424242"


@dataclass(frozen=True, slots=True)
class PaymentSystems:
    gateway: RunningGateway
    database_url: str  # the gateway's (PostgreSQL)
    cis_database: Path  # where the CIS stand-in books the postings
    processor_url: str  # without /v1
    secret_key: str
    saved_method_id: str  # the member's card, saved at the processor
    work_dir: Path

    def add_worker(self, stack: ExitStack, name: str) -> ChildProcess:
        worker = start_worker(name, environment=self.gateway.environment, work_dir=self.work_dir)
        stack.callback(worker.stop)
        return worker


@contextmanager
def running_payment_systems(
    config: GatewayConfig,
    *,
    work_dir: Path,
    data_dir: Path,
    settings: Mapping[str, str],
    redis_url: str,
    users: Users,
    account_number: str,
    cis_password: str,
    cis_latency_ms: float,
    processor_latency_ms: float,
) -> Iterator[PaymentSystems]:
    """Everything up and the member's card saved; one worker runs beside the gateway."""
    with ExitStack() as stack:
        server = stack.enter_context(throwaway_postgres())
        database_url = server.create_database("bench_payments")
        cis_data = copy_with_own(data_dir, work_dir / "payments-cis", "cis.db")
        cis_url = _start_cis(
            stack, work_dir, cis_data, password=cis_password, latency_ms=cis_latency_ms
        )
        secret_key = f"sk_test_{secrets.token_hex(12)}"
        processor_url = _start_processor(
            stack, work_dir, secret_key=secret_key, latency_ms=processor_latency_ms
        )
        user_id = asyncio.run(_member(database_url, users, account_number))
        method_id = asyncio.run(_saved_card(processor_url, secret_key, user_id))
        gateway = stack.enter_context(
            running_gateway(
                config,
                work_dir=work_dir,
                settings=settings,
                redis_url=redis_url,
                overrides={
                    "COOP_DATABASE_URL": database_url,
                    "COOP_CIS_URL": cis_url,
                    "COOP_PAYMENTS_URL": processor_url,
                    "COOP_PAYMENTS_SECRET_KEY": secret_key,
                    "COOP_PAYMENTS_WEBHOOK_SECRET": secrets.token_hex(16),
                },
            )
        )
        yield PaymentSystems(
            gateway=gateway,
            database_url=database_url,
            cis_database=cis_data / "cis.db",
            processor_url=processor_url,
            secret_key=secret_key,
            saved_method_id=method_id,
            work_dir=work_dir,
        )


def _start_cis(
    stack: ExitStack, work_dir: Path, data_dir: Path, *, password: str, latency_ms: float
) -> str:
    port = free_port()
    child = start_child(
        "payments-cis-stand-in",
        gateway_command(
            "simulate",
            "cis",
            "--port",
            str(port),
            "--latency-ms",
            f"{latency_ms:g}",
            "--user",
            STAND_IN_USER,
            "--data-dir",
            str(data_dir),
        ),
        env={**base_environment(), "COOP_SIMULATOR_PASSWORD": password},
        log_dir=work_dir,
    )
    stack.callback(child.stop)
    url = f"http://127.0.0.1:{port}{CIS_SERVICE_PATH}"
    child.wait_for_http(f"{url}?wsdl", timeout_s=STAND_IN_START_TIMEOUT_S)
    return url


def _start_processor(
    stack: ExitStack, work_dir: Path, *, secret_key: str, latency_ms: float
) -> str:
    port = free_port()
    child = start_child(
        "payments-stand-in",
        gateway_command(
            "simulate",
            "payments",
            "--port",
            str(port),
            "--latency-ms",
            f"{latency_ms:g}",
            "--publishable-key",
            PUBLISHABLE_KEY,
        ),
        env={
            **base_environment(),
            "COOP_PAYMENTS_SECRET_KEY": secret_key,
            "COOP_PAYMENTS_WEBHOOK_SECRET": secrets.token_hex(16),
        },
        log_dir=work_dir,
    )
    stack.callback(child.stop)
    url = f"http://127.0.0.1:{port}"
    child.wait_until(
        lambda: _answers(f"{url}/v1/charges?reference=none", secret_key),
        timeout_s=STAND_IN_START_TIMEOUT_S,
        what="answering",
    )
    return url


def _answers(url: str, secret_key: str) -> bool:
    try:
        response = httpx.get(url, headers={"Authorization": f"Bearer {secret_key}"}, timeout=2.0)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


async def _member(database_url: str, users: Users, account_number: str) -> int:
    await migrate(database_url)
    return await upsert_member(
        database_url,
        email=users.member_email,
        password=users.member_password,
        account_numbers=(account_number,),
    )


async def _saved_card(processor_url: str, secret_key: str, user_id: int) -> str:
    """What the member's browser and wallet do: the card to the processor for a token,
    the token saved as a reusable method of the member's."""
    async with httpx.AsyncClient(
        base_url=processor_url, headers={"Authorization": f"Bearer {PUBLISHABLE_KEY}"}
    ) as browser:
        tokenized = await browser.post(
            "/v1/tokens",
            json={
                "card": {
                    "number": APPROVED_CARD,
                    "exp_month": 12,
                    "exp_year": 2035,
                    "cvc": "123",
                    "postal_code": "87544",
                }
            },
        )
    tokenized.raise_for_status()
    processor = HttpPaymentProcessor(
        PaymentsEndpoint(base_url=processor_url, secret_key=secret_key)
    )
    try:
        method = await processor.create_payment_method(
            token=tokenized.json()["id"], customer_ref=customer_ref(user_id)
        )
    finally:
        await processor.aclose()
    return method.id
