"""The contract every `PaymentProcessor` keeps: money moves once, declines say why, a lost
answer is found again, debits settle and return, and webhooks are signed.

A pytest suite for any implementation, the fake or a real processor's test mode. It
needs one fixture, `payments_harness`: a `PaymentsHarness` holding the processor under
test and able to do what the browser and the test clock do. Give each test a harness
of its own. Run the suite by importing it into a test module that has it:

    from adapters.payments.contract import *  # noqa: F403

The test numbers are the published ones (`adapters.payments.sandbox`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Protocol

import pytest

from adapters.payments import sandbox
from adapters.payments.port import (
    ChargeStatus,
    DebitStatus,
    DeclineCode,
    MethodKind,
    PaymentConflict,
    PaymentDeclined,
    PaymentInvalid,
    PaymentNotFound,
    PaymentOutcomeUnknown,
    PaymentProcessor,
    PaymentsUnavailable,
)
from adapters.payments.webhook import SignedWebhook, WebhookRejected, verify

__all__ = [
    "PaymentsHarness",
    "test_a_bank_account_is_debited_not_charged",
    "test_a_charge_is_found_by_id_and_by_reference",
    "test_a_debit_is_pending_then_settles_with_a_signed_webhook",
    "test_a_lost_answer_is_found_by_reference_and_never_charged_twice",
    "test_a_payment_method_shows_only_what_its_owner_may_see",
    "test_a_processor_that_is_down_is_unavailable_and_charges_nothing",
    "test_a_refund_is_limited_to_what_was_paid_and_announced",
    "test_a_single_use_token_pays_once",
    "test_a_test_account_settles_then_is_returned",
    "test_amounts_are_positive_whole_cents",
    "test_an_account_that_fails_validation_is_never_debited",
    "test_an_approved_card_is_charged",
    "test_an_unknown_payment_is_not_found",
    "test_test_cards_are_declined_with_a_reason_for_the_member",
    "test_the_same_key_and_request_answers_the_first_result",
    "test_the_same_key_with_another_request_is_refused",
    "test_webhook_signatures_are_checked",
]

MEMBER = "C000123"


class PaymentsHarness(Protocol):
    """A processor under test, with the browser's and the test clock's part."""

    processor: PaymentProcessor
    webhook_secret: str
    settle_after: timedelta
    return_after: timedelta

    async def card_token(self, number: str) -> str:
        """A single-use token for the card, as the browser gets it (valid expiry, CVC, ZIP)."""
        ...

    async def bank_token(self, account_number: str) -> str:
        """A single-use token for a checking account at the test routing number."""
        ...

    async def advance(self, by: timedelta) -> None:
        """Move the processor's clock on; what falls due happens before this returns."""
        ...

    async def webhooks(self, at_least: int) -> list[SignedWebhook]:
        """The webhooks received so far, once there are `at_least` (or fail waiting)."""
        ...

    async def drop_next_answer(self) -> None:
        """The next call that moves money is carried out, and its answer lost."""
        ...

    async def set_down(self, down: bool) -> None: ...


async def _card_method(harness: PaymentsHarness, number: str) -> str:
    method = await harness.processor.create_payment_method(
        token=await harness.card_token(number), customer_ref=MEMBER
    )
    return method.id


async def _bank_method(harness: PaymentsHarness, account_number: str) -> str:
    method = await harness.processor.create_payment_method(
        token=await harness.bank_token(account_number), customer_ref=MEMBER
    )
    return method.id


def _events(webhooks: list[SignedWebhook]) -> list[tuple[str, str]]:
    """(type, object id) of each webhook, in the order received."""
    found = []
    for webhook in webhooks:
        event = json.loads(webhook.body)
        found.append((event["type"], event["data"]["id"]))
    return found


async def test_an_approved_card_is_charged(payments_harness: PaymentsHarness) -> None:
    processor = payments_harness.processor
    method_id = await _card_method(payments_harness, sandbox.APPROVED_CARD)

    charge = await processor.charge(
        amount=Decimal("123.45"), source=method_id, idempotency_key="pay-1", reference="P-1"
    )

    assert charge.status is ChargeStatus.SUCCEEDED
    assert charge.amount == Decimal("123.45")
    assert charge.payment_method_id == method_id
    assert charge.reference == "P-1"
    assert charge.created.tzinfo is not None
    assert charge.decline_code is None


async def test_a_charge_is_found_by_id_and_by_reference(payments_harness: PaymentsHarness) -> None:
    processor = payments_harness.processor
    method_id = await _card_method(payments_harness, sandbox.APPROVED_CARD)
    charge = await processor.charge(
        amount=Decimal("10"), source=method_id, idempotency_key="pay-2", reference="P-2"
    )

    assert await processor.get_charge(charge.id) == charge
    assert await processor.find_charge("P-2") == charge
    assert await processor.find_charge("P-unknown") is None


