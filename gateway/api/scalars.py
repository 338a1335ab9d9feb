"""Custom scalars: `Money` is a decimal string with cents, never a Float.

Amounts arrive from the adapters already in whole cents (rounded once, where MultiSpeak's
`xsd:float` became `Decimal`), so `Money` only checks and writes them: it never rounds.

`Date` and `DateTime` are Strawberry's ISO 8601 scalars; resolvers hand them aware
datetimes already in the co-op's time zone (see `local`), so the offset is the co-op's.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import NewType
from zoneinfo import ZoneInfo

import strawberry
from strawberry.types.scalar import ScalarDefinition

from adapters.rules.money import whole_cents

Money = NewType("Money", Decimal)


def money(value: Decimal) -> Money:
    """An adapter's amount for a `Money` field; `ValueError` for a fraction of a cent."""
    return Money(whole_cents(value))


def _serialize_money(value: Decimal) -> str:
    return str(whole_cents(value))


def _parse_money(value: object) -> Money:
    if not isinstance(value, str):
        raise ValueError('Money is written as a string, like "123.45".')
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise ValueError('Money is written as a string, like "123.45".') from None
    try:
        return Money(whole_cents(amount))
    except ValueError:
        raise ValueError("Money has at most two decimal places.") from None


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
