from __future__ import annotations

import pytest

from adapters.rules.numbers import (
    MAX_ID_DIGITS,
    digits_of,
    has_digit,
    is_ascii_digits,
    parse_natural,
)


@pytest.mark.parametrize("text", ["0", "7", "42", "9" * MAX_ID_DIGITS])
def test_ascii_digits_are_an_id(text: str) -> None:
    assert parse_natural(text) == int(text)
    assert is_ascii_digits(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "³",  # str.isdigit() says yes, int() says no: the internal error this replaces
        "1²",
        "①",
        "٣",  # Arabic-Indic three: int() takes it, an id is never written so
        "４２",  # full-width
        " 42",
        "42 ",
        "+42",
        "-1",
        "4_2",  # int() takes "_" between digits
        "1" * (MAX_ID_DIGITS + 1),
    ],
)
def test_anything_else_is_not_an_id(text: str) -> None:
    assert parse_natural(text) is None


def test_the_digit_count_can_be_bounded() -> None:
    assert parse_natural("31", max_digits=2) == 31
    assert parse_natural("031", max_digits=2) is None


def test_typed_digits_are_read_in_any_script_and_superscripts_are_not_digits() -> None:
    assert digits_of("(５０５) ٥٥٥-0142") == "5055550142"
    assert digits_of("x²³①") == ""
    assert has_digit("Apt ٣")
    assert not has_digit("Baca²")