async def test_a_single_use_token_pays_once(payments_harness: PaymentsHarness) -> None:
    processor = payments_harness.processor
    token = await payments_harness.card_token(sandbox.APPROVED_CARD)

    charge = await processor.charge(
        amount=Decimal("5.00"), source=token, idempotency_key="pay-3", reference="P-3"
    )
    assert charge.status is ChargeStatus.SUCCEEDED
    assert charge.payment_method_id is None

    with pytest.raises(PaymentInvalid):
        await processor.charge(
            amount=Decimal("5.00"), source=token, idempotency_key="pay-3b", reference="P-3b"
        )
    with pytest.raises(PaymentInvalid):
        await processor.create_payment_method(token=token, customer_ref=MEMBER)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        (sandbox.DECLINED_CARD, DeclineCode.CARD_DECLINED),
        (sandbox.INSUFFICIENT_FUNDS_CARD, DeclineCode.INSUFFICIENT_FUNDS),
        (sandbox.EXPIRED_CARD, DeclineCode.EXPIRED_CARD),
        (sandbox.PROCESSING_ERROR_CARD, DeclineCode.PROCESSING_ERROR),
    ],
)
async def test_test_cards_are_declined_with_a_reason_for_the_member(
    payments_harness: PaymentsHarness, number: str, code: DeclineCode
) -> None:
    processor = payments_harness.processor
    method_id = await _card_method(payments_harness, number)

    with pytest.raises(PaymentDeclined) as declined:
        await processor.charge(
            amount=Decimal("20.00"), source=method_id, idempotency_key="pay-4", reference="P-4"
        )

    assert declined.value.code is code
    assert declined.value.member_message == sandbox.DECLINE_MESSAGES[code]
    assert number[-4:] not in declined.value.member_message
    recorded = await processor.find_charge("P-4")
    assert recorded is not None
    assert recorded.id == declined.value.payment_id
    assert recorded.status is ChargeStatus.FAILED
    assert recorded.decline_code is code


async def test_a_payment_method_shows_only_what_its_owner_may_see(
    payments_harness: PaymentsHarness,
) -> None:
    processor = payments_harness.processor
    card = await processor.create_payment_method(
        token=await payments_harness.card_token(sandbox.APPROVED_CARD), customer_ref=MEMBER
    )
    bank = await processor.create_payment_method(
        token=await payments_harness.bank_token(sandbox.SETTLING_ACCOUNT), customer_ref=MEMBER
    )

    assert (card.kind, card.brand, card.last4, card.customer_ref) == (
        MethodKind.CARD,
        "visa",
        "4242",
        MEMBER,
    )
    assert card.exp_month is not None
    assert card.exp_year is not None
    assert (bank.kind, bank.last4, bank.brand) == (MethodKind.BANK_ACCOUNT, "6789", None)
    assert bank.bank_name
    assert await processor.get_payment_method(card.id) == card
    assert list(await processor.list_payment_methods(MEMBER)) == [card, bank]
    assert list(await processor.list_payment_methods("C-someone-else")) == []

    await processor.delete_payment_method(card.id)
    await processor.delete_payment_method(card.id)  # gone already: not an error
    with pytest.raises(PaymentNotFound):
        await processor.get_payment_method(card.id)
    assert list(await processor.list_payment_methods(MEMBER)) == [bank]


async def test_the_same_key_and_request_answers_the_first_result(
    payments_harness: PaymentsHarness,
) -> None:
    processor = payments_harness.processor
    method_id = await _card_method(payments_harness, sandbox.APPROVED_CARD)
    declined_id = await _card_method(payments_harness, sandbox.DECLINED_CARD)

    first = await processor.charge(
        amount=Decimal("42.00"), source=method_id, idempotency_key="pay-5", reference="P-5"
    )
    again = await processor.charge(
        amount=Decimal("42.00"), source=method_id, idempotency_key="pay-5", reference="P-5"
    )
    assert again == first

    errors = []
    for _ in range(2):
        with pytest.raises(PaymentDeclined) as declined:
            await processor.charge(
                amount=Decimal("1.00"), source=declined_id, idempotency_key="pay-6", reference="P-6"
            )
        errors.append((declined.value.code, declined.value.payment_id))
    assert errors[0] == errors[1]


async def test_the_same_key_with_another_request_is_refused(
    payments_harness: PaymentsHarness,
) -> None:
    processor = payments_harness.processor
    method_id = await _card_method(payments_harness, sandbox.APPROVED_CARD)
    first = await processor.charge(
        amount=Decimal("42.00"), source=method_id, idempotency_key="pay-7", reference="P-7"
    )

    with pytest.raises(PaymentConflict):
        await processor.charge(
            amount=Decimal("42.01"), source=method_id, idempotency_key="pay-7", reference="P-7"
        )

    assert await processor.find_charge("P-7") == first


