"""The payment port refuses, when a request is made, what must never reach the CIS."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from adapters.cis.payments import PaidItem, PaymentMode, PaymentPosting, Reversal


def card(**changes: Any) -> PaymentPosting:
    posting = PaymentPosting(
        financial_transaction_id="pay-1",
        account_number="2000100",
        amount=Decimal("42.00"),
        convenience_fee=Decimal("1.50"),
        authorization_code="A1B2C3",
        payment_mode=PaymentMode.CARD,
        masked_method="**** **** **** 4242",
    )
    return replace(posting, **changes)


def test_a_valid_posting_totals_amount_and_fee_and_sends_the_mask_compact() -> None:
    posting = card(paid_items=(PaidItem("B-1", Decimal("40.00")), PaidItem("B-2", Decimal("2"))))

    assert posting.total == Decimal("43.50")
    assert posting.masked == "************4242"


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"masked_method": "4242424242424242"}, "masked"),
        ({"masked_method": "424242******4242"}, "masked"),
        ({"amount": Decimal("42.001")}, "whole number of cents"),
        ({"amount": Decimal("0.00")}, "amount must be positive"),
        ({"amount": Decimal("-5.00")}, "amount must be positive"),
        ({"convenience_fee": Decimal("-0.01")}, "convenience_fee must be zero or more"),
        ({"financial_transaction_id": " "}, "financial_transaction_id must not be blank"),
        ({"authorization_code": ""}, "authorization_code must not be blank"),
        ({"paid_items": (PaidItem("B-1", Decimal("40.00")),)}, "add up to the amount"),
    ],
)
def test_a_posting_that_breaks_a_rule_cannot_be_made(changes: dict[str, Any], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        card(**changes)


def test_amounts_must_be_decimals_not_floats() -> None:
    with pytest.raises(TypeError, match="Decimal"):
        card(amount=42.0)


def test_a_reversal_needs_an_id_of_its_own() -> None:
    with pytest.raises(ValueError, match="id of its own"):
        Reversal("pay-1", "pay-1", "2000100", Decimal("42.00"), PaymentMode.ACH, "R01")
