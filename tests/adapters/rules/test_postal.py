"""The ZIP rule: a ZIP or ZIP+4, written "87031" or "87031-1234"."""

from __future__ import annotations

import pytest

from adapters.rules.postal import normalize_zip, zip5


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("87031", "87031"),
        ("87031-1234", "87031-1234"),
        ("870311234", "87031-1234"),
        ("  87031-1234 ", "87031-1234"),
        ("00901", "00901"),  # San Juan: leading zeros are part of the code
        # Unicode decimal digits are digits, as for phone numbers: written in ASCII.
        ("８７０３１", "87031"),
        ("８７０３１－１２３４", "87031-1234"),
        ("87031－1234", "87031-1234"),
        ("٨٧٠٣١", "87031"),
    ],
)
def test_zip_codes_are_written_as_usps_writes_them(typed: str, written: str) -> None:
    assert normalize_zip(typed) == written


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("8703", "four digits"),
        ("870311", "six digits"),
        ("87031-123", "ZIP+4 one digit short"),
        ("87031-12345", "ZIP+4 one digit over"),
        ("87031 1234", "a space inside"),
        ("87031--1234", "two hyphens"),
        ("87031-", "a hyphen alone"),
        ("8703l", "a letter"),
        ("NM 87031", "a state"),
        ("8703²", "a superscript is not a decimal digit"),
        ("²³⁴⁵⁶", "superscripts"),
        ("①②③④⑤", "circled digits"),
        ("", "empty"),
    ],
)
def test_anything_else_is_refused(typed: str, why: str) -> None:
    assert normalize_zip(typed) is None, why


@pytest.mark.parametrize(
    ("zip_code", "area"),
    [("87031", "87031"), ("87031-1234", "87031"), ("870311234", "87031"), ("8703", None)],
)
def test_the_five_digit_zip(zip_code: str, area: str | None) -> None:
    assert zip5(zip_code) == area
