"""ABA routing transit numbers: nine digits whose weighted sum (3, 7, 1, ...) ends in 0.

A bank debit (ACH) goes to the bank this number names; a mistyped one is refused
before anything is sent, as the processor's tokenization refuses it.
"""

from __future__ import annotations

from typing import Final

from adapters.rules.numbers import is_ascii_digits

ROUTING_DIGITS: Final = 9
_WEIGHTS: Final = (3, 7, 1) * 3


def is_routing_number(text: str) -> bool:
    """True when `text` is nine ASCII digits passing the ABA checksum."""
    if len(text) != ROUTING_DIGITS or not is_ascii_digits(text):
        return False
    return sum(int(d) * w for d, w in zip(text, _WEIGHTS, strict=True)) % 10 == 0
