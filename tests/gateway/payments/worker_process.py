"""A real payment worker process for the crash tests.

    python -m tests.gateway.payments.worker_process SETTINGS_JSON

It runs the outbox with the real payment and refund handlers, against the processor
over HTTP and the CIS over SOAP, until SIGTERM. `pause_after` ("charge", "post",
"refund" or "reverse") makes it stop
right after that call answered, before the handler writes anything down: it writes
GATE/paused-<step> and waits for GATE/open, so that the test can SIGKILL it there.
`retry_cap_s` and `retry_max_attempts` stretch the outbox's retries (a backend that is
down for a while).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from adapters.cis.payments import (
    CisPayments,
    NotPrepay,
    PaymentExtensionOffer,
    PaymentPosting,
    PostingResult,
    PrepayBalance,
    Reversal,
    ReversalResult,
)
from adapters.cis.soap import SoapCis
from adapters.multispeak import MultiSpeakEndpoint
from adapters.payments.http import HttpPaymentProcessor, PaymentsEndpoint
from adapters.payments.port import Charge, Refund
from gateway.core.outbox import OutboxMessage, OutboxRunner, RetryPolicy, acquire_worker_lock
from gateway.core.store.open import open_store
from gateway.payments.pay_bill import PROCESS_PAYMENT_KIND
from gateway.payments.processing import process_payment
from gateway.payments.refund import REFUND_PAYMENT_KIND, refund_payment


async def pause(gate: Path, step: str) -> None:
    (gate / f"paused-{step}").write_text(str(os.getpid()))
    while True:  # a file, not an event: the test process opens the gate
        if (gate / "open").exists():
            break
        await asyncio.sleep(0.02)


class PausingProcessor(HttpPaymentProcessor):
    def __init__(self, endpoint: PaymentsEndpoint, *, gate: Path, pause_after: str) -> None:
        super().__init__(endpoint)
        self._gate = gate
        self._pause_after = pause_after

    async def charge(
        self, *, amount: Decimal, source: str, idempotency_key: str, reference: str
    ) -> Charge:
        charged = await super().charge(
            amount=amount, source=source, idempotency_key=idempotency_key, reference=reference
        )
        if self._pause_after == "charge":
            await pause(self._gate, "charge")
        return charged

    async def refund(
        self, *, payment_id: str, amount: Decimal, idempotency_key: str, reference: str
    ) -> Refund:
        refunded = await super().refund(
            payment_id=payment_id,
            amount=amount,
            idempotency_key=idempotency_key,
            reference=reference,
        )
        if self._pause_after == "refund":
            await pause(self._gate, "refund")
        return refunded


class PausingCis:
    def __init__(self, cis: CisPayments, *, gate: Path, pause_after: str) -> None:
        self._cis = cis
        self._gate = gate
        self._pause_after = pause_after

    async def post_payment(self, posting: PaymentPosting) -> PostingResult:
        posted = await self._cis.post_payment(posting)
        if self._pause_after == "post":
            await pause(self._gate, "post")
        return posted

    async def reverse_payment(self, reversal: Reversal) -> ReversalResult:
        reversed_ = await self._cis.reverse_payment(reversal)
        if self._pause_after == "reverse":
            await pause(self._gate, "reverse")
        return reversed_

    async def request_payment_extension(self, account_number: str) -> PaymentExtensionOffer:
        return await self._cis.request_payment_extension(account_number)

    async def accept_payment_extension(self, offer: PaymentExtensionOffer) -> None:
        await self._cis.accept_payment_extension(offer)

    async def prepay_balance(self, account_number: str) -> PrepayBalance | NotPrepay:
        return await self._cis.prepay_balance(account_number)


async def work(settings: dict[str, Any]) -> None:
    gate, pause_after = Path(settings["gate"]), str(settings["pause_after"])
    store = open_store(settings["database_url"])
    processor = PausingProcessor(
        PaymentsEndpoint(base_url=settings["payments_url"], secret_key=settings["secret_key"]),
        gate=gate,
        pause_after=pause_after,
    )
    soap = await SoapCis.create(
        endpoint=MultiSpeakEndpoint(
            url=settings["cis_url"],
            user_id=settings["cis_user"],
            password=settings["cis_password"],
            timeout_s=10.0,
        )
    )
    cis = PausingCis(soap, gate=gate, pause_after=pause_after)

    async def forget(account_number: str) -> None:
        return None

    async def handle(message: OutboxMessage) -> None:
        await process_payment(
            store=store,
            processor=processor,
            cis=cis,
            forget_balance=forget,
            payment_id=str(message.payload["payment_id"]),
            last_attempt=False,
        )

    async def handle_refund(message: OutboxMessage) -> None:
        await refund_payment(
            store=store,
            processor=processor,
            cis=cis,
            forget_balance=forget,
            payment_id=str(message.payload["payment_id"]),
        )

    try:
        runner = OutboxRunner(
            store.engine,
            {PROCESS_PAYMENT_KIND: handle, REFUND_PAYMENT_KIND: handle_refund},
            worker_id=f"process-{os.getpid()}",
            poll_interval_s=0.05,
            lease_s=float(settings["lease_s"]),
            retry=RetryPolicy(
                base_s=0.05,
                cap_s=float(settings.get("retry_cap_s", 0.1)),
                max_attempts=int(settings.get("retry_max_attempts", 5)),
            ),
        )
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await runner.run(stop)
    finally:
        await asyncio.gather(processor.aclose(), soap.aclose(), store.aclose())


def main(argv: list[str]) -> int:
    settings: dict[str, Any] = json.loads(argv[0])
    with acquire_worker_lock(settings["database_url"]):
        asyncio.run(work(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
