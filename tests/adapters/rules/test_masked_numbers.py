from __future__ import annotations

import pytest

from adapters.rules.masked_numbers import card_number_runs, masked_number


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("************4242", "************4242"),
        ("**** **** **** 4242", "************4242"),
        ("XXXXXX6789", "XXXXXX6789"),
        ("****-42", "****42"),
    ],
)
def test_a_masked_number_is_kept_without_separators(text: str, kept: str) -> None:
    assert masked_number(text) == kept


@pytest.mark.parametrize(
    "text",
    [
        "4242424242424242",  # a whole card number
        "424242******4242",  # the first six digits too
        "***********54242",  # five digits showing
        "4242",  # no mask at all
        "***4242",  # too short a mask to be a masked number
        "************",  # nothing to recognise it by
        "************４２４２",  # other scripts' digits are not digits here
        "",
    ],
)
def test_anything_with_more_than_the_last_four_digits_or_no_mask_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="masked") as refused:
        masked_number(text)

    assert text not in str(refused.value) or not text


def test_card_numbers_are_found_in_text_with_or_without_separators() -> None:
    text = "<a>4111 1111 1111 1111</a><b>5555-5555-5555-4444</b><c>378282246310005</c>"

    assert card_number_runs(text) == ["4111111111111111", "5555555555554444", "378282246310005"]


def test_short_runs_and_numbers_failing_luhn_are_not_card_numbers() -> None:
    text = "<amount>61.20</amount><id>4242424242424241</id><date>2026-11-15</date>"

    assert card_number_runs(text) == []


def test_a_run_is_judged_whole() -> None:
    # 20 digits are no card number, though the last 16 of them are one.
    assert card_number_runs("x99994242424242424242y") == []
    assert card_number_runs("x 4242424242424242 y") == ["4242424242424242"]
