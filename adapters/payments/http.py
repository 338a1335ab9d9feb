"""`PaymentProcessor` over the processor's JSON API, with httpx.

The secret API key comes in `PaymentsEndpoint` (from the gateway's settings) and is
sent as a bearer token; it never appears in an error message. Which failures mean
"nothing happened" and which mean "the answer was lost" matters here more than
anywhere: a connection that was never made is `PaymentsUnavailable`; a request that
went out and got no complete answer is `PaymentOutcomeUnknown`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final, TypeVar

import httpx

from adapters.json_http import error_object, json_answer, own_transport, post_once
from adapters.payments.port import (
    Charge,
    Debit,
    DeclineCode,
    PaymentConflict,
    PaymentDeclined,
    PaymentInvalid,
    PaymentMethod,
    PaymentNotFound,
    PaymentOutcomeUnknown,
    PaymentsUnavailable,
    Refund,
    payment_amount,
)
from adapters.payments.wire import (
    Json,
    charge_from_json,
    debit_from_json,
    payment_method_from_json,
    refund_from_json,
)
from adapters.rules.money import to_cents

T = TypeVar("T")
SYSTEM: Final = "payment processor"


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentsEndpoint:
    base_url: str  # e.g. https://api.processor.example (without /v1)
    secret_key: str = field(repr=False)  # sk_...
    timeout_s: float = 10.0


class HttpPaymentProcessor:
    def __init__(
        self, endpoint: PaymentsEndpoint, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self._client = httpx.AsyncClient(
            base_url=endpoint.base_url.rstrip("/") + "/v1",
            headers={"Authorization": f"Bearer {endpoint.secret_key}"},
            timeout=endpoint.timeout_s,
            transport=transport if transport is not None else own_transport(),
        )

    async def create_payment_method(self, *, token: str, customer_ref: str) -> PaymentMethod:
        data = await self._read(
            "POST", "/payment_methods", json={"token": token, "customer": customer_ref}
        )
        return payment_method_from_json(data)

    async def list_payment_methods(self, customer_ref: str) -> Sequence[PaymentMethod]:
        data = await self._read("GET", "/payment_methods", params={"customer": customer_ref})
        return [payment_method_from_json(item) for item in data.get("data", [])]

    async def get_payment_method(self, method_id: str) -> PaymentMethod:
        return payment_method_from_json(await self._read("GET", f"/payment_methods/{method_id}"))

    async def delete_payment_method(self, method_id: str) -> None:
        try:
            await self._read("DELETE", f"/payment_methods/{method_id}")
        except PaymentNotFound:
            return

    async def charge(
        self, *, amount: Decimal, source: str, idempotency_key: str, reference: str
    ) -> Charge:
        body = _money(amount, source=source, reference=reference)
        data = await self._move("/charges", body, idempotency_key, reference)
        return charge_from_json(data)

    async def debit(
        self, *, amount: Decimal, source: str, idempotency_key: str, reference: str
    ) -> Debit:
        body = _money(amount, source=source, reference=reference)
        data = await self._move("/debits", body, idempotency_key, reference)
        return debit_from_json(data)

    async def refund(
        self, *, payment_id: str, amount: Decimal, idempotency_key: str, reference: str
    ) -> Refund:
        body = {
            "payment": payment_id,
            "amount": to_cents(payment_amount(amount)),
            "reference": reference,
        }
        return refund_from_json(await self._move("/refunds", body, idempotency_key, reference))

    async def get_charge(self, charge_id: str) -> Charge:
        return charge_from_json(await self._read("GET", f"/charges/{charge_id}"))

    async def get_debit(self, debit_id: str) -> Debit:
        return debit_from_json(await self._read("GET", f"/debits/{debit_id}"))

    async def find_charge(self, reference: str) -> Charge | None:
        return await self._find("/charges", reference, charge_from_json)

    async def find_debit(self, reference: str) -> Debit | None:
        return await self._find("/debits", reference, debit_from_json)

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _find(self, path: str, reference: str, parse: Callable[[Json], T]) -> T | None:
        data = await self._read("GET", path, params={"reference": reference})
        found = data.get("data", [])
        return parse(found[0]) if found else None

    async def _read(self, method: str, path: str, **options: Any) -> Json:
        """A call that moves no money: no answer means it may simply be asked again."""
        try:
            response = await self._client.request(method, path, **options)
        except httpx.TransportError as error:
            raise PaymentsUnavailable(f"payment processor: {type(error).__name__}") from None
        return _answer(response)

    async def _move(self, path: str, body: Json, idempotency_key: str, reference: str) -> Json:
        def outcome_unknown(message: str) -> PaymentOutcomeUnknown:
            return PaymentOutcomeUnknown(
                f"{message}; look it up by reference",
                idempotency_key=idempotency_key,
                reference=reference,
            )

        response = await post_once(
            self._client,
            path,
            body=body,
            idempotency_key=idempotency_key,
            system=SYSTEM,
            not_sent=PaymentsUnavailable,
            outcome_unknown=outcome_unknown,
        )
        return _answer(response)


def _money(amount: Decimal, *, source: str, reference: str) -> Json:
    return {
        "amount": to_cents(payment_amount(amount)),
        "currency": "usd",
        "source": source,
        "reference": reference,
    }


def _answer(response: httpx.Response) -> Json:
    status = response.status_code
    if status < 300:
        return json_answer(response, system=SYSTEM, unavailable=PaymentsUnavailable)
    error = error_object(response)
    message = str(error.get("message", f"HTTP {status}"))
    if status == 402:
        raise PaymentDeclined(
            message,
            code=DeclineCode(str(error.get("code", DeclineCode.CARD_DECLINED))),
            payment_id=error.get("payment_id"),
        )
    if status == 404:
        raise PaymentNotFound(message)
    if status == 409:
        raise PaymentConflict(message)
    if status in (400, 422):
        raise PaymentInvalid(message)
    if status in (401, 403):
        raise PaymentsUnavailable(f"payment processor refused the API key (HTTP {status})")
    raise PaymentsUnavailable(f"payment processor: HTTP {status}")
