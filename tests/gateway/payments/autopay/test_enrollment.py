"""Enrolling in autopay: the login's account, the login's own saved method, a rule in
range; one active enrollment per account; cancelling."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from adapters.payments.fake import FakePaymentProcessor
from gateway.core.outcomes import AccountHidden, FieldProblem
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments.autopay import enrollment as enrolling
from gateway.payments.autopay import store as autopay_store
from gateway.payments.autopay.draft_rule import DraftRule, DraftRuleKind
from gateway.payments.autopay.enrollment import AutopayRequest
from gateway.payments.autopay.store import Enrollment, EnrollmentStatus
from tests.gateway.core.store.databases import add_user, store_on_each_backend
from tests.gateway.payments.autopay.support import saved_card
from tests.gateway.payments.support import access_of

store = store_on_each_backend()
NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
_accounts = iter(range(3_000_100, 3_001_000))


@pytest.fixture(scope="module")
def processor(store: GatewayStore) -> FakePaymentProcessor:
    return FakePaymentProcessor(start=datetime(2026, 10, 1, tzinfo=UTC))


def request(account_number: str, method_id: str, **rule: object) -> AutopayRequest:
    return AutopayRequest(
        account_number=account_number,
        method_id=method_id,
        rule=rule.pop("rule", DraftRuleKind.DAYS_BEFORE_DUE),  # type: ignore[arg-type]
        days=rule.pop("days", 3),  # type: ignore[arg-type]
        day_of_month=rule.pop("day_of_month", None),  # type: ignore[arg-type]
        max_amount=rule.pop("max_amount", None),  # type: ignore[arg-type]
    )


async def enroll(store: GatewayStore, user_id: int, asked: AutopayRequest) -> object:
    return await enrolling.enroll_autopay(
        access=access_of(store, user_id),
        store=store,
        request=asked,
        zone=ZoneInfo("America/Denver"),
        clock=lambda: NOW,
    )


async def test_an_account_is_enrolled_with_the_logins_saved_method(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    account = str(next(_accounts))
    user_id = await add_user(store, account_numbers=(account,))
    card = await saved_card(store, processor, user_id)

    enrolled = await enroll(
        store, user_id, request(account, card.id, days=5, max_amount=Decimal("250.00"))
    )

    assert isinstance(enrolled, Enrollment)
    assert (enrolled.account_number, enrolled.method_id, enrolled.rule, enrolled.max_amount) == (
        account,
        card.id,
        DraftRule(DraftRuleKind.DAYS_BEFORE_DUE, 5),
        Decimal("250.00"),
    )
    assert await autopay_store.active_enrollment(store, account) == enrolled


async def test_another_members_account_is_hidden(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    mine, theirs = str(next(_accounts)), str(next(_accounts))
    user_id = await add_user(store, account_numbers=(mine,))
    await add_user(store, account_numbers=(theirs,))
    card = await saved_card(store, processor, user_id)

    assert await enroll(store, user_id, request(theirs, card.id)) == AccountHidden()
    assert await autopay_store.active_enrollment(store, theirs) is None


async def test_another_logins_method_reads_as_none(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    account = str(next(_accounts))
    user_id = await add_user(store, account_numbers=(account,))
    stranger = await add_user(store)
    their_card = await saved_card(store, processor, stranger)

    refused = await enroll(store, user_id, request(account, their_card.id))
    unknown = await enroll(store, user_id, request(account, "pm_nothing"))

    assert refused == unknown == FieldProblem("paymentMethodId", "No such saved payment method.")


async def test_an_expired_card_is_refused(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    account = str(next(_accounts))
    user_id = await add_user(store, account_numbers=(account,))
    card = await saved_card(store, processor, user_id, exp_month=11, exp_year=2026)

    refused = await enroll(store, user_id, request(account, card.id))

    assert isinstance(refused, FieldProblem)
    assert refused.field == "paymentMethodId"


@pytest.mark.parametrize(
    ("rule", "field"),
    [
        ({"days": 11}, "draft.days"),
        ({"days": 0}, "draft.days"),
        (
            {"rule": DraftRuleKind.DAY_OF_MONTH, "days": None, "day_of_month": 29},
            "draft.dayOfMonth",
        ),
        ({"max_amount": Decimal("0")}, "maxAmount"),
        ({"max_amount": Decimal("1.005")}, "maxAmount"),
    ],
)
async def test_a_rule_out_of_range_is_refused(
    store: GatewayStore, processor: FakePaymentProcessor, rule: dict[str, object], field: str
) -> None:
    account = str(next(_accounts))
    user_id = await add_user(store, account_numbers=(account,))
    card = await saved_card(store, processor, user_id)

    refused = await enroll(store, user_id, request(account, card.id, **rule))

    assert isinstance(refused, FieldProblem)
    assert refused.field == field
    assert await autopay_store.active_enrollment(store, account) is None


async def test_one_active_enrollment_per_account_until_cancelled(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    account = str(next(_accounts))
    holder = await add_user(store, account_numbers=(account,))
    co_holder = await add_user(store, account_numbers=(account,))
    first = await enroll(
        store, holder, request(account, (await saved_card(store, processor, holder)).id)
    )
    co_card = await saved_card(store, processor, co_holder)

    again = await enroll(store, co_holder, request(account, co_card.id))

    assert again == enrolling.AlreadyEnrolled(first)  # type: ignore[arg-type]

    cancelled = await enrolling.cancel_autopay(
        access=access_of(store, co_holder), store=store, account_number=account, clock=lambda: NOW
    )
    assert isinstance(cancelled, Enrollment)
    assert cancelled.status is EnrollmentStatus.CANCELLED
    assert await autopay_store.active_enrollment(store, account) is None
    assert isinstance(await enroll(store, co_holder, request(account, co_card.id)), Enrollment)


async def test_cancelling_what_is_not_enrolled_or_not_the_members(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    mine, theirs = str(next(_accounts)), str(next(_accounts))
    user_id = await add_user(store, account_numbers=(mine,))
    owner = await add_user(store, account_numbers=(theirs,))
    await enroll(store, owner, request(theirs, (await saved_card(store, processor, owner)).id))
    access = access_of(store, user_id)

    not_enrolled = await enrolling.cancel_autopay(access=access, store=store, account_number=mine)
    hidden = await enrolling.cancel_autopay(access=access, store=store, account_number=theirs)

    assert not_enrolled == enrolling.NotEnrolled()
    assert hidden == AccountHidden()
    assert await autopay_store.active_enrollment(store, theirs) is not None


async def test_a_card_is_good_through_its_last_evening_in_the_cooperatives_zone(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    account = str(next(_accounts))
    user_id = await add_user(store, account_numbers=(account,))
    card = await saved_card(store, processor, user_id, exp_month=11, exp_year=2026)

    # 03:00 UTC on December 1st is still November 30th in Denver.
    enrolled = await enrolling.enroll_autopay(
        access=access_of(store, user_id),
        store=store,
        request=request(account, card.id),
        zone=ZoneInfo("America/Denver"),
        clock=lambda: datetime(2026, 12, 1, 3, tzinfo=UTC),
    )

    assert isinstance(enrolled, Enrollment)
