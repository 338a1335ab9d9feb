"""Two gateway processes on one PostgreSQL database, twenty identical payBill requests
split between them at once: one payment, one outbox entry, and every answer names it."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from adapters.payments.http import HttpPaymentProcessor, PaymentsEndpoint
from gateway.api.http import GRAPHQL_RESPONSE
from gateway.core.outbox.table import OutboxEntry
from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from gateway.identity.users import upsert_member
from gateway.payments.methods import customer_ref
from gateway.payments.pay_bill import PROCESS_PAYMENT_KIND
from gateway.payments.tables import PaymentRow
from simulators.world import World
from tests.fixtures.payments import SECRET_KEY, PaymentsStandIn
from tests.gateway.payments.support import tokenized_card
from tests.gateway.served import LOGIN, StandIns

PATIENCE_S = 60  # hang guard only
REQUESTS = 20
REPO = Path(__file__).resolve().parents[3]
PASSWORD = "two-process-pay-pass"
JWT_SECRET = "two-process-payments-secret-" + "t" * 20
PAY = """
mutation Pay($input: PayBillInput!) { payBill(input: $input) {
  __typename ... on PaymentAccepted { payment { id } } } }
"""


class AppProcesses:
    def __init__(self, tmp_path: Path) -> None:
        self._tmp_path = tmp_path
        self._started: list[subprocess.Popen[str]] = []

    def start(self, settings: dict[str, Any]) -> tuple[subprocess.Popen[str], Path]:
        """A new gateway process, and the file it writes its base URL to once it listens."""
        url_file = self._tmp_path / f"url-{len(self._started)}"
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.gateway.payments.app_process",
                json.dumps(settings),
                str(url_file),
            ],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._started.append(process)
        return process, url_file

    def stop_all(self) -> None:
        for process in self._started:
            if process.poll() is None:
                process.terminate()
            try:
                process.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


async def listening(started: tuple[subprocess.Popen[str], Path]) -> str:
    """The process's base URL, once it listens; fail at once if it exits first."""
    process, url_file = started
    async with asyncio.timeout(PATIENCE_S):
        while not url_file.exists() or not url_file.read_text():
            if process.poll() is not None:
                _, errors = process.communicate()
                pytest.fail(f"the gateway process exited ({process.returncode}):\n{errors}")
            await asyncio.sleep(0.05)
    return url_file.read_text()


@pytest.fixture
def apps(tmp_path: Path) -> Iterator[AppProcesses]:
    started = AppProcesses(tmp_path)
    yield started
    started.stop_all()


async def test_the_same_key_from_two_processes_at_once_is_one_payment(
    world: World,
    standins: StandIns,
    postgres_database_url: Callable[[], str],
    payments_stand_in: PaymentsStandIn,
    apps: AppProcesses,
) -> None:
    database_url = postgres_database_url()
    await migrate(database_url)
    number = world.accounts[0].account_number
    store = open_store(database_url)
    try:
        user_id = await upsert_member(
            store.engine, email="storm@example.com", password=PASSWORD, account_numbers=(number,)
        )
    finally:
        await store.aclose()
    # A saved method: a single-use token could serve only the first request.
    processor = HttpPaymentProcessor(
        PaymentsEndpoint(base_url=payments_stand_in.url, secret_key=SECRET_KEY)
    )
    try:
        method = await processor.create_payment_method(
            token=await tokenized_card(payments_stand_in), customer_ref=customer_ref(user_id)
        )
    finally:
        await processor.aclose()
    settings = {
        "cis_url": standins.cis_url,
        "cis_user": standins.cis_credentials.user_id,
        "cis_password": standins.cis_credentials.password,
        "oms_url": standins.oms_url,
        "oms_user": standins.oms_credentials.user_id,
        "oms_password": standins.oms_credentials.password,
        "meters_database_url": standins.meters_database_url,
        "database_url": database_url,
        "jwt_secret": JWT_SECRET,
        "payments_url": payments_stand_in.url,
        "payments_secret_key": SECRET_KEY,
        "cache_enabled": False,
    }
    first, second = apps.start(settings), apps.start(settings)
    urls = await asyncio.gather(listening(first), listening(second))

    headers = {"accept": GRAPHQL_RESPONSE}
    async with httpx.AsyncClient(timeout=PATIENCE_S, headers=headers) as client:
        login = await client.post(
            urls[0] + "/graphql",
            json={
                "query": LOGIN,
                "variables": {"i": {"email": "storm@example.com", "password": PASSWORD}},
            },
        )
        token = login.json()["data"]["login"]["accessToken"]
        pay_input = {
            "accountNumber": number,
            "amount": "61.00",
            "method": {"savedMethodId": method.id},
            "idempotencyKey": "storm-1",
        }
        responses = await asyncio.gather(
            *(
                client.post(
                    urls[n % 2] + "/graphql",
                    json={"query": PAY, "variables": {"input": pay_input}},
                    headers={"authorization": f"Bearer {token}"},
                )
                for n in range(REQUESTS)
            )
        )

    answers = [r.json()["data"]["payBill"] for r in responses]
    assert {a["__typename"] for a in answers} == {"PaymentAccepted"}
    ids = {a["payment"]["id"] for a in answers}
    assert len(ids) == 1
    store = open_store(database_url)
    try:
        async with store.sessions() as session:
            payments = await session.scalar(
                select(func.count()).select_from(PaymentRow).where(PaymentRow.user_id == user_id)
            )
            entries = await session.scalar(
                select(func.count())
                .select_from(OutboxEntry)
                .where(OutboxEntry.kind == PROCESS_PAYMENT_KIND)
            )
    finally:
        await store.aclose()
    assert (payments, entries) == (1, 1)
