"""Ids and numbers typed by a client: which characters are digits, and what they are worth.

`str.isdigit()` is True for superscripts, subscripts and circled digits ("²", "①"),
which `int()` refuses, so a check with one and a conversion with the other turns a
client's "³" into an internal error. Every id and number from outside goes through
here instead:

- An id or a count the gateway handed out (an invitation id, a cursor's position, a
  cycle day) is ASCII digits only: `parse_natural` gives its value or None.
- Digits a person typed among other characters (a phone number in a search box) are
  read as the phone and ZIP rules read them: every character Unicode calls a decimal
  digit is that digit ("５", "٣"), written as ASCII; superscripts and the like are not
  digits at all.
"""

from __future__ import annotations

import unicodedata
from typing import Final

ASCII_DIGITS: Final = frozenset("0123456789")
# Ids are 64-bit integers in the gateway's tables; 18 digits always fit.
MAX_ID_DIGITS: Final = 18


def is_ascii_digits(text: str) -> bool:
    """True when `text` is one or more of "0".."9" and nothing else."""
    return bool(text) and all(ch in ASCII_DIGITS for ch in text)


def parse_natural(text: str, *, max_digits: int = MAX_ID_DIGITS) -> int | None:
    """The value of `text` written in 1 to `max_digits` ASCII digits, else None.

    No sign, no spaces, no "_" (which `int()` allows), no other script's digits: an
    id is written exactly as the gateway wrote it.
    """
    if len(text) > max_digits or not is_ascii_digits(text):
        return None
    return int(text)


def decimal_digit(character: str) -> str | None:
    """The ASCII digit a Unicode decimal digit stands for ("５" -> "5"), else None."""
    value = unicodedata.decimal(character, None)
    return None if value is None else str(value)


def digits_of(text: str) -> str:
    """The decimal digits in `text`, in order, as ASCII; everything else dropped."""
    return "".join(d for d in map(decimal_digit, text) if d is not None)


def has_digit(text: str) -> bool:
    """True when `text` holds at least one decimal digit of any script."""
    return any(decimal_digit(ch) is not None for ch in text)
