"""The phone rule: North American numbers, read by phonenumbers, kept as ten digits."""

from __future__ import annotations

import itertools
import re

import pytest

from adapters.rules.phone import NanpPhone, normalize_phone, parse_phone


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("505-555-0142", "5055550142"),
        ("5055550142", "5055550142"),
        ("(505) 555-0142", "5055550142"),
        ("505.555.0142", "5055550142"),
        ("  505 555 0142\n", "5055550142"),
        ("+1 (505) 555.0142", "5055550142"),
        ("+1-505-555-0142", "5055550142"),
        ("15055550142", "5055550142"),
        ("1 505 555 0142", "5055550142"),
        ("011 1 505 555 0142", "5055550142"),  # dialled from the US, with the exit code
        ("505/555/0142", "5055550142"),
        ("250-555-0199", "2505550199"),  # Canada shares the NANP
        ("555-555-0142", "5555550142"),  # unassigned area code, accepted as before
        ("911-555-0142", "9115550142"),
        # Unicode decimal digits are digits (phonenumbers reads them so): accepted,
        # and written in ASCII.
        ("５０５５５５１２３４", "5055551234"),
        ("５０５－５５５－１２３４", "5055551234"),
        ("(５０５) 555-0142", "5055550142"),
        ("٥٠٥٥٥٥٠١٤٢", "5055550142"),
    ],
)
def test_north_american_numbers_are_ten_digits(typed: str, digits: str) -> None:
    assert normalize_phone(typed) == digits


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("055-555-0142", "area code starting with 0"),
        ("155-555-0142", "area code starting with 1"),
        ("505-155-0142", "exchange starting with 1"),
        ("505-055-0142", "exchange starting with 0"),
        ("505-555-014", "nine digits"),
        ("555-0142", "no area code"),
        ("505-555-01420", "eleven digits not starting with 1"),
        ("25055501421", "eleven digits not starting with 1"),
        ("505-555-0142 ext 3", "an extension"),
        ("505-555-0142 x3", "an extension"),
        ("505-555-0142 #3", "an extension"),
        ("505-555-0142,,3", "an extension"),
        ("1-800-FLOWERS", "letters"),
        ("call 505-555-0142", "words"),
        ("+44 20 7946 0958", "another country"),
        ("+52 55 1234 5678", "another country"),
        ("+505 555 0142", "country code 505 (see the module)"),
        ("505²5550142", "a superscript is not a decimal digit"),
        ("²³", "superscripts"),
        ("①②③-④⑤⑥-⑦⑧⑨⓪", "circled digits"),
        ("", "empty"),
        ("   ", "blank"),
        ("+", "a plus alone"),
        ("5055550142 5055550143", "two numbers"),
    ],
)
def test_anything_else_is_refused(typed: str, why: str) -> None:
    assert normalize_phone(typed) is None, why


def test_the_number_in_its_forms() -> None:
    assert parse_phone("(505) 555-0142") == NanpPhone("+15055550142")
    phone = parse_phone("+1 505 555 0142")
    assert phone is not None
    assert (phone.e164, phone.national_digits) == ("+15055550142", "5055550142")
    assert (phone.area_code, phone.local_number) == ("505", "5550142")


def _rule_it_replaced(phone: str) -> str | None:
    """The rule the gateway had before this module, kept to hold the new one to it."""
    digits = re.sub(r"[\s().+-]", "", phone)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits if re.fullmatch(r"[2-9][0-9]{2}[2-9][0-9]{6}", digits) else None


_SHAPES = ["{a}{e}{n}", "{a}-{e}-{n}", "({a}) {e}-{n}", "{a}.{e}.{n}", "1{a}{e}{n}",
           "1 {a} {e} {n}", "+1 {a} {e} {n}", "+1 ({a}) {e}-{n}", " {a} {e}-{n} ",
           "1-{a}-{e}-{n}", "+1{a}{e}{n}"]  # fmt: skip
_PARTS = ["505", "212", "911", "555", "098", "189", "200", "999"]


def test_every_number_the_old_rule_took_is_taken_and_written_alike() -> None:
    typed = [
        shape.format(a=area, e=exchange, n="0142")
        for shape, area, exchange in itertools.product(_SHAPES, _PARTS, _PARTS)
    ]
    differing = [t for t in typed if normalize_phone(t) != _rule_it_replaced(t)]
    assert differing == []