async def test_a_lost_answer_is_found_by_reference_and_never_charged_twice(
    payments_harness: PaymentsHarness,
) -> None:
    processor = payments_harness.processor
    method_id = await _card_method(payments_harness, sandbox.APPROVED_CARD)
    await payments_harness.drop_next_answer()

    with pytest.raises(PaymentOutcomeUnknown) as unknown:
        await processor.charge(
            amount=Decimal("99.99"), source=method_id, idempotency_key="pay-8", reference="P-8"
        )

    assert (unknown.value.idempotency_key, unknown.value.reference) == ("pay-8", "P-8")
    found = await processor.find_charge("P-8")
    assert found is not None
    assert (found.status, found.amount) == (ChargeStatus.SUCCEEDED, Decimal("99.99"))
    retried = await processor.charge(
        amount=Decimal("99.99"), source=method_id, idempotency_key="pay-8", reference="P-8"
    )
    assert retried.id == found.id


async def test_a_processor_that_is_down_is_unavailable_and_charges_nothing(
    payments_harness: PaymentsHarness,
) -> None:
    processor = payments_harness.processor
    method_id = await _card_method(payments_harness, sandbox.APPROVED_CARD)
    await payments_harness.set_down(True)

    with pytest.raises(PaymentsUnavailable):
        await processor.charge(
            amount=Decimal("10.00"), source=method_id, idempotency_key="pay-9", reference="P-9"
        )

    await payments_harness.set_down(False)
    assert await processor.find_charge("P-9") is None


@pytest.mark.parametrize("amount", ["0", "-5.00", "1.005", "NaN"])
async def test_amounts_are_positive_whole_cents(
    payments_harness: PaymentsHarness, amount: str
) -> None:
    method_id = await _card_method(payments_harness, sandbox.APPROVED_CARD)

    with pytest.raises(PaymentInvalid):
        await payments_harness.processor.charge(
            amount=Decimal(amount), source=method_id, idempotency_key="pay-10", reference="P-10"
        )

    assert await payments_harness.processor.find_charge("P-10") is None


async def test_an_unknown_payment_is_not_found(payments_harness: PaymentsHarness) -> None:
    with pytest.raises(PaymentNotFound):
        await payments_harness.processor.get_charge("ch_unknown")
    with pytest.raises(PaymentNotFound):
        await payments_harness.processor.get_debit("db_unknown")


async def test_a_bank_account_is_debited_not_charged(payments_harness: PaymentsHarness) -> None:
    processor = payments_harness.processor
    bank_id = await _bank_method(payments_harness, sandbox.SETTLING_ACCOUNT)
    card_id = await _card_method(payments_harness, sandbox.APPROVED_CARD)

    with pytest.raises(PaymentInvalid):
        await processor.charge(
            amount=Decimal("1.00"), source=bank_id, idempotency_key="pay-11", reference="P-11"
        )
    with pytest.raises(PaymentInvalid):
        await processor.debit(
            amount=Decimal("1.00"), source=card_id, idempotency_key="pay-12", reference="P-12"
        )
    # A token refused for the wrong kind of payment is not spent by the mistake.
    bank_token = await payments_harness.bank_token(sandbox.SETTLING_ACCOUNT)
    with pytest.raises(PaymentInvalid):
        await processor.charge(
            amount=Decimal("1.00"), source=bank_token, idempotency_key="pay-12b", reference="P-12"
        )
    debit = await processor.debit(
        amount=Decimal("1.00"), source=bank_token, idempotency_key="pay-12c", reference="P-12"
    )
    assert debit.status is DebitStatus.PENDING


async def test_a_debit_is_pending_then_settles_with_a_signed_webhook(
    payments_harness: PaymentsHarness,
) -> None:
    processor = payments_harness.processor
    bank_id = await _bank_method(payments_harness, sandbox.SETTLING_ACCOUNT)

    debit = await processor.debit(
        amount=Decimal("150.00"), source=bank_id, idempotency_key="pay-13", reference="P-13"
    )
    assert debit.status is DebitStatus.PENDING
    assert debit.amount == Decimal("150.00")

    await payments_harness.advance(payments_harness.settle_after / 2)
    assert (await processor.get_debit(debit.id)).status is DebitStatus.PENDING
    await payments_harness.advance(payments_harness.settle_after)
    settled = await processor.get_debit(debit.id)
    assert settled.status is DebitStatus.SETTLED
    assert settled.settled_at is not None
    assert await processor.find_debit("P-13") == settled

    [webhook] = await payments_harness.webhooks(at_least=1)
    event = verify(
        payments_harness.webhook_secret, webhook.signature, webhook.body, now=datetime.now(UTC)
    )
    assert (event.type, event.object_id, event.reference) == ("debit.settled", debit.id, "P-13")
    assert event.id.startswith("evt_")


