"""In-memory `PaymentProcessor` for unit tests and the contract suite.

It behaves as the stand-in does for the published test numbers (`sandbox`), keeps
idempotency keys, settles and returns debits as its clock advances, and records the
webhooks it would send, signed, in `webhooks`. The browser's part, tokenization, is
the test-only `tokenize_card` / `tokenize_bank_account`.

Switches: `down` (every call raises `PaymentsUnavailable`) and `drop_next_answers`
(the next calls that move money are carried out, then raise `PaymentOutcomeUnknown`).
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar

from adapters.payments import sandbox
from adapters.payments.port import (
    Charge,
    ChargeStatus,
    Debit,
    DebitStatus,
    DeclineCode,
    MethodKind,
    PaymentConflict,
    PaymentDeclined,
    PaymentInvalid,
    PaymentMethod,
    PaymentNotFound,
    PaymentOutcomeUnknown,
    PaymentsError,
    PaymentsUnavailable,
    Refund,
    payment_amount,
)
from adapters.payments.tokenize import (
    BankAccountDetails,
    CardDetails,
    bank_name,
    check_bank_account,
    check_card,
)
from adapters.payments.webhook import SignedWebhook, signature_header
from adapters.rules.money import to_cents

DEFAULT_SETTLE_AFTER = timedelta(seconds=60)
DEFAULT_RETURN_AFTER = timedelta(seconds=60)


Details = CardDetails | BankAccountDetails
Outcome = Charge | Debit | Refund | PaymentsError
M = TypeVar("M", Charge, Debit, Refund)


class FakePaymentProcessor:
    def __init__(
        self,
        *,
        webhook_secret: str = "whsec_fake",  # noqa: S107 (a fake's, not a secret)
        start: datetime | None = None,
        settle_after: timedelta = DEFAULT_SETTLE_AFTER,
        return_after: timedelta = DEFAULT_RETURN_AFTER,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.now = start or datetime.now(UTC)
        self.settle_after = settle_after
        self.return_after = return_after
        self.down = False
        self.drop_next_answers = 0
        self.webhooks: list[SignedWebhook] = []
        self._webhook_secret = webhook_secret
        self._wall_clock = wall_clock
        self._ids = itertools.count(1)
        self._tokens: dict[str, Details] = {}
        self._methods: dict[str, tuple[PaymentMethod, Details]] = {}
        self._charges: dict[str, Charge] = {}
        self._debits: dict[str, Debit] = {}
        self._debit_accounts: dict[str, str] = {}
        self._validated: set[tuple[str, str]] = set()
        self._keys: dict[str, tuple[str, Outcome]] = {}

    # The browser's part: only tests call these.

    def tokenize_card(
        self,
        number: str,
        *,
        exp_month: int = 12,
        exp_year: int | None = None,
        cvc: str = "123",
        postal_code: str = "87544",
    ) -> str:
        card = check_card(
            number=number,
            exp_month=exp_month,
            exp_year=exp_year if exp_year is not None else self.now.year + 3,
            cvc=cvc,
            postal_code=postal_code,
            today=self.now.date(),
        )
        return self._token(card)

    def tokenize_bank_account(
        self,
        account_number: str,
        *,
        routing_number: str = sandbox.TEST_ROUTING_NUMBER,
        account_type: str = "checking",
        holder_name: str = "Dana Member",
    ) -> str:
        account = check_bank_account(
            routing_number=routing_number,
            account_number=account_number,
            account_type=account_type,
            holder_name=holder_name,
        )
        return self._token(account)

    async def advance(self, by: timedelta) -> None:
        """Move the clock on; debits due settle or are returned, and their webhooks go."""
        self.now += by
        for debit_id, debit in list(self._debits.items()):
            self._progress(debit_id, debit)

    # The port.

    async def create_payment_method(self, *, token: str, customer_ref: str) -> PaymentMethod:
        self._check_up()
        details = self._spend(token)
        method_id = self._new_id("pm")
        method = _method(method_id, customer_ref, details)
        self._methods[method_id] = (method, details)
        return method

    async def list_payment_methods(self, customer_ref: str) -> Sequence[PaymentMethod]:
        self._check_up()
        return [m for m, _ in self._methods.values() if m.customer_ref == customer_ref]

    async def get_payment_method(self, method_id: str) -> PaymentMethod:
        self._check_up()
        found = self._methods.get(method_id)
        if found is None:
            raise PaymentNotFound(f"no payment method {method_id}")
        return found[0]

    async def delete_payment_method(self, method_id: str) -> None:
        self._check_up()
        self._methods.pop(method_id, None)

    async def charge(
        self, *, amount: Decimal, source: str, idempotency_key: str, reference: str
    ) -> Charge:
        request = {"op": "charge", "amount": str(amount), "source": source, "ref": reference}
        return self._move(
            Charge,
            idempotency_key,
            reference,
            request,
            lambda: self._charge(amount, source, reference),
        )

    async def debit(
        self, *, amount: Decimal, source: str, idempotency_key: str, reference: str
    ) -> Debit:
        request = {"op": "debit", "amount": str(amount), "source": source, "ref": reference}
        return self._move(
            Debit,
            idempotency_key,
            reference,
            request,
            lambda: self._debit(amount, source, reference),
        )

    async def refund(
        self, *, payment_id: str, amount: Decimal, idempotency_key: str, reference: str
    ) -> Refund:
        request = {"op": "refund", "amount": str(amount), "payment": payment_id, "ref": reference}
        return self._move(
            Refund,
            idempotency_key,
            reference,
            request,
            lambda: self._refund(payment_id, amount, reference),
        )

    def _move(
        self,
        kind: type[M],
        idempotency_key: str,
        reference: str,
        request: dict[str, str],
        act: Callable[[], Outcome],
    ) -> M:
        """A call that moves money: once per key, and its answer lost if so set."""
        outcome = self._once(idempotency_key, request, act)
        self._maybe_drop(idempotency_key, reference)
        if isinstance(outcome, PaymentsError):
            raise outcome.with_traceback(None)  # a fresh traceback for each raise
        assert isinstance(outcome, kind)
        return outcome

    async def get_charge(self, charge_id: str) -> Charge:
        self._check_up()
        if charge_id not in self._charges:
            raise PaymentNotFound(f"no charge {charge_id}")
        return self._charges[charge_id]

    async def get_debit(self, debit_id: str) -> Debit:
        self._check_up()
        if debit_id not in self._debits:
            raise PaymentNotFound(f"no debit {debit_id}")
        return self._debits[debit_id]

    async def find_charge(self, reference: str) -> Charge | None:
        self._check_up()
        found = [c for c in self._charges.values() if c.reference == reference]
        return found[-1] if found else None

    async def find_debit(self, reference: str) -> Debit | None:
        self._check_up()
        found = [d for d in self._debits.values() if d.reference == reference]
        return found[-1] if found else None

    async def aclose(self) -> None:
        return None

    # What the processor does.

    def _charge(self, amount: Decimal, source: str, reference: str) -> Charge:
        amount = payment_amount(amount)
        method_id, details = self._source(source)
        if not isinstance(details, CardDetails):
            raise PaymentInvalid("source: a bank account is debited, not charged")
        self._use(source)
        code = sandbox.card_decline(details.number)
        charge = Charge(
            id=self._new_id("ch"),
            amount=amount,
            status=ChargeStatus.SUCCEEDED if code is None else ChargeStatus.FAILED,
            payment_method_id=method_id,
            reference=reference,
            created=self.now,
            decline_code=code,
            failure_message=None if code is None else sandbox.DECLINE_MESSAGES[code],
        )
        self._charges[charge.id] = charge
        if code is not None:
            raise PaymentDeclined(sandbox.DECLINE_MESSAGES[code], code=code, payment_id=charge.id)
        return charge

    def _debit(self, amount: Decimal, source: str, reference: str) -> Debit:
        amount = payment_amount(amount)
        method_id, details = self._source(source)
        if not isinstance(details, BankAccountDetails):
            raise PaymentInvalid("source: a card is charged, not debited")
        self._use(source)
        account = (details.routing_number, details.account_number)
        valid = account in self._validated or sandbox.account_validates(details.account_number)
        code = DeclineCode.ACCOUNT_INVALID
        debit = Debit(
            id=self._new_id("db"),
            amount=amount,
            status=DebitStatus.PENDING if valid else DebitStatus.FAILED,
            payment_method_id=method_id,
            reference=reference,
            created=self.now,
            failure_message=None if valid else sandbox.DECLINE_MESSAGES[code],
        )
        self._debits[debit.id] = debit
        self._debit_accounts[debit.id] = details.account_number
        if not valid:
            raise PaymentDeclined(sandbox.DECLINE_MESSAGES[code], code=code, payment_id=debit.id)
        self._validated.add(account)
        return debit

    def _refund(self, payment_id: str, amount: Decimal, reference: str) -> Refund:
        amount = payment_amount(amount)
        payment: Charge | Debit
        if payment_id in self._charges:
            payment = self._charges[payment_id]
            if payment.status is not ChargeStatus.SUCCEEDED:
                raise PaymentInvalid("payment: only a succeeded charge can be refunded")
        elif payment_id in self._debits:
            payment = self._debits[payment_id]
            if payment.status is not DebitStatus.SETTLED:
                raise PaymentInvalid("payment: only a settled debit can be refunded")
        else:
            raise PaymentNotFound(f"no payment {payment_id}")
        if payment.amount_refunded + amount > payment.amount:
            raise PaymentInvalid("amount: more than is left to refund")
        refunded = replace(payment, amount_refunded=payment.amount_refunded + amount)
        if isinstance(refunded, Charge):
            self._charges[payment_id] = refunded
            event = "charge.refunded"
        else:
            self._debits[payment_id] = refunded
            event = "debit.refunded"
        refund = Refund(
            id=self._new_id("re"),
            payment_id=payment_id,
            amount=amount,
            reference=reference,
            created=self.now,
        )
        payment_json = (
            _charge_json(refunded) if isinstance(refunded, Charge) else _debit_json(refunded)
        )
        self._send(event, {**payment_json, "refund": _refund_json(refund)})
        return refund

    def _progress(self, debit_id: str, debit: Debit) -> None:
        if debit.status is DebitStatus.PENDING and self.now >= debit.created + self.settle_after:
            debit = replace(debit, status=DebitStatus.SETTLED, settled_at=self.now)
            self._debits[debit_id] = debit
            self._send("debit.settled", _debit_json(debit))
        returned = sandbox.bank_return(self._debit_accounts[debit_id])
        if (
            returned is not None
            and debit.status is DebitStatus.SETTLED
            and debit.settled_at is not None
            and self.now >= debit.settled_at + self.return_after
        ):
            debit = replace(
                debit,
                status=DebitStatus.RETURNED,
                returned_at=self.now,
                return_code=returned.code,
                failure_message=returned.member_message,
            )
            self._debits[debit_id] = debit
            self._send("debit.returned", _debit_json(debit))

    # Bookkeeping.

    def _once(self, key: str, request: dict[str, str], act: Callable[[], Outcome]) -> Outcome:
        self._check_up()
        fingerprint = json.dumps(request, sort_keys=True)
        if key in self._keys:
            first, outcome = self._keys[key]
            if first != fingerprint:
                raise PaymentConflict("Idempotency-Key already used for a different request")
            return outcome
        try:
            outcome = act()
        except PaymentDeclined as declined:
            outcome = declined
        except PaymentInvalid:
            raise  # nothing happened: the key stays free, as the processor's does
        self._keys[key] = (fingerprint, outcome)
        return outcome

    def _maybe_drop(self, idempotency_key: str, reference: str) -> None:
        if self.drop_next_answers > 0:
            self.drop_next_answers -= 1
            raise PaymentOutcomeUnknown(
                "the connection dropped before the answer",
                idempotency_key=idempotency_key,
                reference=reference,
            )

    def _check_up(self) -> None:
        if self.down:
            raise PaymentsUnavailable("payment processor is down")

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}"

    def _token(self, details: Details) -> str:
        token = self._new_id("tok")
        self._tokens[token] = details
        return token

    def _spend(self, token: str) -> Details:
        details = self._tokens.pop(token, None)
        if details is None:
            raise PaymentInvalid("token: unknown or already used")
        return details

    def _source(self, source: str) -> tuple[str | None, Details]:
        """The method or token `source` names, not yet spent (see `_use`)."""
        if source.startswith("pm_"):
            found = self._methods.get(source)
            if found is None:
                raise PaymentInvalid("source: no such payment method")
            return source, found[1]
        if source not in self._tokens:
            raise PaymentInvalid("token: unknown or already used")
        return None, self._tokens[source]

    def _use(self, source: str) -> None:
        self._tokens.pop(source, None)

    def _send(self, event_type: str, data: dict[str, Any]) -> None:
        event = {
            "id": self._new_id("evt"),
            "type": event_type,
            "created": int(self.now.timestamp()),
            "data": data,
        }
        body = json.dumps(event).encode()
        timestamp = int(self._wall_clock())
        self.webhooks.append(
            SignedWebhook(signature_header(self._webhook_secret, timestamp, body), body)
        )


def _method(method_id: str, customer_ref: str, details: Details) -> PaymentMethod:
    if isinstance(details, CardDetails):
        return PaymentMethod(
            id=method_id,
            kind=MethodKind.CARD,
            customer_ref=customer_ref,
            last4=details.last4,
            brand=details.brand,
            exp_month=details.exp_month,
            exp_year=details.exp_year,
        )
    return PaymentMethod(
        id=method_id,
        kind=MethodKind.BANK_ACCOUNT,
        customer_ref=customer_ref,
        last4=details.last4,
        bank_name=bank_name(details.routing_number),
        account_type=details.account_type,
    )


def _time(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp())


def _charge_json(charge: Charge) -> dict[str, Any]:
    return {
        "id": charge.id,
        "object": "charge",
        "amount": to_cents(charge.amount),
        "amount_refunded": to_cents(charge.amount_refunded),
        "status": charge.status.value,
        "reference": charge.reference,
        "created": _time(charge.created),
    }


def _debit_json(debit: Debit) -> dict[str, Any]:
    return {
        "id": debit.id,
        "object": "debit",
        "amount": to_cents(debit.amount),
        "status": debit.status.value,
        "reference": debit.reference,
        "created": _time(debit.created),
        "settled_at": _time(debit.settled_at),
        "returned_at": _time(debit.returned_at),
        "return_code": debit.return_code,
        "amount_refunded": to_cents(debit.amount_refunded),
    }


def _refund_json(refund: Refund) -> dict[str, Any]:
    return {
        "id": refund.id,
        "object": "refund",
        "payment": refund.payment_id,
        "amount": to_cents(refund.amount),
        "reference": refund.reference,
        "created": _time(refund.created),
    }
