"""Custom scalars: `Money` is a decimal string with cents, never a Float.

`Date` and `DateTime` are Strawberry's ISO 8601 scalars; resolvers hand them aware
datetimes already in the co-op's time zone (see `local`), so the offset is the co-op's.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NewType
from zoneinfo import ZoneInfo

import strawberry
from strawberry.types.scalar import ScalarDefinition

Money = NewType("Money", Decimal)

CENT = Decimal("0.01")


def money(value: Decimal) -> Money:
    return Money(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _serialize_money(value: Decimal) -> str:
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def _parse_money(value: object) -> Money:
    if not isinstance(value, str):
        raise ValueError('Money is written as a string, like "123.45".')
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError('Money is written as a string, like "123.45".') from None
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValueError("Money has at most two decimal places.")
    return Money(amount)


SCALARS: dict[object, ScalarDefinition] = {
    Money: strawberry.scalar(
        name="Money",
        description='An amount in US dollars, as a decimal string with cents: "123.45".',
        serialize=_serialize_money,
        parse_value=_parse_money,
    ),
}


def local(instant: datetime, zone: ZoneInfo) -> datetime:
    """`instant` shown in the co-op's time zone (the offset tells the client which)."""
    return instant.astimezone(zone)


def local_or_none(instant: datetime | None, zone: ZoneInfo) -> datetime | None:
    return None if instant is None else instant.astimezone(zone)
