"""The processor and the CIS payment calls under their guards: breakers, no retried
writes, lost answers kept as lost answers, declines that are answers."""

from __future__ import annotations

import asyncio
from decimal import Decimal
from typing import Any

import pytest

from adapters.cis.fake import FakeCis
from adapters.cis.payments import PaymentMode, PaymentPosting, PostingResult
from adapters.cis.port import CisUnavailable
from adapters.meters.fake import FakeMeterData
from adapters.oms.fake import FakeOms
from adapters.payments import sandbox
from adapters.payments.fake import FakePaymentProcessor
from adapters.payments.port import (
    Charge,
    PaymentDeclined,
    PaymentOutcomeUnknown,
    PaymentsUnavailable,
)
from gateway.core.backends import Adapters
from gateway.core.instrumented import instrument
from gateway.core.metrics import GatewayMetrics
from gateway.core.resilience.breaker import BreakerState
from gateway.core.resilience.policy import BackendPolicies

TIMEOUT_S = 0.2
THRESHOLD = 3
POLICIES = BackendPolicies(
    cis_timeout_s=TIMEOUT_S,
    oms_timeout_s=TIMEOUT_S,
    meters_timeout_s=TIMEOUT_S,
    payments_timeout_s=TIMEOUT_S,
    failure_threshold=THRESHOLD,
    cool_down_s=60.0,
    retry_jitter_s=0.01,
)


