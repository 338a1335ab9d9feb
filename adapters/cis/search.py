"""What the fake CIS's free-text search (`GetMetersBySearchString`) matches.

MultiSpeak leaves the meaning of a search string to the vendor. The fake matches a
meter when its service location's street address (line 1 or 2) contains the string,
case-insensitively, or, for a string written like a phone number, when the home or
mobile number of the location's customer contains its digits. The demo co-op's CIS
stand-in applies this same rule, so that the contract suite can hold both to it.
"""

from __future__ import annotations

import re
from typing import Final

from adapters.rules.numbers import digits_of

# Enough digits to mean a phone number rather than a house number.
MIN_PHONE_DIGITS: Final = 7
_PHONE_LIKE: Final = re.compile(r"[0-9\s().+-]+")


def phone_digits(text: str) -> str | None:
    """The digits of `text` when it is written like a phone number, else None."""
    if not _PHONE_LIKE.fullmatch(text):
        return None
    digits = digits_of(text)
    return digits if len(digits) >= MIN_PHONE_DIGITS else None


def matches(
    text: str,
    *,
    address_lines: tuple[str | None, ...],
    phones: tuple[str | None, ...],
) -> bool:
    wanted = text.strip().casefold()
    if not wanted:
        return False
    if any(wanted in line.casefold() for line in address_lines if line):
        return True
    digits = phone_digits(wanted)
    return digits is not None and any(digits in phone for phone in phones if phone)
