"""Card numbers: the Luhn check digit and the brand."""

from __future__ import annotations

import pytest

from adapters.rules.cards import card_brand, card_digits, passes_luhn


@pytest.mark.parametrize(
    "number",
    ["4242424242424242", "4000000000000002", "5555555555554444", "378282246310005", "79927398713"],
)
def test_published_numbers_pass_luhn(number: str) -> None:
    assert passes_luhn(number)


@pytest.mark.parametrize("number", ["4242424242424241", "79927398710", "", "42424242424242a2"])
def test_a_wrong_check_digit_fails(number: str) -> None:
    assert not passes_luhn(number)


@pytest.mark.parametrize(
    ("typed", "digits"),
    [
        ("4242 4242 4242 4242", "4242424242424242"),
        ("4242-4242-4242-4242", "4242424242424242"),
        ("4242", None),
        ("4242 4242 4242 424x", None),
        ("４２４２４２４２４２４２４２４２", None),  # full-width digits: not what a card form sends
        ("4" * 20, None),
    ],
)
def test_card_digits(typed: str, digits: str | None) -> None:
    assert card_digits(typed) == digits


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4242424242424242", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        ("378282246310005", "amex"),
        ("6011111111111117", "discover"),
        ("3056930009020004", "unknown"),
    ],
)
def test_brand(number: str, brand: str) -> None:
    assert card_brand(number) == brand
