"""Gateway and worker processes over the real stand-ins, for the end-to-end payment tests.

The CIS stand-in here is the test's own, served in the test process with a database
file the test can read: the postings are counted where the CIS keeps them. The
processor stand-in keeps its charges; `charges_for` lists them by reference.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.payments.http import HttpPaymentProcessor, PaymentsEndpoint
from adapters.payments.port import PaymentMethod
from gateway.api.http import GRAPHQL_RESPONSE
from gateway.core.store.open import open_store
from gateway.identity.users import upsert_member
from gateway.payments.methods import customer_ref
from simulators.cis.app import SERVICE_PATH, create_cis_app
from simulators.cis.store import payment_postings
from simulators.server import serve_asgi
from simulators.soap import MultiSpeakCredentials
from tests.fixtures.payments import SECRET_KEY, PaymentsStandIn
from tests.gateway.payments.support import tokenized_card
from tests.gateway.served import LOGIN

PATIENCE_S = 60  # hang guard only
REPO = Path(__file__).resolve().parents[3]
PASSWORD = "live-payments-pass"


@asynccontextmanager
async def cis_served(
    database_url: str, credentials: MultiSpeakCredentials, *, port: int = 0
) -> AsyncIterator[str]:
    """The CIS stand-in on `database_url` until the block exits; its service URL."""
    app = create_cis_app(database_url=database_url, credentials=credentials)
    async with serve_asgi(app, port=port) as base_url:
        yield base_url + SERVICE_PATH


async def postings_to(cis_database_url: str, account_number: str) -> int:
    """Payments (not reversals) the CIS stand-in booked on the account."""
    engine = create_async_engine(cis_database_url)
    try:
        async with engine.connect() as connection:
            count = await connection.scalar(
                select(func.count())
                .select_from(payment_postings)
                .where(payment_postings.c.account_number == account_number)
                .where(payment_postings.c.kind == "payment")
            )
    finally:
        await engine.dispose()
    return int(count or 0)


async def charges_for(stand_in: PaymentsStandIn, reference: str) -> list[dict[str, Any]]:
    async with stand_in.client() as client:
        listed = await client.get("/v1/charges", params={"reference": reference})
    listed.raise_for_status()
    data: list[dict[str, Any]] = listed.json()["data"]
    return data


async def member_with_saved_card(
    database_url: str, stand_in: PaymentsStandIn, *, email: str, account_number: str
) -> tuple[int, PaymentMethod]:
    """A member of the account, with a card saved at the processor: a single-use token
    could serve only the first of several identical requests."""
    store = open_store(database_url)
    try:
        user_id = await upsert_member(
            store.engine, email=email, password=PASSWORD, account_numbers=(account_number,)
        )
    finally:
        await store.aclose()
    processor = HttpPaymentProcessor(PaymentsEndpoint(base_url=stand_in.url, secret_key=SECRET_KEY))
    try:
        method = await processor.create_payment_method(
            token=await tokenized_card(stand_in), customer_ref=customer_ref(user_id)
        )
    finally:
        await processor.aclose()
    return user_id, method


class Processes:
    """Gateway and worker processes a test started; any left at its end are stopped."""

    def __init__(self, tmp_path: Path) -> None:
        self._tmp_path = tmp_path
        self._started: list[subprocess.Popen[str]] = []

    def _start(self, module: str, *args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._started.append(process)
        return process

    async def app(self, settings: dict[str, Any]) -> str:
        """A gateway process; its base URL once it listens."""
        url_file = self._tmp_path / f"url-{len(self._started)}"
        process = self._start(
            "tests.gateway.payments.app_process", json.dumps(settings), str(url_file)
        )
        async with asyncio.timeout(PATIENCE_S):
            while not url_file.exists() or not url_file.read_text():
                if process.poll() is not None:
                    _, errors = process.communicate()
                    pytest.fail(f"the gateway process exited ({process.returncode}):\n{errors}")
                await asyncio.sleep(0.05)
        return url_file.read_text()

    def worker(self, settings: dict[str, Any]) -> subprocess.Popen[str]:
        """A payment worker process (`worker_process`), never pausing."""
        gate = {"gate": str(self._tmp_path), "pause_after": "nothing", "lease_s": 2.0}
        return self._start("tests.gateway.payments.worker_process", json.dumps(gate | settings))

    def running(self) -> None:
        """Fail at once if a process the test started has exited."""
        for process in self._started:
            if process.poll() is not None:
                _, errors = process.communicate()
                pytest.fail(f"a process exited ({process.returncode}):\n{errors}")

    async def eventually(self, condition: Callable[[], Awaitable[bool]]) -> None:
        async with asyncio.timeout(PATIENCE_S):
            while not await condition():
                self.running()
                await asyncio.sleep(0.05)

    def stop_all(self) -> None:
        for process in self._started:
            if process.poll() is None:
                process.terminate()
            try:
                process.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()


async def signed_in(client: httpx.AsyncClient, url: str, email: str) -> str:
    """The member's access token."""
    login = await client.post(
        url + "/graphql",
        json={"query": LOGIN, "variables": {"i": {"email": email, "password": PASSWORD}}},
        headers={"accept": GRAPHQL_RESPONSE},
    )
    token: str = login.json()["data"]["login"]["accessToken"]
    return token


async def graphql(
    client: httpx.AsyncClient, url: str, token: str, query: str, **variables: Any
) -> dict[str, Any]:
    response = await client.post(
        url + "/graphql",
        json={"query": query, "variables": variables},
        headers={"accept": GRAPHQL_RESPONSE, "authorization": f"Bearer {token}"},
    )
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data
