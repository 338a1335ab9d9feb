"""How many segments (billed SMS) a body takes: the carriers' rule, one home for it.

A body written entirely in the GSM 03.38 alphabet is sent as GSM-7: 160 characters in
one segment, 153 per segment when it is split (the rest is the concatenation header);
the extension characters (`{}[]~^|\\€` and form feed) take two places each. Any other
character (an emoji, a curly quote) sends the whole body as UCS-2: 70 per segment, 67
when split, counted in UTF-16 code units, so an emoji outside the BMP takes two.
"""

from __future__ import annotations

from typing import Final

MAX_SEGMENTS: Final = 10  # providers refuse longer bodies (about 1,600 GSM characters)

_GSM_BASIC: Final = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION: Final = frozenset("\f^{}\\[~]|€")


def is_gsm7(body: str) -> bool:
    return all(c in _GSM_BASIC or c in _GSM_EXTENSION for c in body)


def segment_count(body: str) -> int:
    """Segments `body` takes; an empty body still takes one."""
    if is_gsm7(body):
        units = sum(2 if c in _GSM_EXTENSION else 1 for c in body)
        single, split = 160, 153
    else:
        units = len(body.encode("utf-16-le")) // 2
        single, split = 70, 67
    if units <= single:
        return 1
    return -(-units // split)