@pytest.mark.parametrize(
    ("account", "code"),
    [(sandbox.RETURNED_R01_ACCOUNT, "R01"), (sandbox.RETURNED_R02_ACCOUNT, "R02")],
)
async def test_a_test_account_settles_then_is_returned(
    payments_harness: PaymentsHarness, account: str, code: str
) -> None:
    processor = payments_harness.processor
    bank_id = await _bank_method(payments_harness, account)
    debit = await processor.debit(
        amount=Decimal("75.50"), source=bank_id, idempotency_key="pay-14", reference="P-14"
    )

    await payments_harness.advance(payments_harness.settle_after)
    assert (await processor.get_debit(debit.id)).status is DebitStatus.SETTLED
    await payments_harness.advance(payments_harness.return_after)

    returned = await processor.get_debit(debit.id)
    assert returned.status is DebitStatus.RETURNED
    assert returned.return_code == code
    assert returned.returned_at is not None
    assert returned.failure_message
    webhooks = await payments_harness.webhooks(at_least=2)
    assert _events(webhooks) == [("debit.settled", debit.id), ("debit.returned", debit.id)]


async def test_an_account_that_fails_validation_is_never_debited(
    payments_harness: PaymentsHarness,
) -> None:
    processor = payments_harness.processor
    bank_id = await _bank_method(payments_harness, sandbox.INVALID_ACCOUNT)

    with pytest.raises(PaymentDeclined) as declined:
        await processor.debit(
            amount=Decimal("30.00"), source=bank_id, idempotency_key="pay-15", reference="P-15"
        )

    assert declined.value.code is DeclineCode.ACCOUNT_INVALID
    failed = await processor.find_debit("P-15")
    assert failed is not None
    assert failed.status is DebitStatus.FAILED
    await payments_harness.advance(payments_harness.settle_after * 2)
    assert (await processor.get_debit(failed.id)).status is DebitStatus.FAILED


async def test_a_refund_is_limited_to_what_was_paid_and_announced(
    payments_harness: PaymentsHarness,
) -> None:
    processor = payments_harness.processor
    method_id = await _card_method(payments_harness, sandbox.APPROVED_CARD)
    charge = await processor.charge(
        amount=Decimal("60.00"), source=method_id, idempotency_key="pay-16", reference="P-16"
    )

    refund = await processor.refund(
        payment_id=charge.id, amount=Decimal("25.00"), idempotency_key="ref-1", reference="R-1"
    )
    assert (refund.payment_id, refund.amount, refund.reference) == (
        charge.id,
        Decimal("25.00"),
        "R-1",
    )
    again = await processor.refund(
        payment_id=charge.id, amount=Decimal("25.00"), idempotency_key="ref-1", reference="R-1"
    )
    assert again == refund
    assert (await processor.get_charge(charge.id)).amount_refunded == Decimal("25.00")
    with pytest.raises(PaymentInvalid):
        await processor.refund(
            payment_id=charge.id, amount=Decimal("35.01"), idempotency_key="ref-2", reference="R-2"
        )
    [webhook] = await payments_harness.webhooks(at_least=1)
    assert _events([webhook]) == [("charge.refunded", charge.id)]


async def test_webhook_signatures_are_checked(payments_harness: PaymentsHarness) -> None:
    method_id = await _card_method(payments_harness, sandbox.APPROVED_CARD)
    charge = await payments_harness.processor.charge(
        amount=Decimal("8.00"), source=method_id, idempotency_key="pay-17", reference="P-17"
    )
    await payments_harness.processor.refund(
        payment_id=charge.id, amount=Decimal("8.00"), idempotency_key="ref-3", reference="R-3"
    )
    [webhook] = await payments_harness.webhooks(at_least=1)
    secret = payments_harness.webhook_secret
    now = datetime.now(UTC)

    assert verify(secret, webhook.signature, webhook.body, now=now).object_id == charge.id
    with pytest.raises(WebhookRejected):
        verify("whsec_someone-else", webhook.signature, webhook.body, now=now)
    with pytest.raises(WebhookRejected):
        verify(secret, webhook.signature, webhook.body.replace(b"8", b"9"), now=now)
    with pytest.raises(WebhookRejected):
        verify(secret, webhook.signature, webhook.body, now=now + timedelta(seconds=301))
    with pytest.raises(WebhookRejected):
        verify(secret, None, webhook.body, now=now)
