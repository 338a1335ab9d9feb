"""The payment processor and the CIS's payment half, guarded and timed like every backend.

Each call goes through its system's `BackendGuard` (`gateway.core.resilience`): the
processor gets a breaker of its own (system "payments"), the CIS payment calls share
the CIS's, since they reach the same server. So a processor that is down fails fast
with `PaymentsUnavailable` once the breaker opens, and is probed again after the
cool-down, instead of every payment waiting out its timeout.

Payments are writes, and the guard never retries them: a charge, a debit, a refund,
a CIS posting or a method made from a single-use token whose answer was lost may have
been carried out. Only the outbox sends one again, as a whole step of the payment,
with the payment's id as the idempotency key (the processor answers a repeated key
with the first charge; the CIS answers a repeated financialTransactionID with the first
posting). Lookups (a method, a charge or debit by id or by reference) move nothing and
are retried once like any read.

What the breaker counts: a decline, an invalid request or "not found" is an answer from
a working processor and never opens it; a refused connection, a 503 or a timeout does.
A lost answer (`PaymentOutcomeUnknown`) counts as a failure too, and is passed on with
its type, key and reference; a money-moving call the guard itself cut short becomes one
as well, never "unavailable", which would say that nothing happened.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from decimal import Decimal
from typing import TypeVar

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
from adapters.errors import BackendUnavailable
from adapters.payments.port import (
    Charge,
    Debit,
    PaymentMethod,
    PaymentOutcomeUnknown,
    PaymentProcessor,
    Refund,
)
from gateway.core.instrumented import InstrumentedBackend
from gateway.core.metrics import GatewayMetrics
from gateway.core.resilience.guard import BackendGuard

T = TypeVar("T")


def outcome_unknown(*, idempotency_key: str, reference: str) -> Callable[[str], BackendUnavailable]:
    """The error for a money-moving call cut short after it was sent: look it up."""

    def lost(reason: str) -> BackendUnavailable:
        return PaymentOutcomeUnknown(
            f"{reason}; look it up by reference",
            idempotency_key=idempotency_key,
            reference=reference,
        )

    return lost


class InstrumentedPayments(InstrumentedBackend):
    system = "payments"

    def __init__(
        self, inner: PaymentProcessor, metrics: GatewayMetrics, guard: BackendGuard
    ) -> None:
        super().__init__(metrics, guard)
        self.inner = inner

    async def _move(
        self, operation: str, call: Callable[[], Awaitable[T]], *, key: str, reference: str
    ) -> T:
        return await self.guard.write(
            operation,
            lambda: self._timed(operation, call()),
            lost_answer=outcome_unknown(idempotency_key=key, reference=reference),
        )

    async def create_payment_method(self, *, token: str, customer_ref: str) -> PaymentMethod:
        # A write: the token is spent by the first call, so a blind retry could only
        # be refused; the member tries again with a new token.
        return await self._write(
            "create_payment_method",
            lambda: self.inner.create_payment_method(token=token, customer_ref=customer_ref),
        )

    async def list_payment_methods(self, customer_ref: str) -> Sequence[PaymentMethod]:
        return await self._read(
            "list_payment_methods", lambda: self.inner.list_payment_methods(customer_ref)
        )

    async def get_payment_method(self, method_id: str) -> PaymentMethod:
        return await self._read(
            "get_payment_method", lambda: self.inner.get_payment_method(method_id)
        )

    async def delete_payment_method(self, method_id: str) -> None:
        await self._write(
            "delete_payment_method", lambda: self.inner.delete_payment_method(method_id)
        )

    async def charge(
        self, *, amount: Decimal, source: str, idempotency_key: str, reference: str
    ) -> Charge:
        return await self._move(
            "charge",
            lambda: self.inner.charge(
                amount=amount, source=source, idempotency_key=idempotency_key, reference=reference
            ),
            key=idempotency_key,
            reference=reference,
        )

    async def debit(
        self, *, amount: Decimal, source: str, idempotency_key: str, reference: str
    ) -> Debit:
        return await self._move(
            "debit",
            lambda: self.inner.debit(
                amount=amount, source=source, idempotency_key=idempotency_key, reference=reference
            ),
            key=idempotency_key,
            reference=reference,
        )

    async def refund(
        self, *, payment_id: str, amount: Decimal, idempotency_key: str, reference: str
    ) -> Refund:
        return await self._move(
            "refund",
            lambda: self.inner.refund(
                payment_id=payment_id,
                amount=amount,
                idempotency_key=idempotency_key,
                reference=reference,
            ),
            key=idempotency_key,
            reference=reference,
        )

    async def get_charge(self, charge_id: str) -> Charge:
        return await self._read("get_charge", lambda: self.inner.get_charge(charge_id))

    async def get_debit(self, debit_id: str) -> Debit:
        return await self._read("get_debit", lambda: self.inner.get_debit(debit_id))

    async def find_charge(self, reference: str) -> Charge | None:
        return await self._read("find_charge", lambda: self.inner.find_charge(reference))

    async def find_debit(self, reference: str) -> Debit | None:
        return await self._read("find_debit", lambda: self.inner.find_debit(reference))

    async def aclose(self) -> None:
        await self.inner.aclose()


class InstrumentedCisPayments(InstrumentedBackend):
    """Under the CIS's guard: the payment calls and the reads share one breaker."""

    system = "cis"

    def __init__(self, inner: CisPayments, metrics: GatewayMetrics, guard: BackendGuard) -> None:
        super().__init__(metrics, guard)
        self.inner = inner

    async def post_payment(self, posting: PaymentPosting) -> PostingResult:
        # Cut short, it raises `CisUnavailable`, which the CIS port already documents
        # as "cannot tell whether it was booked: retry with the same id".
        return await self._write("post_payment", lambda: self.inner.post_payment(posting))

    async def reverse_payment(self, reversal: Reversal) -> ReversalResult:
        return await self._write("reverse_payment", lambda: self.inner.reverse_payment(reversal))

    async def request_payment_extension(self, account_number: str) -> PaymentExtensionOffer:
        # Asks for an offer; taking it up is `accept_payment_extension`.
        return await self._read(
            "request_payment_extension",
            lambda: self.inner.request_payment_extension(account_number),
        )

    async def accept_payment_extension(self, offer: PaymentExtensionOffer) -> None:
        await self._write(
            "accept_payment_extension", lambda: self.inner.accept_payment_extension(offer)
        )

    async def prepay_balance(self, account_number: str) -> PrepayBalance | NotPrepay:
        return await self._read("prepay_balance", lambda: self.inner.prepay_balance(account_number))
