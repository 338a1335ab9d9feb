"""What the processor remembers, in memory, and what it does with each request.

Objects are kept as the JSON the API answers with (amounts in integer cents, times in
Unix seconds). Card numbers and full account numbers stay in here and never leave in
an answer. Each operation is synchronous, so one request's check and record cannot
interleave with another's on the event loop: two requests with one idempotency key
cannot both move money.
"""

from __future__ import annotations

import itertools
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from adapters.payments import sandbox
from adapters.payments.port import DeclineCode, PaymentInvalid
from adapters.payments.tokenize import (
    BankAccountDetails,
    CardDetails,
    bank_name,
    check_bank_account,
    check_card,
)

Json = dict[str, Any]
Details = CardDetails | BankAccountDetails


class ApiError(Exception):
    """An error answer: HTTP `status` and the processor's `{"error": {...}}` body."""

    def __init__(self, status: int, kind: str, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body: Json = {"error": {"type": kind, "message": message, **extra}}


def invalid(message: str) -> ApiError:
    return ApiError(400, "invalid_request_error", message)


@dataclass(slots=True)
class _Remembered:
    fingerprint: str
    status: int
    body: Json


@dataclass(slots=True)
class PaymentStore:
    now: Callable[[], datetime]
    settle_after: timedelta
    return_after: timedelta
    tokens: dict[str, Details] = field(default_factory=dict)
    methods: dict[str, tuple[Json, Details]] = field(default_factory=dict)
    charges: dict[str, Json] = field(default_factory=dict)
    debits: dict[str, Json] = field(default_factory=dict)
    refunds: dict[str, Json] = field(default_factory=dict)
    events: list[Json] = field(default_factory=list)
    _debit_accounts: dict[str, str] = field(default_factory=dict)
    _validated: set[tuple[str, str]] = field(default_factory=set)
    _keys: dict[str, _Remembered] = field(default_factory=dict)
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    # Tokens and payment methods.

    def tokenize(self, body: Json) -> Json:
        try:
            if isinstance(body.get("card"), dict):
                card = body["card"]
                details: Details = check_card(
                    number=str(card.get("number", "")),
                    exp_month=_int(card.get("exp_month")),
                    exp_year=_int(card.get("exp_year")),
                    cvc=str(card.get("cvc", "")),
                    postal_code=str(card.get("postal_code", "")),
                    today=self.now().date(),
                )
            elif isinstance(body.get("bank_account"), dict):
                bank = body["bank_account"]
                details = check_bank_account(
                    routing_number=str(bank.get("routing_number", "")),
                    account_number=str(bank.get("account_number", "")),
                    account_type=str(bank.get("account_type", "")),
                    holder_name=str(bank.get("holder_name", "")),
                )
            else:
                raise PaymentInvalid("give a card or a bank_account")
        except PaymentInvalid as error:
            raise ApiError(
                400, "invalid_request_error", str(error), code="invalid_number"
            ) from None
        token = self._id("tok")
        self.tokens[token] = details
        return {"id": token, "object": "token", **_describe(details)}

    def create_method(self, body: Json) -> Json:
        customer = body.get("customer")
        if not isinstance(customer, str) or not customer:
            raise invalid("customer: required")
        details = self._spend(body.get("token"))
        method_id = self._id("pm")
        method = {"id": method_id, "object": "payment_method", "customer": customer}
        method |= _describe(details)
        self.methods[method_id] = (method, details)
        return method

    def methods_of(self, customer: str) -> list[Json]:
        return [method for method, _ in self.methods.values() if method["customer"] == customer]

    def method(self, method_id: str) -> Json:
        if method_id not in self.methods:
            raise ApiError(404, "invalid_request_error", f"no payment method {method_id}")
        return self.methods[method_id][0]

    def delete_method(self, method_id: str) -> Json:
        self.method(method_id)
        del self.methods[method_id]
        return {"id": method_id, "object": "payment_method", "deleted": True}

    # Money, each under an idempotency key: (HTTP status, body).

    def once(
        self, key: str, fingerprint: str, act: Callable[[], tuple[int, Json]]
    ) -> tuple[int, Json]:
        """The first answer given under `key`, or `act()`'s, remembered unless it is a 4xx
        that moved nothing (so a corrected request may use the key)."""
        if not key or len(key) > 255:
            raise invalid("Idempotency-Key header: required, at most 255 characters")
        remembered = self._keys.get(key)
        if remembered is not None:
            if remembered.fingerprint != fingerprint:
                raise ApiError(
                    409,
                    "idempotency_error",
                    "Idempotency-Key already used for a different request; "
                    "use a new key for a new payment",
                )
            return remembered.status, remembered.body
        status, body = act()
        if status < 400 or status == 402:
            self._keys[key] = _Remembered(fingerprint, status, body)
        return status, body

    def charge(self, body: Json) -> tuple[int, Json]:
        amount, reference = _amount(body), _reference(body)
        method_id, details = self._source(body.get("source"))
        if not isinstance(details, CardDetails):
            raise invalid("source: a bank account is debited (POST /v1/debits), not charged")
        self._use(body["source"])
        code = sandbox.card_decline(details.number)
        charge = {
            "id": self._id("ch"),
            "object": "charge",
            "amount": amount,
            "currency": "usd",
            "status": "succeeded" if code is None else "failed",
            "payment_method": method_id,
            "reference": reference,
            "metadata": _metadata(body),
            "created": self._time(),
            "amount_refunded": 0,
            "card": _describe(details)["card"],
            "decline_code": None if code is None else code.value,
            "failure_message": None if code is None else sandbox.DECLINE_MESSAGES[code],
        }
        self.charges[charge["id"]] = charge
        if code is None:
            return 200, charge
        return 402, _declined(code, charge)

    def debit(self, body: Json) -> tuple[int, Json]:
        amount, reference = _amount(body), _reference(body)
        method_id, details = self._source(body.get("source"))
        if not isinstance(details, BankAccountDetails):
            raise invalid("source: a card is charged (POST /v1/charges), not debited")
        self._use(body["source"])
        account = (details.routing_number, details.account_number)
        # NACHA WEB debits: the account is validated on its first use, before any debit.
        valid = account in self._validated or sandbox.account_validates(details.account_number)
        code = DeclineCode.ACCOUNT_INVALID
        debit = {
            "id": self._id("db"),
            "object": "debit",
            "amount": amount,
            "currency": "usd",
            "status": "pending" if valid else "failed",
            "payment_method": method_id,
            "reference": reference,
            "metadata": _metadata(body),
            "created": self._time(),
            "settled_at": None,
            "returned_at": None,
            "return_code": None,
            "failure_message": None if valid else sandbox.DECLINE_MESSAGES[code],
            "amount_refunded": 0,
            "bank_account": _describe(details)["bank_account"],
        }
        self.debits[debit["id"]] = debit
        self._debit_accounts[debit["id"]] = details.account_number
        if not valid:
            return 402, _declined(code, debit)
        self._validated.add(account)
        return 200, debit

    def refund(self, body: Json) -> tuple[int, Json]:
        amount, reference = _amount(body), _reference(body)
        payment_id = body.get("payment")
        if isinstance(payment_id, str) and payment_id in self.charges:
            payment, refundable, event = self.charges[payment_id], "succeeded", "charge.refunded"
        elif isinstance(payment_id, str) and payment_id in self.debits:
            payment, refundable, event = self.debits[payment_id], "settled", "debit.refunded"
        else:
            raise ApiError(404, "invalid_request_error", "payment: no such charge or debit")
        if payment["status"] != refundable:
            raise invalid(f"payment: only a {refundable} {payment['object']} can be refunded")
        if payment["amount_refunded"] + amount > payment["amount"]:
            raise invalid("amount: more than is left to refund")
        payment["amount_refunded"] += amount
        refund_id = self._id("re")
        refund = {
            "id": refund_id,
            "object": "refund",
            "payment": payment_id,
            "amount": amount,
            "reference": reference,
            "created": self._time(),
        }
        self.refunds[refund_id] = refund
        self._event(event, {**payment, "refund": refund})
        return 200, refund

    def lookup(self, kind: str, object_id: str) -> Json:
        found = (self.charges if kind == "charges" else self.debits).get(object_id)
        if found is None:
            raise ApiError(404, "invalid_request_error", f"no {kind[:-1]} {object_id}")
        return found

    def by_reference(self, kind: str, reference: str) -> list[Json]:
        """Newest first: what a caller who lost an answer looks up."""
        found = (self.charges if kind == "charges" else self.debits).values()
        return [item for item in reversed(list(found)) if item["reference"] == reference]

    # Time passing.

    def progress(self) -> list[Json]:
        """Settle and return the debits that are due; the events this caused."""
        before = len(self.events)
        now = self.now()
        for debit_id, debit in self.debits.items():
            created = datetime.fromtimestamp(debit["created"], now.tzinfo)
            if debit["status"] == "pending" and now >= created + self.settle_after:
                debit["status"], debit["settled_at"] = "settled", self._time()
                self._event("debit.settled", debit)
            returned = sandbox.bank_return(self._debit_accounts[debit_id])
            if returned is None or debit["status"] != "settled":
                continue
            settled = datetime.fromtimestamp(debit["settled_at"], now.tzinfo)
            if now >= settled + self.return_after:
                debit["status"], debit["returned_at"] = "returned", self._time()
                debit["return_code"] = returned.code
                debit["failure_message"] = returned.member_message
                self._event("debit.returned", debit)
        return self.events[before:]

    # Bookkeeping.

    def _event(self, kind: str, data: Json) -> None:
        self.events.append(
            {
                "id": self._id("evt"),
                "object": "event",
                "type": kind,
                "created": self._time(),
                "data": dict(data),
            }
        )

    def _spend(self, token: object) -> Details:
        details = self.tokens.pop(token, None) if isinstance(token, str) else None
        if details is None:
            raise invalid("token: unknown or already used (tokens are single-use)")
        return details

    def _source(self, source: object) -> tuple[str | None, Details]:
        """The method or token `source` names, not yet spent: `_use` spends a token once
        the request is known to be right, so a mistaken one does not waste it."""
        if isinstance(source, str) and source.startswith("pm_"):
            if source not in self.methods:
                raise invalid("source: no such payment method")
            return source, self.methods[source][1]
        details = self.tokens.get(source) if isinstance(source, str) else None
        if details is None:
            raise invalid("token: unknown or already used (tokens are single-use)")
        return None, details

    def _use(self, source: object) -> None:
        if isinstance(source, str):
            self.tokens.pop(source, None)

    def _id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._serial):06d}{secrets.token_hex(4)}"

    def _time(self) -> int:
        return int(self.now().timestamp())


