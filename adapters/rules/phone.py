"""Phone numbers: North American (NANP) numbers, read by `phonenumbers`.

The co-op is in the US, so a number without a country code is read as a US one; with
one, it must be +1 (the US, Canada and the Caribbean share the NANP). Its E.164 form
("+15055550142") is the normalised number; the CIS keeps, and MultiSpeak carries, its
ten national digits ("5055550142", split into area code and number where a MultiSpeak
object asks for that), so that is what `normalize_phone` gives callers that talk to them.

What is accepted: ten digits, or the country code 1 and ten digits ("+1", "1", or
"011 1" as dialled from the US), written with spaces, dots, dashes, slashes or
parentheses between them. What is refused: letters (no vanity numbers, no "ext 3":
the CIS keeps no extension), an extension written otherwise ("#3", ",,3"), another
country's code, and an area code or exchange starting with 0 or 1, which the NANP
never assigns. One difference from the rule this replaces, which dropped every "+":
"+505 555 0142" is what E.164 says it is, country code 505, and so refused; written
without the "+", or as "+1 505 555 0142", it is accepted.

Unicode digits: every character Unicode calls a decimal digit is read as that digit,
because `phonenumbers` does: full-width "５０５５５５０１４２" (what a Japanese or Chinese
keyboard types) and Arabic-Indic digits are accepted, and normalised to ASCII.
Superscripts, subscripts and circled digits ("²", "①") are not decimal digits, and are
refused, as `phonenumbers` refuses them.

Not required: `phonenumbers.is_valid_number`. It knows which area codes are assigned
today, so it would refuse numbers that were accepted before (555, 911 as area codes),
and refuse a new area code until the library is updated; the CIS already holds
numbers, and those must keep working.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import phonenumbers

DEFAULT_REGION: Final = "US"
NANP_COUNTRY_CODE: Final = 1
AREA_CODE_LENGTH: Final = 3
# Area code and exchange both start with 2-9: NXX NXX XXXX.
_NANP_NATIONAL: Final = re.compile(r"[2-9][0-9]{2}[2-9][0-9]{6}")


@dataclass(frozen=True, slots=True)
class NanpPhone:
    """A North American number, as `parse_phone` checked it."""

    e164: str  # "+15055550142"

    @property
    def national_digits(self) -> str:
        """The ten digits the CIS keeps and MultiSpeak carries: "5055550142"."""
        return self.e164.removeprefix(f"+{NANP_COUNTRY_CODE}")

    @property
    def area_code(self) -> str:
        """The first three national digits: "505"."""
        return self.national_digits[:AREA_CODE_LENGTH]

    @property
    def local_number(self) -> str:
        """The seven digits after the area code: "5550142"."""
        return self.national_digits[AREA_CODE_LENGTH:]


def parse_phone(text: str) -> NanpPhone | None:
    """The number `text` writes, or None when it is not a North American number."""
    # phonenumbers would read letters as a vanity number ("1-800-FLOWERS") or an
    # extension, and skips text before a number ("call 505..."): neither is wanted.
    if any(character.isalpha() for character in text):
        return None
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return None
    if (
        number.country_code != NANP_COUNTRY_CODE
        or number.extension
        or not phonenumbers.is_possible_number(number)
    ):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    phone = NanpPhone(e164)
    return phone if _NANP_NATIONAL.fullmatch(phone.national_digits) else None


def normalize_phone(text: str) -> str | None:
    """The ten national digits of a North American number ("5055550142"), else None."""
    phone = parse_phone(text)
    return None if phone is None else phone.national_digits
