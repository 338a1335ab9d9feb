"""Card and bank account numbers: only ever masked, and how to spot one that is not.

The gateway never holds a card number, CVC or full bank account number (PCI SAQ-A:
the processor keeps them and hands out tokens). What may travel to the CIS is a
masked number, "************4242": mask characters, then at most the last four
digits. `masked_number` is the guard at every edge a number could leak through;
`card_number_runs` finds what looks like a real card number in any text (a SOAP
envelope, a log line), for the tests and scans that prove none got through.
"""

from __future__ import annotations

import re
from typing import Final

from adapters.rules.cards import passes_luhn

VISIBLE_DIGITS: Final = 4
MASK_CHARACTERS: Final = "*Xx•"
_MASKED: Final = re.compile(rf"[{MASK_CHARACTERS}]{{4,28}}[0-9]{{1,{VISIBLE_DIGITS}}}")
_SEPARATORS: Final = re.compile(r"[ -]")
# Card numbers (ISO/IEC 7812) are 13 to 19 digits; separators inside are common.
_DIGIT_RUN: Final = re.compile(r"[0-9](?:[ -]?[0-9]){12,}")
CARD_NUMBER_DIGITS: Final = range(13, 20)


def masked_number(text: str) -> str:
    """`text` as a masked number ("************4242"), spaces and dashes dropped.

    Raises `ValueError` for anything else: more than the last four digits visible, a
    digit before the mask, no mask at all. The message never repeats the number.
    """
    compact = _SEPARATORS.sub("", text.strip())
    if not _MASKED.fullmatch(compact):
        raise ValueError(
            "a payment method is sent masked: at least four mask characters, "
            f"then at most the last {VISIBLE_DIGITS} digits"
        )
    return compact


def card_number_runs(text: str) -> list[str]:
    """Every run of 13 to 19 digits in `text` (single spaces or dashes allowed between
    them) that passes the Luhn check: what a leaked card number looks like.

    A run is taken whole, from the first digit to the last: looking for a passing
    window inside longer runs would find one in most long numbers by chance.
    """
    found = []
    for match in _DIGIT_RUN.finditer(text):
        digits = _SEPARATORS.sub("", match.group())
        if len(digits) in CARD_NUMBER_DIGITS and passes_luhn(digits):
            found.append(digits)
    return found
