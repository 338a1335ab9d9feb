"""Autopay end to end: the 4242 card saved from a token at the processor stand-in,
the account enrolled to draft today, the drafting job and the outbox run by a worker
gateway; the draft is charged, posted to the CIS stand-in over SOAP, and listed."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path

from pydantic import SecretStr

from gateway.bootstrap import open_gateway
from gateway.core.metrics import GatewayMetrics
from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from gateway.identity.tables import Role
from gateway.identity.users import upsert_member
from gateway.payments import store as payments_store
from gateway.payments.autopay.draft_rule import LAST_DAY_OF_MONTH_CHOICE
from gateway.payments.autopay.drafting import draft_due_bills
from gateway.payments.status import PaymentStatus
from gateway.worker import outbox_handlers, outbox_runner
from simulators.world import World
from tests.fixtures.payments import SECRET_KEY, PaymentsStandIn
from tests.gateway.payments.support import tokenized_card
from tests.gateway.served import StandIns, served
from tests.gateway.support import Member

PASSWORD = "end-to-end-autopay-pass"
MAX_WORKER_PASSES = 20

SAVE = """
mutation Save($card: String!) { addPaymentMethod(input: {token: $card, nickname: "Visa"}) {
  __typename ... on PaymentMethodSaved { paymentMethod { id label isDefault } } } }
"""
ENROLL = """
mutation Enroll($input: EnrollAutopayInput!) { enrollAutopay(input: $input) {
  __typename ... on AutopayEnrolled { autopay { nextDraftDate nextDraftAmount } } } }
"""
ACCOUNT = """
query Account($number: String!) { account(number: $number) { ... on Account {
  balance { amountDue }
  autopay { status nextDraftDate nextDraftAmount }
  payments(first: 5) { edges { node { id status amount byAutopay method { label } } } } } } }
"""


async def test_a_saved_card_drafts_the_bill_once_and_it_is_posted(
    world: World,
    standins: StandIns,
    fresh_cis_url: str,
    payments_stand_in: PaymentsStandIn,
    tmp_path: Path,
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await migrate(database_url)
    owing = next(b for b in world.balances if b.current_amount + b.past_due_amount > 0)
    number = owing.account_number
    store = open_store(database_url)
    try:
        user_id = await upsert_member(
            store.engine, email="auto@example.com", password=PASSWORD, account_numbers=(number,)
        )
    finally:
        await store.aclose()
    member = Member(user_id, "auto@example.com", PASSWORD, Role.MEMBER, (number,))
    settings = standins.settings(
        cis_url=fresh_cis_url,
        database_url=database_url,
        jwt_secret=SecretStr("end-to-end-autopay-secret-" + "a" * 20),
        payments_url=payments_stand_in.url,
        payments_secret_key=SecretStr(SECRET_KEY),
        cache_enabled=False,
        cis_change_poll_s=0,
    )

    async with served(settings) as app:
        token = await app.sign_in(member)
        before = await app.graphql(ACCOUNT, token, number=number)
        owed = Decimal(before["data"]["account"]["balance"]["amountDue"])

        card = await tokenized_card(payments_stand_in, "4242 4242 4242 4242")
        saved = (await app.graphql(SAVE, token, card=card))["data"]["addPaymentMethod"]
        assert saved["__typename"] == "PaymentMethodSaved", saved
        assert saved["paymentMethod"]["label"] == "Visa ending 4242"
        today = datetime.now(settings.zone).date()
        enrolled = await app.graphql(
            ENROLL,
            token,
            input={
                "accountNumber": number,
                "paymentMethodId": saved["paymentMethod"]["id"],
                "draft": {
                    "rule": "DAY_OF_MONTH",
                    "dayOfMonth": min(today.day, LAST_DAY_OF_MONTH_CHOICE),
                },
            },
        )
        autopay = enrolled["data"]["enrollAutopay"]
        assert autopay["__typename"] == "AutopayEnrolled", enrolled
        assert autopay["autopay"] == {
            "nextDraftDate": today.isoformat(),
            "nextDraftAmount": f"{owed:.2f}",
        }

        async with open_gateway(settings, metrics=GatewayMetrics()) as worker:

            async def drafting() -> list[str]:
                run = await draft_due_bills(
                    store=worker.store, cis=worker.adapters.cis, zone=settings.zone
                )
                return run.drafted

            assert await drafting() == [number]
            runner = outbox_runner(worker, outbox_handlers(worker))
            for _ in range(MAX_WORKER_PASSES):
                await runner.run_once()
                page = await payments_store.account_payments(
                    worker.store, account_number=number, first=5, after=None
                )
                if page.payments and page.payments[0].status is not PaymentStatus.PROCESSING:
                    break
            # The bill is paid: the next run finds nothing due and drafts nothing.
            assert await drafting() == []

        [draft] = page.payments
        assert (draft.status, draft.amount) == (PaymentStatus.POSTED, owed)
        after = await app.graphql(ACCOUNT, token, number=number)
        account = after["data"]["account"]
        assert Decimal(account["balance"]["amountDue"]) == Decimal("0.00")
        assert account["autopay"] == {
            "status": "ACTIVE",
            "nextDraftDate": None,
            "nextDraftAmount": None,
        }
        [edge] = account["payments"]["edges"]
        assert edge["node"] == {
            "id": draft.id,
            "status": "POSTED",
            "amount": f"{owed:.2f}",
            "byAutopay": True,
            "method": {"label": "Visa ending 4242"},
        }
