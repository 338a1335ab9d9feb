"""A payment worker killed by SIGKILL right after the processor or the CIS answered,
before it wrote anything down: the next worker finishes the payment, and the member
is charged once and credited once (the processor's idempotency key and the CIS's
financialTransactionID are the payment id)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_asyncio

from adapters.cis.soap import SoapCis
from adapters.payments.http import HttpPaymentProcessor, PaymentsEndpoint
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.open import open_store
from gateway.payments import store as payments_store
from gateway.payments.methods import MethodChoice
from gateway.payments.pay_bill import PaymentAccepted, pay_bill
from gateway.payments.status import PaymentStatus
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.fixtures.cis import cis_endpoint_for
from tests.fixtures.payments import SECRET_KEY, PaymentsStandIn
from tests.gateway.core.store.databases import BACKENDS, add_user, migrated_database_url
from tests.gateway.payments.support import access_of, bill_payment, tokenized_card

LEASE_S = 2.0
PATIENCE_S = 60  # hang guard only
REPO = Path(__file__).resolve().parents[3]


@pytest_asyncio.fixture(params=BACKENDS)
async def database_url(request: pytest.FixtureRequest) -> str:
    return await migrated_database_url(request.param, request)


@pytest_asyncio.fixture
async def store(database_url: str) -> AsyncIterator[GatewayStore]:
    opened = open_store(database_url)
    yield opened
    await opened.aclose()


class Workers:
    """Payment worker processes started by a test; any still running at its end are
    killed."""

    def __init__(self, settings: dict[str, object]) -> None:
        self._settings = settings
        self._started: list[subprocess.Popen[str]] = []

    def start(self, *, pause_after: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.gateway.payments.worker_process",
                json.dumps({**self._settings, "pause_after": pause_after}),
            ],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._started.append(process)
        return process

    def kill_all(self) -> None:
        for process in self._started:
            if process.poll() is None:
                process.kill()
            process.communicate()


@pytest.fixture
def workers(
    database_url: str,
    tmp_path: Path,
    payments_stand_in: PaymentsStandIn,
    fresh_cis_url: str,
    cis_credentials: MultiSpeakCredentials,
) -> Iterator[Workers]:
    started = Workers(
        {
            "database_url": database_url,
            "gate": str(tmp_path),
            "lease_s": LEASE_S,
            "payments_url": payments_stand_in.url,
            "secret_key": SECRET_KEY,
            "cis_url": fresh_cis_url,
            "cis_user": cis_credentials.user_id,
            "cis_password": cis_credentials.password,
        }
    )
    yield started
    started.kill_all()


async def eventually(
    condition: Callable[[], Awaitable[bool]], *, while_running: subprocess.Popen[str]
) -> None:
    """Wait until `condition` holds; fail at once if the worker process exits first."""
    async with asyncio.timeout(PATIENCE_S):
        while not await condition():
            if while_running.poll() is not None:
                _, errors = while_running.communicate()
                pytest.fail(f"the worker exited ({while_running.returncode}):\n{errors}")
            await asyncio.sleep(0.05)


@pytest.mark.parametrize("killed_after", ["charge", "post"])
async def test_a_worker_killed_between_a_call_and_its_record_pays_once(
    killed_after: str,
    world: World,
    store: GatewayStore,
    workers: Workers,
    tmp_path: Path,
    payments_stand_in: PaymentsStandIn,
    fresh_cis_url: str,
    cis_credentials: MultiSpeakCredentials,
) -> None:
    number = world.accounts[0].account_number
    cis = await SoapCis.create(endpoint=cis_endpoint_for(fresh_cis_url, cis_credentials))
    processor = HttpPaymentProcessor(
        PaymentsEndpoint(base_url=payments_stand_in.url, secret_key=SECRET_KEY)
    )
    try:
        owed = (await cis.get_balance(number)).amount_due
        user_id = await add_user(store, account_numbers=(number,))
        outcome = await pay_bill(
            access=access_of(store, user_id),
            store=store,
            processor=processor,
            request=bill_payment(
                number, MethodChoice(token=await tokenized_card(payments_stand_in)), amount="33.10"
            ),
            request_id="r-crash",
        )
        assert isinstance(outcome, PaymentAccepted)
        payment_id = outcome.payment.id

        async def paused() -> bool:
            return (tmp_path / f"paused-{killed_after}").exists()

        async def posted() -> bool:
            payment = await payments_store.get_payment(store, payment_id)
            return payment is not None and payment.status is PaymentStatus.POSTED

        doomed = workers.start(pause_after=killed_after)
        await eventually(paused, while_running=doomed)
        os.kill(doomed.pid, signal.SIGKILL)
        await asyncio.to_thread(doomed.wait, timeout=PATIENCE_S)
        # The call was answered, and nothing of its answer was written down.
        unrecorded = await payments_store.get_payment(store, payment_id)
        assert unrecorded is not None
        assert unrecorded.status is PaymentStatus.PROCESSING
        assert (unrecorded.processor_payment_id is None) == (killed_after == "charge")

        (tmp_path / "open").touch()
        replacement = workers.start(pause_after="nothing")
        await eventually(posted, while_running=replacement)

        done = await payments_store.get_payment(store, payment_id)
        assert done is not None
        charge = await processor.find_charge(payment_id)
        assert charge is not None
        assert done.processor_payment_id == charge.id
        async with payments_stand_in.client() as client:
            listed = await client.get("/v1/charges", params={"reference": payment_id})
        assert [c["id"] for c in listed.json()["data"]] == [charge.id]  # charged once
        assert (await cis.get_balance(number)).amount_due == owed - Decimal("33.10")
        events = await payments_store.payment_events(store, payment_id)
        assert [e.status for e in events] == [
            PaymentStatus.PROCESSING,
            PaymentStatus.PROCESSING,
            PaymentStatus.POSTED,
        ]
        assert events[-1].detail.endswith("(posted before)") == (killed_after == "post")

        replacement.send_signal(signal.SIGTERM)
        _, errors = await asyncio.to_thread(replacement.communicate, timeout=PATIENCE_S)
        assert replacement.returncode == 0, errors
    finally:
        await asyncio.gather(processor.aclose(), cis.aclose())
