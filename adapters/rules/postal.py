"""ZIP codes: the five-digit ZIP, or ZIP+4, written the way USPS and the CIS write them.

`normalize_zip` accepts "87031", "87031-1234" and "870311234" (ZIP+4 without its
hyphen, as some forms and scanners write it), with spaces around, and gives "87031" or
"87031-1234". Anything else is not a ZIP code: a space inside, a ZIP+4 with one digit
too many or too few, letters.

Unicode digits, as the phone rule reads them (and `phonenumbers` does): every
character Unicode calls a decimal digit is that digit, so full-width "８７０３１" is
accepted and written "87031"; a full-width hyphen ("－") separates a ZIP+4 as "-" does.
Superscripts, subscripts and circled digits ("²", "①") are refused.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

ZIP5_LENGTH: Final = 5
_ZIP: Final = re.compile(r"([0-9]{5})(?:-?([0-9]{4}))?")


def normalize_zip(text: str) -> str | None:
    """ "87031" or "87031-1234", or None when `text` is not a ZIP or ZIP+4 code."""
    match = _ZIP.fullmatch(_ascii(text.strip()))
    if match is None:
        return None
    zip5, plus4 = match.groups()
    return zip5 if plus4 is None else f"{zip5}-{plus4}"


def zip5(zip_code: str) -> str | None:
    """The five-digit ZIP of a ZIP or ZIP+4 code (the delivery area), else None."""
    normalized = normalize_zip(zip_code)
    return None if normalized is None else normalized[:ZIP5_LENGTH]


def _ascii(text: str) -> str:
    """Decimal digits of any script as ASCII digits, hyphen forms as "-"; the rest kept."""
    return "".join(_ascii_character(character) for character in text)


def _ascii_character(character: str) -> str:
    digit = unicodedata.decimal(character, None)
    if digit is not None:
        return str(digit)
    # NFKC maps the full-width and small hyphen-minus to "-"; it is not used for digits,
    # because it would also turn "²" into "2".
    if unicodedata.normalize("NFKC", character) == "-":
        return "-"
    return character
