"""The contract every `CisPayments` keeps: postings, reversals, extensions, prepay balances.

A pytest suite for any implementation that is also a `CisPort` (balances and the
change feed are how a posting is seen). It needs two fixtures: `cis`, the
implementation under test, which these tests change (give each test a CIS of its
own, never a production one), and `cis_payment_facts`, a `CisPaymentFacts` naming
accounts of that CIS. Run it by importing it into a test module that has both:

    from adapters.cis.contract_payments import *  # noqa: F403
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Protocol

import pytest

from adapters.cis.payments import (
    CisPayments,
    NotPrepay,
    PaidItem,
    PaymentMode,
    PaymentPosting,
    PaymentRefused,
    PrepayBalance,
    Reversal,
    UnknownPayment,
)
from adapters.cis.port import CisNotFound, CisPort

__all__ = [
    "CisPaymentFacts",
    "CisWithPayments",
    "test_a_different_id_with_the_same_amount_is_a_second_posting",
    "test_a_payment_already_reversed_is_not_reversed_again",
    "test_a_posting_can_name_the_items_it_pays_and_come_from_a_bank_account",
    "test_a_posting_lowers_the_balance_and_is_the_last_payment",
    "test_a_posting_to_an_unknown_account_is_refused",
    "test_a_postpaid_account_has_no_prepay_balance",
    "test_a_prepay_balance_is_the_credit_and_a_payment_adds_to_it",
    "test_a_reversal_must_match_the_payment",
    "test_a_reversal_restores_the_balance_once",
    "test_an_account_that_is_not_past_due_is_offered_no_extension",
    "test_an_extension_is_offered_to_a_past_due_account_until_taken_up",
    "test_reversing_a_payment_never_posted_is_an_unknown_payment",
    "test_the_change_feed_lists_the_account_after_a_posting_and_a_reversal",
    "test_the_same_financial_transaction_id_is_posted_once",
    "test_unknown_accounts_have_no_extension_or_prepay_balance",
]


class CisWithPayments(CisPort, CisPayments, Protocol):
    """What the suite runs against: both halves of the CIS port."""


@dataclass(frozen=True, slots=True)
class CisPaymentFacts:
    """Accounts of the CIS under test, each chosen for what the suite does with it."""

    postpaid_account: str  # billed the usual way, with a balance
    past_due_account: str  # postpaid, past due, never extended
    not_past_due_account: str  # postpaid, nothing past due
    prepay_account: str
    unknown_account: str


def card_payment(
    facts: CisPaymentFacts, payment_id: str, amount: str = "25.00", *, account: str | None = None
) -> PaymentPosting:
    return PaymentPosting(
        financial_transaction_id=payment_id,
        account_number=account or facts.postpaid_account,
        amount=Decimal(amount),
        convenience_fee=Decimal("1.95"),
        authorization_code="A1B2C3",
        payment_mode=PaymentMode.CARD,
        masked_method="************4242",
    )


def reversal_of(posting: PaymentPosting, reversal_id: str) -> Reversal:
    return Reversal(
        reversal_id=reversal_id,
        original_transaction_id=posting.financial_transaction_id,
        account_number=posting.account_number,
        amount=posting.amount,
        payment_mode=posting.payment_mode,
        reason_code="R01",
    )


# --- postings (ProcessPaymentTransaction) ---------------------------------------------


async def test_a_posting_lowers_the_balance_and_is_the_last_payment(
    cis: CisWithPayments, cis_payment_facts: CisPaymentFacts
) -> None:
    posting = card_payment(cis_payment_facts, "pay-1001", "42.17")
    before = await cis.get_balance(posting.account_number)

    result = await cis.post_payment(posting)
    after = await cis.get_balance(posting.account_number)

    assert result.financial_transaction_id == "pay-1001"
    assert result.cis_transaction_id
    assert result.already_posted is False
    assert result.posted_at.tzinfo is not None
    assert after.amount_due == before.amount_due - Decimal("42.17")
    assert after.last_payment_amount == Decimal("42.17")
    assert after.last_payment_date == result.posted_at.date()


async def test_a_posting_can_name_the_items_it_pays_and_come_from_a_bank_account(
    cis: CisWithPayments, cis_payment_facts: CisPaymentFacts
) -> None:
    account = cis_payment_facts.postpaid_account
    before = await cis.get_balance(account)
    posting = replace(
        card_payment(cis_payment_facts, "pay-1006", "12.34"),
        payment_mode=PaymentMode.ECHECK,
        masked_method="******6789",
        convenience_fee=Decimal("0.00"),
        paid_items=(PaidItem(account, Decimal("12.34")),),
    )

    result = await cis.post_payment(posting)
    after = await cis.get_balance(account)

    assert result.already_posted is False
    assert after.amount_due == before.amount_due - Decimal("12.34")


async def test_the_same_financial_transaction_id_is_posted_once(
    cis: CisWithPayments, cis_payment_facts: CisPaymentFacts
) -> None:
    posting = card_payment(cis_payment_facts, "pay-1002", "30.00")
    before = await cis.get_balance(posting.account_number)

    first = await cis.post_payment(posting)
    again = await cis.post_payment(posting)
    after = await cis.get_balance(posting.account_number)

    assert again == replace(first, already_posted=True)
    assert after.amount_due == before.amount_due - Decimal("30.00")


async def test_a_different_id_with_the_same_amount_is_a_second_posting(
    cis: CisWithPayments, cis_payment_facts: CisPaymentFacts
) -> None:
    before = await cis.get_balance(cis_payment_facts.postpaid_account)

    first = await cis.post_payment(card_payment(cis_payment_facts, "pay-1003", "10.00"))
    second = await cis.post_payment(card_payment(cis_payment_facts, "pay-1004", "10.00"))
    after = await cis.get_balance(cis_payment_facts.postpaid_account)

    assert first.cis_transaction_id != second.cis_transaction_id
    assert not first.already_posted
    assert not second.already_posted
    assert after.amount_due == before.amount_due - Decimal("20.00")


async def test_a_posting_to_an_unknown_account_is_refused(
    cis: CisWithPayments, cis_payment_facts: CisPaymentFacts
) -> None:
    posting = card_payment(cis_payment_facts, "pay-1005", account=cis_payment_facts.unknown_account)

    with pytest.raises(PaymentRefused, match=cis_payment_facts.unknown_account):
        await cis.post_payment(posting)


# --- reversals (ACH returns, refunds) -------------------------------------------------


async def test_a_reversal_restores_the_balance_once(
    cis: CisWithPayments, cis_payment_facts: CisPaymentFacts
) -> None:
    posting = card_payment(cis_payment_facts, "pay-2001", "55.55")
    before = await cis.get_balance(posting.account_number)
    await cis.post_payment(posting)

    reversed_ = await cis.reverse_payment(reversal_of(posting, "rev-2001"))
    again = await cis.reverse_payment(reversal_of(posting, "rev-2001"))
    after = await cis.get_balance(posting.account_number)

    assert after == before
    assert (reversed_.reversal_id, reversed_.original_transaction_id) == ("rev-2001", "pay-2001")
    assert reversed_.already_reversed is False
    assert reversed_.reversed_at.tzinfo is not None
    assert again == replace(reversed_, already_reversed=True)


async def test_reversing_a_payment_never_posted_is_an_unknown_payment(
    cis: CisWithPayments, cis_payment_facts: CisPaymentFacts
) -> None:
    never_posted = card_payment(cis_payment_facts, "pay-2002")

    with pytest.raises(UnknownPayment, match="pay-2002"):
        await cis.reverse_payment(reversal_of(never_posted, "rev-2002"))


async def test_a_payment_already_reversed_is_not_reversed_again(
    cis: CisWithPayments, cis_payment_facts: CisPaymentFacts
) -> None:
    posting = card_payment(cis_payment_facts, "pay-2003")
    await cis.post_payment(posting)
    await cis.reverse_payment(reversal_of(posting, "rev-2003"))
    once = await cis.get_balance(posting.account_number)

    with pytest.raises(PaymentRefused, match="already reversed"):
        await cis.reverse_payment(reversal_of(posting, "rev-2004"))
    assert await cis.get_balance(posting.account_number) == once


async def test_a_reversal_must_match_the_payment(
    cis: CisWithPayments, cis_payment_facts: CisPaymentFacts
) -> None:
    posting = card_payment(cis_payment_facts, "pay-2005", "20.00")
    await cis.post_payment(posting)
    after_posting = await cis.get_balance(posting.account_number)

    with pytest.raises(PaymentRefused):
        await cis.reverse_payment(replace(reversal_of(posting, "rev-2005"), amount=Decimal("2")))
    assert await cis.get_balance(posting.account_number) == after_posting


# --- the change feed ------------------------------------------------------------------


async def test_the_change_feed_lists_the_account_after_a_posting_and_a_reversal(
    cis: CisWithPayments, cis_payment_facts: CisPaymentFacts
) -> None:
    posting = card_payment(cis_payment_facts, "pay-3001")
    start = await cis.changes_since(None)

    await cis.post_payment(posting)
    posted = await cis.changes_since(start.next_cursor)
    await cis.reverse_payment(reversal_of(posting, "rev-3001"))
    reversed_ = await cis.changes_since(posted.next_cursor)

    assert posted.account_numbers == (posting.account_number,)
    assert reversed_.account_numbers == (posting.account_number,)


# --- payment extensions (RequestPaymentExtension, ExtendPayment) ----------------------


async def test_an_extension_is_offered_to_a_past_due_account_until_taken_up(
    cis: CisWithPayments, cis_payment_facts: CisPaymentFacts
) -> None:
    account = cis_payment_facts.past_due_account
    balance = await cis.get_balance(account)

    offer = await cis.request_payment_extension(account)
    await cis.accept_payment_extension(offer)
    later = await cis.request_payment_extension(account)

    assert offer.eligible is True
    assert offer.extended_to is not None
    assert balance.due_date is not None
    assert offer.extended_to > balance.due_date
    assert later.eligible is False
    with pytest.raises(PaymentRefused):
        await cis.accept_payment_extension(offer)


async def test_an_account_that_is_not_past_due_is_offered_no_extension(
    cis: CisWithPayments, cis_payment_facts: CisPaymentFacts
) -> None:
    for account in (cis_payment_facts.not_past_due_account, cis_payment_facts.prepay_account):
        offer = await cis.request_payment_extension(account)

        assert (offer.account_number, offer.eligible, offer.extended_to) == (account, False, None)


# --- prepay balances (GetPPMCustomer) -------------------------------------------------


async def test_a_prepay_balance_is_the_credit_and_a_payment_adds_to_it(
    cis: CisWithPayments, cis_payment_facts: CisPaymentFacts
) -> None:
    account = cis_payment_facts.prepay_account
    owed = (await cis.get_balance(account)).amount_due

    before = await cis.prepay_balance(account)
    await cis.post_payment(card_payment(cis_payment_facts, "pay-4001", "50.00", account=account))
    after = await cis.prepay_balance(account)

    assert isinstance(before, PrepayBalance)
    assert isinstance(after, PrepayBalance)
    assert before.balance == -owed
    assert after.balance == before.balance + Decimal("50.00")
    assert after.as_of.tzinfo is not None


async def test_a_postpaid_account_has_no_prepay_balance(
    cis: CisWithPayments, cis_payment_facts: CisPaymentFacts
) -> None:
    account = cis_payment_facts.postpaid_account

    assert await cis.prepay_balance(account) == NotPrepay(account)


async def test_unknown_accounts_have_no_extension_or_prepay_balance(
    cis: CisWithPayments, cis_payment_facts: CisPaymentFacts
) -> None:
    with pytest.raises(CisNotFound):
        await cis.prepay_balance(cis_payment_facts.unknown_account)
    with pytest.raises(CisNotFound):
        await cis.request_payment_extension(cis_payment_facts.unknown_account)
