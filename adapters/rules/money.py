"""Money: US dollars as `Decimal` in whole cents.

An amount is rounded to cents once, where it enters: at the adapter boundary (a
MultiSpeak `xsd:float`), or where a stand-in prices usage. Past that, amounts are
already whole cents, so they are only checked and written, never rounded again: a
second rounding could hide an adapter that let a fraction of a cent through.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Final

CENT: Final = Decimal("0.01")


def round_to_cents(amount: Decimal) -> Decimal:
    """`amount` rounded half up to whole cents, as bills are: 2.675 -> 2.68.

    Raises `ValueError` for an amount that is not a finite number, or too large to
    write in cents.
    """
    if not amount.is_finite():
        raise ValueError(f"{amount} is not an amount of money")
    try:
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation:  # more digits than the decimal context holds
        raise ValueError(f"{amount} is too large an amount of money") from None


def whole_cents(amount: Decimal) -> Decimal:
    """`amount`, unchanged in value, written with exactly two decimal places: 5 -> 5.00.

    Raises `ValueError` when it has a fraction of a cent (1.005), is not a finite
    number, or is too large to write in cents: such an amount is never rounded here.
    """
    cents = round_to_cents(amount)
    if cents != amount:
        raise ValueError(f"{amount} is not a whole number of cents")
    return cents


def to_cents(amount: Decimal) -> int:
    """`amount` as an integer number of cents, as payment processors take it: 12.30 -> 1230.

    Raises `ValueError` for a fraction of a cent: a payment is never rounded.
    """
    return int(whole_cents(amount) * 100)


def from_cents(cents: int) -> Decimal:
    """An integer number of cents as an amount: 1230 -> Decimal("12.30")."""
    return (Decimal(cents) / 100).quantize(CENT)
