"""A bill paid end to end: the card tokenized at the processor stand-in, payBill through
the app, the worker charging it there and posting it to the CIS stand-in over SOAP."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from gateway.bootstrap import open_gateway
from gateway.core.metrics import GatewayMetrics
from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from gateway.identity.tables import Role
from gateway.identity.users import upsert_member
from gateway.payments import store as payments_store
from gateway.payments.status import PaymentStatus
from gateway.worker import outbox_handlers, outbox_runner
from simulators.world import World
from tests.fixtures.payments import SECRET_KEY, PaymentsStandIn
from tests.gateway.payments.support import tokenized_card
from tests.gateway.served import StandIns, served
from tests.gateway.support import Member

PASSWORD = "end-to-end-pay-pass"
# Runs of the outbox until the payment is posted: it takes one, this is ample.
MAX_WORKER_PASSES = 20

PAY = """
mutation Pay($input: PayBillInput!) { payBill(input: $input) {
  __typename ... on PaymentAccepted { payment { id status amount method { label } } } } }
"""
BALANCE = """
query Balance($number: String!) { account(number: $number) {
  ... on Account { balance { amountDue } payments(first: 5) { edges { node {
    id status confirmationNumber postedAt } } } } } }
"""


async def test_a_card_payment_is_charged_and_posted_and_the_balance_drops(
    world: World,
    standins: StandIns,
    fresh_cis_url: str,
    payments_stand_in: PaymentsStandIn,
    tmp_path: Path,
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await migrate(database_url)
    number = world.accounts[0].account_number
    store = open_store(database_url)
    try:
        user_id = await upsert_member(
            store.engine, email="payer@example.com", password=PASSWORD, account_numbers=(number,)
        )
    finally:
        await store.aclose()
    member = Member(user_id, "payer@example.com", PASSWORD, Role.MEMBER, (number,))
    settings = standins.settings(
        cis_url=fresh_cis_url,
        database_url=database_url,
        jwt_secret=SecretStr("end-to-end-payments-secret-" + "p" * 20),
        payments_url=payments_stand_in.url,
        payments_secret_key=SecretStr(SECRET_KEY),
        # The worker below is another gateway: without Redis it could not tell this
        # app's cache what the posting changed.
        cache_enabled=False,
        cis_change_poll_s=0,
    )

    async with served(settings) as app:
        token = await app.sign_in(member)
        before = await app.graphql(BALANCE, token, number=number)
        owed = Decimal(before["data"]["account"]["balance"]["amountDue"])

        card = await tokenized_card(payments_stand_in, "4242 4242 4242 4242")
        pay_input: dict[str, Any] = {
            "accountNumber": number,
            "amount": "42.17",
            "method": {"token": card},
            "idempotencyKey": "e2e-1",
        }
        paid = await app.graphql(PAY, token, input=pay_input)
        answer = paid["data"]["payBill"]
        assert answer["__typename"] == "PaymentAccepted", paid
        assert answer["payment"]["status"] == "PROCESSING"
        assert answer["payment"]["method"]["label"] == "Visa ending 4242"
        payment_id = answer["payment"]["id"]

        async with open_gateway(settings, metrics=GatewayMetrics()) as worker:
            runner = outbox_runner(worker, outbox_handlers(worker))
            posted = None
            for _ in range(MAX_WORKER_PASSES):
                await runner.run_once()
                posted = await payments_store.get_payment(worker.store, payment_id)
                if posted is not None and posted.status is not PaymentStatus.PROCESSING:
                    break
        assert posted is not None
        assert posted.status is PaymentStatus.POSTED

        after = await app.graphql(BALANCE, token, number=number)
        account = after["data"]["account"]
        assert Decimal(account["balance"]["amountDue"]) == owed - Decimal("42.17")
        [edge] = account["payments"]["edges"]
        assert edge["node"]["status"] == "POSTED"
        assert edge["node"]["confirmationNumber"] == posted.confirmation
        assert edge["node"]["postedAt"] is not None

        # The processor holds exactly one charge for the payment, found by its reference.
        async with payments_stand_in.client() as processor:
            charges = await processor.get("/v1/charges", params={"reference": payment_id})
        charges.raise_for_status()
        listed = charges.json()["data"]
        assert [(c["id"], c["amount"]) for c in listed] == [(posted.processor_payment_id, 4217)]

        # The member's retry of the same request answers the same payment, now posted.
        again = await app.graphql(PAY, token, input=pay_input)
        assert again["data"]["payBill"]["payment"]["id"] == payment_id
        assert again["data"]["payBill"]["payment"]["status"] == "POSTED"