def fingerprint(path: str, body: Json) -> str:
    return path + " " + json.dumps(body, sort_keys=True, separators=(",", ":"))


def _describe(details: Details) -> Json:
    if isinstance(details, CardDetails):
        card = {
            "brand": details.brand,
            "last4": details.last4,
            "exp_month": details.exp_month,
            "exp_year": details.exp_year,
        }
        return {"type": "card", "card": card}
    bank = {
        "bank_name": bank_name(details.routing_number),
        "routing_last4": details.routing_number[-4:],
        "last4": details.last4,
        "account_type": details.account_type.value,
    }
    return {"type": "bank_account", "bank_account": bank}


def _declined(code: DeclineCode, payment: Json) -> Json:
    return {
        "error": {
            "type": "payment_error",
            "code": code.value,
            "message": sandbox.DECLINE_MESSAGES[code],
            "payment_id": payment["id"],
            payment["object"]: payment,
        }
    }


def _int(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise PaymentInvalid("exp_month, exp_year: must be numbers")
    try:
        return int(value)
    except ValueError:
        raise PaymentInvalid("exp_month, exp_year: must be numbers") from None


def _amount(body: Json) -> int:
    amount = body.get("amount")
    # Integer cents: 1230 is $12.30. A float or a string would leave rounding to chance.
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise invalid("amount: a positive whole number of cents")
    if body.get("currency", "usd") != "usd":
        raise invalid("currency: only usd")
    return amount


def _reference(body: Json) -> str:
    reference = body.get("reference")
    if not isinstance(reference, str) or not reference or len(reference) > 255:
        raise invalid("reference: required, at most 255 characters")
    return reference


def _metadata(body: Json) -> Json:
    metadata = body.get("metadata", {})
    if not isinstance(metadata, dict):
        raise invalid("metadata: must be an object")
    return {str(key): str(value) for key, value in metadata.items()}
