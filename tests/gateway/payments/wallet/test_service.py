"""The wallet: saved from a token, listed masked, one default, removed unless autopay
uses it; a method whose creation lost its answer is found, not made again."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from adapters.payments.fake import FakePaymentProcessor
from adapters.payments.port import MethodKind, PaymentMethod, PaymentsUnavailable
from gateway.core.outcomes import FieldProblem
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments.autopay import store as autopay_store
from gateway.payments.autopay.draft_rule import DraftRule, DraftRuleKind
from gateway.payments.methods import customer_ref
from gateway.payments.wallet import service as wallet
from gateway.payments.wallet.store import SavedMethod
from tests.gateway.core.store.databases import add_user, store_on_each_backend
from tests.gateway.payments.support import APPROVED_CARD

store = store_on_each_backend()
NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def processor(store: GatewayStore) -> FakePaymentProcessor:
    """One per store, as logins are: its method ids and customers never repeat."""
    return FakePaymentProcessor()


def losing_the_next_answer(
    processor: FakePaymentProcessor, monkeypatch: pytest.MonkeyPatch, *, made: bool
) -> None:
    """The next method call fails as a dropped connection does: after the processor
    made the method (`made`), or before the call reached it."""
    create = processor.create_payment_method

    async def lost(*, token: str, customer_ref: str) -> PaymentMethod:
        monkeypatch.undo()
        if made:
            await create(token=token, customer_ref=customer_ref)
        raise PaymentsUnavailable("payment processor: RemoteProtocolError")

    monkeypatch.setattr(processor, "create_payment_method", lost)


async def add(
    store: GatewayStore,
    processor: FakePaymentProcessor,
    user_id: int,
    *,
    token: str | None = None,
    nickname: str | None = None,
    make_default: bool = False,
) -> SavedMethod:
    saved = await wallet.add_method(
        store=store,
        processor=processor,
        user_id=user_id,
        token=token or processor.tokenize_card(APPROVED_CARD),
        nickname=nickname,
        make_default=make_default,
        clock=lambda: NOW,
    )
    assert isinstance(saved, SavedMethod), saved
    return saved


async def test_a_card_is_saved_masked_and_the_first_method_is_the_default(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    user_id = await add_user(store)

    saved = await add(store, processor, user_id, nickname="  Blue   card ")

    assert saved.id.startswith("pm_")
    assert (saved.kind, saved.brand, saved.last4, saved.nickname) == (
        MethodKind.CARD,
        "visa",
        "4242",
        "Blue card",
    )
    assert saved.is_default
    at_processor = await processor.get_payment_method(saved.id)
    assert at_processor.customer_ref == customer_ref(user_id)
    assert await wallet.list_methods(store=store, user_id=user_id) == [saved]


async def test_a_bank_account_shows_its_bank_and_last_four(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    user_id = await add_user(store)

    saved = await add(
        store, processor, user_id, token=processor.tokenize_bank_account("000123456789")
    )

    assert (saved.kind, saved.last4, saved.exp_year) == (MethodKind.BANK_ACCOUNT, "6789", None)
    assert saved.bank_name


async def test_one_default_at_a_time(store: GatewayStore, processor: FakePaymentProcessor) -> None:
    user_id = await add_user(store)
    first = await add(store, processor, user_id)
    second = await add(store, processor, user_id, make_default=True)
    third = await add(store, processor, user_id)

    listed = await wallet.list_methods(store=store, user_id=user_id)
    assert [(m.id, m.is_default) for m in listed] == [
        (second.id, True),
        (first.id, False),
        (third.id, False),
    ]

    made = await wallet.make_default(store=store, user_id=user_id, method_id=third.id)
    assert isinstance(made, SavedMethod)
    assert made.is_default
    defaults = [
        m.id for m in await wallet.list_methods(store=store, user_id=user_id) if m.is_default
    ]
    assert defaults == [third.id]


async def test_removing_the_default_makes_the_oldest_left_the_default(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    user_id = await add_user(store)
    first = await add(store, processor, user_id)
    second = await add(store, processor, user_id)

    removed = await wallet.remove_method(
        store=store, processor=processor, user_id=user_id, method_id=first.id
    )

    assert isinstance(removed, SavedMethod)
    listed = await wallet.list_methods(store=store, user_id=user_id)
    assert [(m.id, m.is_default) for m in listed] == [(second.id, True)]
    assert await processor.list_payment_methods(customer_ref(user_id)) == [
        await processor.get_payment_method(second.id)
    ]


async def test_another_logins_method_is_not_found(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    owner, stranger = await add_user(store), await add_user(store)
    saved = await add(store, processor, owner)

    removed = await wallet.remove_method(
        store=store, processor=processor, user_id=stranger, method_id=saved.id
    )
    made = await wallet.make_default(store=store, user_id=stranger, method_id=saved.id)

    assert isinstance(removed, wallet.MethodNotSaved)
    assert isinstance(made, wallet.MethodNotSaved)
    assert [m.id for m in await wallet.list_methods(store=store, user_id=owner)] == [saved.id]
    assert await wallet.list_methods(store=store, user_id=stranger) == []


async def test_a_method_autopay_drafts_with_is_not_removed(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    user_id = await add_user(store, account_numbers=("2000100",))
    saved = await add(store, processor, user_id)
    await autopay_store.insert_enrollment(
        store,
        autopay_store.NewEnrollment(
            account_number="2000100",
            user_id=user_id,
            method_id=saved.id,
            rule=DraftRule(DraftRuleKind.DUE_DATE),
            max_amount=None,
            now=NOW,
        ),
    )

    refused = await wallet.remove_method(
        store=store, processor=processor, user_id=user_id, method_id=saved.id
    )

    assert refused == wallet.MethodUsedByAutopay(("2000100",))
    assert [m.id for m in await wallet.list_methods(store=store, user_id=user_id)] == [saved.id]
    assert (await processor.get_payment_method(saved.id)).id == saved.id

    await autopay_store.cancel_enrollment(store, account_number="2000100", now=NOW)
    removed = await wallet.remove_method(
        store=store, processor=processor, user_id=user_id, method_id=saved.id
    )
    assert isinstance(removed, SavedMethod)


async def test_a_lost_answer_finds_the_method_the_spent_token_made(
    store: GatewayStore, processor: FakePaymentProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id = await add_user(store)
    before = await add(store, processor, user_id)
    losing_the_next_answer(processor, monkeypatch, made=True)

    found = await add(store, processor, user_id, nickname="found again")

    assert found.id != before.id
    assert found.nickname == "found again"
    at_processor = await processor.list_payment_methods(customer_ref(user_id))
    assert [m.id for m in at_processor] == [before.id, found.id]  # made once, not twice


async def test_a_call_that_never_reached_the_processor_saves_nothing(
    store: GatewayStore, processor: FakePaymentProcessor, monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id = await add_user(store)
    losing_the_next_answer(processor, monkeypatch, made=False)

    with pytest.raises(PaymentsUnavailable):
        await wallet.add_method(
            store=store,
            processor=processor,
            user_id=user_id,
            token=processor.tokenize_card(APPROVED_CARD),
            nickname=None,
            make_default=False,
        )

    assert await wallet.list_methods(store=store, user_id=user_id) == []


async def test_bad_input_is_refused_before_the_processor_is_asked(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    user_id = await add_user(store)
    processor.down = True  # asked, it would raise

    for token, nickname, field in [
        ("4242424242424242", None, "token"),
        ("tok_" + "x" * 80, None, "token"),
        ("tok_abc", "n" * 41, "nickname"),
    ]:
        outcome = await wallet.add_method(
            store=store,
            processor=processor,
            user_id=user_id,
            token=token,
            nickname=nickname,
            make_default=False,
        )
        assert isinstance(outcome, FieldProblem)
        assert outcome.field == field
    processor.down = False


async def test_a_spent_token_is_a_problem_for_the_member(
    store: GatewayStore, processor: FakePaymentProcessor
) -> None:
    user_id = await add_user(store)
    token = processor.tokenize_card(APPROVED_CARD)
    await add(store, processor, user_id, token=token)

    again = await wallet.add_method(
        store=store,
        processor=processor,
        user_id=user_id,
        token=token,
        nickname=None,
        make_default=False,
    )

    assert isinstance(again, FieldProblem)
    assert again.field == "token"


@pytest.mark.parametrize(
    ("today", "expired"),
    [
        (date(2027, 5, 31), False),  # good through the last day of its month
        (date(2027, 6, 1), True),
        (date(2028, 1, 1), True),
    ],
)
def test_a_card_expires_after_its_expiry_month(today: date, expired: bool) -> None:
    card = SavedMethod(
        id="pm_1",
        user_id=1,
        kind=MethodKind.CARD,
        last4="4242",
        brand="visa",
        exp_month=5,
        exp_year=2027,
        bank_name=None,
        account_type=None,
        nickname=None,
        is_default=True,
        created_at=NOW,
    )

    assert card.expired(today) is expired
