"""A refund worker killed by SIGKILL right after the processor refunded or the CIS
reversed, before it wrote anything down: the next worker finishes the refund, and the
member gets the money back once and the CIS takes the payment off once (the refund's
idempotency key and the reversal's id are derived from the payment id)."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

import pytest

from adapters.cis.soap import SoapCis
from adapters.payments.http import HttpPaymentProcessor, PaymentsEndpoint
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import Role
from gateway.payments import store as payments_store
from gateway.payments.methods import MethodChoice
from gateway.payments.pay_bill import PaymentAccepted, pay_bill
from gateway.payments.refund import RefundQueued, request_refund
from gateway.payments.status import PaymentStatus
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.fixtures.cis import cis_endpoint_for
from tests.fixtures.payments import SECRET_KEY, PaymentsStandIn
from tests.gateway.core.store.databases import add_user
from tests.gateway.payments.support import access_of, bill_payment, tokenized_card
from tests.gateway.payments.test_crash import (
    PATIENCE_S,
    Workers,
    database_url,
    eventually,
    store,
    workers,
)

# The crash tests' fixtures: one gateway database per backend, and worker processes.
__all__ = ["database_url", "store", "workers"]


@pytest.mark.parametrize("killed_after", ["refund", "reverse"])
async def test_a_refund_worker_killed_between_a_call_and_its_record_refunds_once(
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
        paid = await pay_bill(
            access=access_of(store, user_id),
            store=store,
            processor=processor,
            request=bill_payment(
                number, MethodChoice(token=await tokenized_card(payments_stand_in)), amount="27.45"
            ),
            request_id="r-refund-crash",
        )
        assert isinstance(paid, PaymentAccepted)
        payment_id = paid.payment.id

        def reaches(status: PaymentStatus) -> Callable[[], Awaitable[bool]]:
            async def check() -> bool:
                payment = await payments_store.get_payment(store, payment_id)
                return payment is not None and payment.status is status

            return check

        async def paused() -> bool:
            return (tmp_path / f"paused-{killed_after}").exists()

        first = workers.start(pause_after="nothing")
        await eventually(reaches(PaymentStatus.POSTED), while_running=first)
        first.send_signal(signal.SIGTERM)
        await asyncio.to_thread(first.communicate, timeout=PATIENCE_S)

        admin_id = await add_user(store, role=Role.ADMIN)
        asked = await request_refund(
            access=access_of(store, admin_id),
            store=store,
            processor=processor,
            payment_id=payment_id,
            reason="charged twice",
        )
        assert isinstance(asked, RefundQueued)

        doomed = workers.start(pause_after=killed_after)
        await eventually(paused, while_running=doomed)
        os.kill(doomed.pid, signal.SIGKILL)
        await asyncio.to_thread(doomed.wait, timeout=PATIENCE_S)
        unrecorded = await payments_store.get_payment(store, payment_id)
        assert unrecorded is not None
        assert unrecorded.status is PaymentStatus.POSTED

        (tmp_path / "open").touch()
        replacement = workers.start(pause_after="nothing")
        await eventually(reaches(PaymentStatus.REFUNDED), while_running=replacement)

        charge = await processor.find_charge(payment_id)
        assert charge is not None
        assert charge.amount_refunded == Decimal("27.45")  # refunded once, in full
        assert (await cis.get_balance(number)).amount_due == owed  # reversed once
        events = await payments_store.payment_events(store, payment_id)
        assert events[-1].status is PaymentStatus.REFUNDED
        assert events[-1].detail.endswith("(reversed before)") == (killed_after == "reverse")

        replacement.send_signal(signal.SIGTERM)
        _, errors = await asyncio.to_thread(replacement.communicate, timeout=PATIENCE_S)
        assert replacement.returncode == 0, errors
    finally:
        await asyncio.gather(processor.aclose(), cis.aclose())
