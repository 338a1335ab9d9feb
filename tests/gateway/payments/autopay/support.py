"""Enrolled accounts and the bills the CIS reports for them, against the fakes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from adapters.cis.fake import FakeCis, FakeCisData
from adapters.cis.port import Balance
from adapters.payments.fake import FakePaymentProcessor
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments.autopay import store as autopay_store
from gateway.payments.autopay.draft_rule import DraftRule
from gateway.payments.autopay.store import Enrollment, NewEnrollment
from gateway.payments.wallet import service as wallet
from gateway.payments.wallet.store import SavedMethod
from tests.gateway.payments.support import APPROVED_CARD

ENROLLED_AT = datetime(2026, 11, 1, 17, tzinfo=UTC)


def balance(account_number: str, amount: str, due: date | None) -> Balance:
    return Balance(
        account_number=account_number,
        current_amount=Decimal(amount),
        past_due_amount=Decimal("0.00"),
        due_date=due,
        last_payment_amount=None,
        last_payment_date=None,
        disconnect_date=None,
    )


def cis_with(*balances: Balance) -> FakeCis:
    return FakeCis.from_data(FakeCisData(balances=balances))


async def saved_card(
    store: GatewayStore,
    processor: FakePaymentProcessor,
    user_id: int,
    *,
    exp_month: int = 12,
    exp_year: int = 2030,
) -> SavedMethod:
    saved = await wallet.add_method(
        store=store,
        processor=processor,
        user_id=user_id,
        token=processor.tokenize_card(APPROVED_CARD, exp_month=exp_month, exp_year=exp_year),
        nickname=None,
        make_default=False,
    )
    assert isinstance(saved, SavedMethod)
    return saved


async def enroll(
    store: GatewayStore,
    *,
    account_number: str,
    user_id: int,
    method: SavedMethod,
    rule: DraftRule,
    max_amount: str | None = None,
) -> Enrollment:
    enrolled = await autopay_store.insert_enrollment(
        store,
        NewEnrollment(
            account_number=account_number,
            user_id=user_id,
            method_id=method.id,
            rule=rule,
            max_amount=None if max_amount is None else Decimal(max_amount),
            now=ENROLLED_AT,
        ),
    )
    assert enrolled is not None
    return enrolled
