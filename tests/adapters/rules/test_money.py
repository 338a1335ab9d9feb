"""Money: rounded to cents once, where it enters; only checked after that."""

from __future__ import annotations

from decimal import Decimal

import pytest

from adapters.rules.money import CENT, from_cents, round_to_cents, to_cents, whole_cents


@pytest.mark.parametrize(
    ("amount", "cents"),
    [
        ("123.45", "123.45"),
        ("5", "5.00"),
        ("2.675", "2.68"),  # half up, as bills round
        ("2.665", "2.67"),  # half up, not to even
        ("-2.675", "-2.68"),  # half away from zero for credits too
        ("0.004", "0.00"),
        ("19.999", "20.00"),
        ("1234.5", "1234.50"),
        ("0.1187", "0.12"),
    ],
)
def test_rounding_to_cents(amount: str, cents: str) -> None:
    rounded = round_to_cents(Decimal(amount))
    assert str(rounded) == cents
    assert rounded.as_tuple().exponent == CENT.as_tuple().exponent


@pytest.mark.parametrize("amount", ["NaN", "Infinity", "-Infinity", "1E+30"])
def test_what_is_no_amount_of_money_is_refused(amount: str) -> None:
    with pytest.raises(ValueError, match="amount of money"):
        round_to_cents(Decimal(amount))


@pytest.mark.parametrize(
    ("amount", "written"),
    [("123.45", "123.45"), ("5", "5.00"), ("12.3", "12.30"), ("-0.05", "-0.05"), ("7.000", "7.00")],
)
def test_whole_cents_are_written_with_two_places_and_never_rounded(
    amount: str, written: str
) -> None:
    assert str(whole_cents(Decimal(amount))) == written


@pytest.mark.parametrize("amount", ["1.005", "0.001", "-2.675", "NaN", "Infinity", "1E+30"])
def test_a_fraction_of_a_cent_is_an_error_not_a_rounding(amount: str) -> None:
    with pytest.raises(ValueError, match=r"whole number of cents|amount of money"):
        whole_cents(Decimal(amount))


@pytest.mark.parametrize(("amount", "cents"), [("12.30", 1230), ("5", 500), ("0.01", 1)])
def test_amounts_travel_to_processors_as_cents_and_back(amount: str, cents: int) -> None:
    assert to_cents(Decimal(amount)) == cents
    assert from_cents(cents) == Decimal(amount)
    assert str(from_cents(cents)) == str(whole_cents(Decimal(amount)))


def test_a_fraction_of_a_cent_never_becomes_cents() -> None:
    with pytest.raises(ValueError, match="whole number of cents"):
        to_cents(Decimal("1.005"))