class CountingProcessor(FakePaymentProcessor):
    """The fake, counting the calls that reached it; `hang` makes a charge never answer."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []
        self.hang = False
        self.fail_next_reads = 0

    async def charge(
        self, *, amount: Decimal, source: str, idempotency_key: str, reference: str
    ) -> Charge:
        self.calls.append("charge")
        if self.hang:
            await asyncio.sleep(3600)
        return await super().charge(
            amount=amount, source=source, idempotency_key=idempotency_key, reference=reference
        )

    async def find_charge(self, reference: str) -> Charge | None:
        self.calls.append("find_charge")
        if self.fail_next_reads:
            self.fail_next_reads -= 1
            raise PaymentsUnavailable("payment processor: ConnectError")
        return await super().find_charge(reference)


class DownCis(FakeCis):
    async def post_payment(self, posting: PaymentPosting) -> PostingResult:
        self._record("post_payment", posting.financial_transaction_id)
        raise CisUnavailable("connection reset")


def guarded(
    processor: FakePaymentProcessor, cis: FakeCis | None = None
) -> tuple[Adapters, GatewayMetrics]:
    cis = cis or FakeCis(customers={}, locations={}, meters={}, bills={}, balances={})
    inner = Adapters(
        cis=cis, oms=FakeOms(), meters=FakeMeterData(), cis_payments=cis, payments=processor
    )
    metrics = GatewayMetrics()
    return instrument(inner, metrics, POLICIES), metrics


async def charge(adapters: Adapters, processor: FakePaymentProcessor, key: str) -> Charge:
    assert adapters.payments is not None
    return await adapters.payments.charge(
        amount=Decimal("84.50"),
        source=processor.tokenize_card(sandbox.APPROVED_CARD),
        idempotency_key=key,
        reference=f"ref-{key}",
    )


def metric(metrics: GatewayMetrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


def breaker_of(port: object) -> Any:
    return port.guard.breaker  # type: ignore[attr-defined]


async def test_a_processor_that_is_down_fails_fast_once_its_breaker_opens() -> None:
    processor = CountingProcessor()
    processor.down = True
    adapters, metrics = guarded(processor)
    for attempt in range(THRESHOLD):
        with pytest.raises(PaymentsUnavailable):
            await charge(adapters, processor, f"k{attempt}")
    assert processor.calls == ["charge"] * THRESHOLD  # a charge is never retried
    assert breaker_of(adapters.payments).state is BreakerState.OPEN
    with pytest.raises(PaymentsUnavailable, match="not called"):
        await charge(adapters, processor, "k-refused")
    assert len(processor.calls) == THRESHOLD  # refused without calling
    assert metric(
        metrics, "gateway_backend_calls_total", system="payments", operation="charge"
    ) == float(THRESHOLD)
    assert metric(
        metrics, "gateway_backend_failures_total", system="payments", reason="breaker_open"
    ) == (1.0)
    # The CIS is another system: its breaker knows nothing of the processor's outage.
    assert breaker_of(adapters.cis).state is BreakerState.CLOSED


async def test_declines_are_answers_and_never_open_the_breaker() -> None:
    processor = CountingProcessor()
    adapters, _ = guarded(processor)
    assert adapters.payments is not None
    for attempt in range(THRESHOLD * 2):
        with pytest.raises(PaymentDeclined):
            await adapters.payments.charge(
                amount=Decimal("10.00"),
                source=processor.tokenize_card(sandbox.DECLINED_CARD),
                idempotency_key=f"d{attempt}",
                reference=f"ref-d{attempt}",
            )
    assert breaker_of(adapters.payments).state is BreakerState.CLOSED
    assert (await charge(adapters, processor, "after")).amount == Decimal("84.50")


async def test_a_lost_answer_stays_a_lost_answer_with_its_key_and_reference() -> None:
    processor = CountingProcessor()
    processor.drop_next_answers = 1
    adapters, _ = guarded(processor)
    with pytest.raises(PaymentOutcomeUnknown) as lost:
        await charge(adapters, processor, "k1")
    assert (lost.value.idempotency_key, lost.value.reference) == ("k1", "ref-k1")
    assert processor.calls == ["charge"]  # not sent again by the guard
    # Looking it up finds the charge that was made.
    assert adapters.payments is not None
    found = await adapters.payments.find_charge("ref-k1")
    assert found is not None
    assert found.amount == Decimal("84.50")


async def test_a_charge_the_guard_cuts_short_is_a_lost_answer_not_unavailable() -> None:
    processor = CountingProcessor()
    processor.hang = True
    adapters, _ = guarded(processor)
    with pytest.raises(PaymentOutcomeUnknown) as lost:
        await charge(adapters, processor, "k1")
    assert (lost.value.idempotency_key, lost.value.reference) == ("k1", "ref-k1")
    assert "look it up" in str(lost.value)
    assert processor.calls == ["charge"]


async def test_a_lookup_by_reference_is_a_read_retried_once() -> None:
    processor = CountingProcessor()
    processor.fail_next_reads = 1
    adapters, _ = guarded(processor)
    assert adapters.payments is not None
    assert await adapters.payments.find_charge("nothing") is None
    assert processor.calls == ["find_charge", "find_charge"]


async def test_a_cis_posting_is_never_retried_and_counts_against_the_cis_breaker() -> None:
    cis = DownCis(customers={}, locations={}, meters={}, bills={}, balances={})
    adapters, metrics = guarded(CountingProcessor(), cis)
    assert adapters.cis_payments is not None
    posting = PaymentPosting(
        financial_transaction_id="pay-1",
        account_number="A1",
        amount=Decimal("84.50"),
        authorization_code="ch_1",
        payment_mode=PaymentMode.CARD,
        masked_method="************4242",
    )
    for _ in range(THRESHOLD):
        with pytest.raises(CisUnavailable):
            await adapters.cis_payments.post_payment(posting)
    assert [name for name, _ in cis.calls] == ["post_payment"] * THRESHOLD
    # One CIS, one breaker: its reads now fail fast too.
    assert breaker_of(adapters.cis).state is BreakerState.OPEN
    with pytest.raises(CisUnavailable, match="not called"):
        await adapters.cis.get_balance("A1")
    assert metric(
        metrics, "gateway_backend_calls_total", system="cis", operation="post_payment"
    ) == float(THRESHOLD)
