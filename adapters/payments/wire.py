"""The processor's JSON objects read into the port's dataclasses.

Amounts travel as integer cents (`"amount": 1230` is $12.30), times as Unix seconds,
as the common processors' APIs write them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from adapters.payments.port import (
    BankAccountType,
    Charge,
    ChargeStatus,
    Debit,
    DebitStatus,
    DeclineCode,
    MethodKind,
    PaymentMethod,
    Refund,
)
from adapters.rules.money import from_cents

Json = Mapping[str, Any]


def _time(value: object) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(int(str(value)), UTC)


def _created(value: object) -> datetime:
    return datetime.fromtimestamp(int(str(value)), UTC)


def _code(value: object) -> DeclineCode | None:
    return None if value is None else DeclineCode(str(value))


def _optional(value: object) -> str | None:
    return None if value is None else str(value)


def payment_method_from_json(data: Json) -> PaymentMethod:
    kind = MethodKind(data["type"])
    if kind is MethodKind.CARD:
        card = data["card"]
        return PaymentMethod(
            id=data["id"],
            kind=kind,
            customer_ref=data["customer"],
            last4=card["last4"],
            brand=card["brand"],
            exp_month=int(card["exp_month"]),
            exp_year=int(card["exp_year"]),
        )
    bank = data["bank_account"]
    return PaymentMethod(
        id=data["id"],
        kind=kind,
        customer_ref=data["customer"],
        last4=bank["last4"],
        bank_name=bank["bank_name"],
        account_type=BankAccountType(bank["account_type"]),
    )


def charge_from_json(data: Json) -> Charge:
    return Charge(
        id=data["id"],
        amount=from_cents(int(data["amount"])),
        status=ChargeStatus(data["status"]),
        payment_method_id=_optional(data.get("payment_method")),
        reference=data["reference"],
        created=_created(data["created"]),
        amount_refunded=from_cents(int(data.get("amount_refunded", 0))),
        decline_code=_code(data.get("decline_code")),
        failure_message=_optional(data.get("failure_message")),
    )


def debit_from_json(data: Json) -> Debit:
    return Debit(
        id=data["id"],
        amount=from_cents(int(data["amount"])),
        status=DebitStatus(data["status"]),
        payment_method_id=_optional(data.get("payment_method")),
        reference=data["reference"],
        created=_created(data["created"]),
        settled_at=_time(data.get("settled_at")),
        returned_at=_time(data.get("returned_at")),
        return_code=_optional(data.get("return_code")),
        failure_message=_optional(data.get("failure_message")),
        amount_refunded=from_cents(int(data.get("amount_refunded", 0))),
    )


def refund_from_json(data: Json) -> Refund:
    return Refund(
        id=data["id"],
        payment_id=data["payment"],
        amount=from_cents(int(data["amount"])),
        reference=data["reference"],
        created=_created(data["created"]),
    )
