"""What the HTTP adapter makes of failures: nothing happened, or the answer was lost.

httpx's MockTransport plays the processor: these are the failures a real socket
cannot produce on demand (the stand-in's dropped answer is in the contract suite).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest

from adapters.payments.http import HttpPaymentProcessor, PaymentsEndpoint
from adapters.payments.port import (
    PaymentConflict,
    PaymentDeclined,
    PaymentInvalid,
    PaymentOutcomeUnknown,
    PaymentsError,
    PaymentsUnavailable,
)

SECRET = "sk_test_never_in_a_message"


def _processor(handler: Callable[[httpx.Request], httpx.Response]) -> HttpPaymentProcessor:
    return HttpPaymentProcessor(
        PaymentsEndpoint(base_url="http://processor.test", secret_key=SECRET),
        transport=httpx.MockTransport(handler),
    )


async def _charge(processor: HttpPaymentProcessor) -> None:
    await processor.charge(
        amount=Decimal("12.30"), source="pm_1", idempotency_key="pay-1", reference="P-1"
    )


def _raise(error: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise error

    return handler


async def test_a_charge_sends_cents_the_key_and_the_secret() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(
            200,
            json={
                "id": "ch_1",
                "amount": 1230,
                "status": "succeeded",
                "payment_method": "pm_1",
                "reference": "P-1",
                "created": 1_700_000_000,
            },
        )

    charge = await _processor(handler).charge(
        amount=Decimal("12.3"), source="pm_1", idempotency_key="pay-1", reference="P-1"
    )

    [request] = seen
    assert request.url.path == "/v1/charges"
    assert request.headers["Idempotency-Key"] == "pay-1"
    assert request.headers["Authorization"] == f"Bearer {SECRET}"
    assert b'"amount":1230' in request.content.replace(b" ", b"")
    assert charge.amount == Decimal("12.30")


@pytest.mark.parametrize(
    ("handler", "expected"),
    [
        (_raise(httpx.ConnectError("refused")), PaymentsUnavailable),
        (_raise(httpx.ConnectTimeout("slow")), PaymentsUnavailable),
        (_raise(httpx.ReadTimeout("no answer")), PaymentOutcomeUnknown),
        (_raise(httpx.RemoteProtocolError("dropped")), PaymentOutcomeUnknown),
        (lambda _: httpx.Response(503, json={"error": {"message": "down"}}), PaymentsUnavailable),
        (lambda _: httpx.Response(500, text="oops"), PaymentOutcomeUnknown),
        (lambda _: httpx.Response(502, text="bad gateway"), PaymentOutcomeUnknown),
        (lambda _: httpx.Response(409, json={"error": {"message": "key"}}), PaymentConflict),
        (lambda _: httpx.Response(400, json={"error": {"message": "amount"}}), PaymentInvalid),
        (lambda _: httpx.Response(401, json={}), PaymentsUnavailable),
        (lambda _: httpx.Response(200, text="<html>"), PaymentsUnavailable),
    ],
)
async def test_failures_of_a_charge(
    handler: Callable[[httpx.Request], httpx.Response], expected: type[PaymentsError]
) -> None:
    with pytest.raises(PaymentsError) as raised:
        await _charge(_processor(handler))

    assert type(raised.value) is expected
    assert SECRET not in str(raised.value)


async def test_a_lost_read_is_only_unavailable() -> None:
    processor = _processor(_raise(httpx.ReadTimeout("no answer")))

    with pytest.raises(PaymentsUnavailable):
        await processor.find_charge("P-1")


async def test_a_decline_carries_its_code_message_and_payment() -> None:
    error = {"code": "insufficient_funds", "message": "Not enough.", "payment_id": "ch_9"}
    processor = _processor(lambda _: httpx.Response(402, json={"error": error}))

    with pytest.raises(PaymentDeclined) as declined:
        await _charge(processor)

    assert (declined.value.code, declined.value.member_message, declined.value.payment_id) == (
        "insufficient_funds",
        "Not enough.",
        "ch_9",
    )


async def test_a_bad_amount_never_leaves_the_adapter() -> None:
    processor = _processor(_raise(AssertionError("nothing may be sent")))

    with pytest.raises(PaymentInvalid):
        await processor.charge(
            amount=Decimal("0.001"), source="pm_1", idempotency_key="pay-1", reference="P-1"
        )
