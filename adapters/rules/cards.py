"""Payment card numbers: the Luhn check digit and the brand a number belongs to.

Only the payment processor (and its stand-in) ever sees a full card number: the
gateway handles tokens. These rules exist so that the stand-in and the fake refuse a
mistyped number the same way a processor's tokenization does.
"""

from __future__ import annotations

from typing import Final

from adapters.rules.numbers import is_ascii_digits

MIN_CARD_DIGITS: Final = 12
MAX_CARD_DIGITS: Final = 19


def card_digits(text: str) -> str | None:
    """The digits of a card number typed with or without spaces and hyphens, else None."""
    digits = "".join(ch for ch in text if ch not in " -")
    if not MIN_CARD_DIGITS <= len(digits) <= MAX_CARD_DIGITS or not is_ascii_digits(digits):
        return None
    return digits


def passes_luhn(digits: str) -> bool:
    """True when the last digit of `digits` is its Luhn check digit (ISO/IEC 7812)."""
    if not is_ascii_digits(digits):
        return False
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def card_brand(digits: str) -> str:
    """The network a card number belongs to, by its leading digits (IIN ranges)."""
    if digits.startswith("4"):
        return "visa"
    two, four = int(digits[:2]), int(digits[:4])
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return "mastercard"
    if two in (34, 37):
        return "amex"
    if digits.startswith(("6011", "65")) or 644 <= int(digits[:3]) <= 649:
        return "discover"
    return "unknown"
