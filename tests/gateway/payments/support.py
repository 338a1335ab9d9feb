"""Members who pay, and the parts a payment service takes, against the fakes."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from adapters.payments.fake import FakePaymentProcessor
from gateway.core.outbox.table import OutboxEntry
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.policy import AccountAccess
from gateway.identity.tables import Role
from gateway.identity.viewer import Authentication, Viewer
from gateway.payments.methods import MethodChoice, customer_ref
from gateway.payments.pay_bill import PROCESS_PAYMENT_KIND, BillPayment
from gateway.payments.tables import PaymentRow
from tests.fixtures.payments import PUBLISHABLE_KEY, PaymentsStandIn

APPROVED_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"


def access_of(store: GatewayStore, user_id: int) -> AccountAccess:
    """A member's account policy: they see the accounts linked to them, nothing else."""

    async def no_other_account(account_number: str) -> bool:
        return False

    return AccountAccess(
        authentication=Authentication(Viewer(user_id=user_id, token_role=Role.MEMBER)),
        store=store,
        account_exists=no_other_account,
    )


def by_card(processor: FakePaymentProcessor, number: str = APPROVED_CARD) -> MethodChoice:
    """What the member's browser sends: a fresh single-use token for the card."""
    return MethodChoice(token=processor.tokenize_card(number))


async def saved_card(
    processor: FakePaymentProcessor, user_id: int, number: str = APPROVED_CARD
) -> MethodChoice:
    method = await processor.create_payment_method(
        token=processor.tokenize_card(number), customer_ref=customer_ref(user_id)
    )
    return MethodChoice(saved_method_id=method.id)


def bill_payment(
    account_number: str,
    method: MethodChoice,
    *,
    amount: str = "84.50",
    key: str = "key-1",
    confirm_duplicate: bool = True,
) -> BillPayment:
    """A request; confirmed as a duplicate unless asked, for the tests of other rules
    pay one account many times."""
    return BillPayment(
        account_number=account_number,
        amount=Decimal(amount),
        method=method,
        idempotency_key=key,
        confirm_duplicate=confirm_duplicate,
    )


async def payments_of(store: GatewayStore, user_id: int) -> int:
    async with store.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(PaymentRow).where(PaymentRow.user_id == user_id)
        )
        return int(count or 0)


async def queued_for(store: GatewayStore, payment_ids: set[str]) -> int:
    """Outbox entries that process any of `payment_ids`."""
    async with store.sessions() as session:
        payloads = await session.scalars(
            select(OutboxEntry.payload).where(OutboxEntry.kind == PROCESS_PAYMENT_KIND)
        )
        return sum(1 for payload in payloads if payload["payment_id"] in payment_ids)


async def tokenized_card(stand_in: PaymentsStandIn, number: str = APPROVED_CARD) -> str:
    """What the member's browser does: the card goes to the processor, a token comes back."""
    async with stand_in.client(PUBLISHABLE_KEY) as browser:
        response = await browser.post(
            "/v1/tokens",
            json={
                "card": {
                    "number": number,
                    "exp_month": 12,
                    "exp_year": 2035,
                    "cvc": "123",
                    "postal_code": "87544",
                }
            },
        )
    response.raise_for_status()
    token: str = response.json()["id"]
    return token
