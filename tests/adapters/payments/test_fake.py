"""The fake's own parts: the test-only tokenization, which refuses what a processor does."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.payments import sandbox
from adapters.payments.fake import FakePaymentProcessor
from adapters.payments.port import PaymentInvalid

START = datetime(2026, 6, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("number", "options"),
    [
        ("4242424242424241", {}),  # Luhn
        ("4242-4242-42", {}),  # too short
        (sandbox.APPROVED_CARD, {"exp_month": 5, "exp_year": 2026}),  # expired last month
        (sandbox.APPROVED_CARD, {"cvc": "1a3"}),
        (sandbox.APPROVED_CARD, {"postal_code": "ABCDE"}),
    ],
)
def test_a_card_that_cannot_be_real_gets_no_token(number: str, options: dict[str, object]) -> None:
    fake = FakePaymentProcessor(start=START)

    with pytest.raises(PaymentInvalid):
        fake.tokenize_card(number, **options)  # type: ignore[arg-type]


def test_a_card_expiring_this_month_still_tokenizes() -> None:
    fake = FakePaymentProcessor(start=START)

    assert fake.tokenize_card(sandbox.APPROVED_CARD, exp_month=6, exp_year=2026).startswith("tok_")


@pytest.mark.parametrize(
    ("routing", "account"),
    [("110000001", "000123456789"), ("110000000", "12"), ("1100000", "1234")],
)
def test_a_bank_account_with_bad_numbers_gets_no_token(routing: str, account: str) -> None:
    with pytest.raises(PaymentInvalid):
        FakePaymentProcessor().tokenize_bank_account(account, routing_number=routing)
