"""An e-check returned by the member's bank, end to end: the R01 test account tokenized
at the processor stand-in, payBill through the app, the worker debiting it and posting
it to the CIS stand-in; the stand-in's clock moved on until the debit settles and is
returned, its signed webhooks delivered over HTTP to the app on a real port, and the
worker reversing the payment in the CIS: RETURNED, and the balance is back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from adapters.payments import sandbox
from adapters.payments.webhook import SIGNATURE_HEADER, signature_header
from gateway.app import create_app
from gateway.bootstrap import open_gateway
from gateway.core.metrics import GatewayMetrics
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from gateway.identity.tables import Role
from gateway.identity.users import upsert_member
from gateway.payments import store as payments_store
from gateway.payments.status import PaymentStatus
from gateway.payments.tables import PaymentWebhookEventRow
from gateway.payments.webhook_route import WEBHOOK_PATH
from gateway.settings import GatewaySettings
from gateway.worker import outbox_handlers, outbox_runner
from simulators.payments.app import create_payments_app
from simulators.server import serve_asgi
from simulators.world import World
from tests.fixtures.payments import (
    PUBLISHABLE_KEY,
    SECRET_KEY,
    TEST_CONFIG,
    WEBHOOK_SECRET,
    PaymentsStandIn,
    WebhookReceiver,
)
from tests.gateway.served import Served, StandIns
from tests.gateway.support import Member

PASSWORD = "returned-echeck-pass"
MAX_WORKER_PASSES = 20
WEBHOOK_WAIT_S = 10.0
POLL_S = 0.05

PAY = """
mutation Pay($input: PayBillInput!) { payBill(input: $input) {
  __typename ... on PaymentAccepted { payment { id status method { kind label } } } } }
"""
BALANCE = """
query Balance($number: String!) { account(number: $number) {
  ... on Account { balance { amountDue } payments(first: 5) { edges { node {
    id status declineReason } } } } } }
"""


@dataclass
class Forward:
    """An ASGI app that hands each request to `target`, set once the target exists: the
    processor needs the gateway's URL before the gateway can be given the processor's."""

    target: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        assert self.target is not None, "the gateway is not up yet"
        await self.target(scope, receive, send)


@asynccontextmanager
async def gateway_and_processor(
    standins: StandIns, cis_url: str, database_url: str
) -> AsyncIterator[tuple[Served, PaymentsStandIn, GatewaySettings, str]]:
    forward = Forward()
    async with serve_asgi(
        Starlette(routes=[Route(WEBHOOK_PATH, forward, methods=["POST"])])
    ) as gateway_url:
        config = replace(TEST_CONFIG, webhook_url=gateway_url + WEBHOOK_PATH)
        processor_app = create_payments_app(config)
        async with serve_asgi(processor_app) as processor_url:
            stand_in = PaymentsStandIn(processor_url, processor_app, WebhookReceiver(), config)
            settings = standins.settings(
                cis_url=cis_url,
                database_url=database_url,
                jwt_secret=SecretStr("returned-echeck-secret-" + "r" * 24),
                payments_url=processor_url,
                payments_secret_key=SecretStr(SECRET_KEY),
                payments_webhook_secret=SecretStr(WEBHOOK_SECRET),
                cache_enabled=False,
                cis_change_poll_s=0,
            )
            app = create_app(settings)
            async with (
                app.router.lifespan_context(app),
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=app), base_url="http://gw"
                ) as client,
            ):
                forward.target = app
                yield Served(client), stand_in, settings, gateway_url


async def tokenized_bank_account(stand_in: PaymentsStandIn, account_number: str) -> str:
    async with stand_in.client(PUBLISHABLE_KEY) as browser:
        response = await browser.post(
            "/v1/tokens",
            json={
                "bank_account": {
                    "routing_number": sandbox.TEST_ROUTING_NUMBER,
                    "account_number": account_number,
                    "account_type": "checking",
                    "holder_name": "Dana Member",
                }
            },
        )
    response.raise_for_status()
    token: str = response.json()["id"]
    return token


async def kept_types(store: GatewayStore, payment_id: str) -> list[str]:
    async with store.sessions() as session:
        types = await session.scalars(
            select(PaymentWebhookEventRow.type)
            .where(PaymentWebhookEventRow.reference == payment_id)
            .order_by(PaymentWebhookEventRow.received_at)
        )
        return list(types)


async def wait_for_kept(store: GatewayStore, payment_id: str, event_type: str) -> None:
    """Until the stand-in, which settles on its own tick, has delivered the event."""
    for _ in range(int(WEBHOOK_WAIT_S / POLL_S)):
        if event_type in await kept_types(store, payment_id):
            return
        await asyncio.sleep(POLL_S)
    raise AssertionError(f"no {event_type} webhook arrived for {payment_id}")


async def test_a_returned_echeck_is_reversed_in_the_cis_and_ends_returned(
    world: World, standins: StandIns, fresh_cis_url: str, tmp_path: Path
) -> None:
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await migrate(database_url)
    number = world.accounts[0].account_number
    store = open_store(database_url)
    try:
        user_id = await upsert_member(
            store.engine, email="echeck@example.com", password=PASSWORD, account_numbers=(number,)
        )
    finally:
        await store.aclose()
    member = Member(user_id, "echeck@example.com", PASSWORD, Role.MEMBER, (number,))

    async with gateway_and_processor(standins, fresh_cis_url, database_url) as (
        app,
        stand_in,
        settings,
        gateway_url,
    ):
        token = await app.sign_in(member)
        before = await app.graphql(BALANCE, token, number=number)
        owed = Decimal(before["data"]["account"]["balance"]["amountDue"])

        bank = await tokenized_bank_account(stand_in, sandbox.RETURNED_R01_ACCOUNT)
        pay_input: dict[str, Any] = {
            "accountNumber": number,
            "amount": "58.40",
            "method": {"token": bank},
            "idempotencyKey": "echeck-1",
        }
        paid = await app.graphql(PAY, token, input=pay_input)
        answer = paid["data"]["payBill"]
        assert answer["__typename"] == "PaymentAccepted", paid
        assert answer["payment"]["method"]["kind"] == "BANK_ACCOUNT"
        payment_id = answer["payment"]["id"]

        async with open_gateway(settings, metrics=GatewayMetrics()) as worker:
            runner = outbox_runner(worker, outbox_handlers(worker))

            async def work_until(status: PaymentStatus) -> None:
                for _ in range(MAX_WORKER_PASSES):
                    await runner.run_once()
                    found = await payments_store.get_payment(worker.store, payment_id)
                    assert found is not None
                    if found.status is status:
                        return
                    await asyncio.sleep(POLL_S)
                raise AssertionError(f"payment {payment_id} never became {status}")

            # Debited and posted at once: the balance shows the payment while it clears.
            await work_until(PaymentStatus.POSTED)
            posted = await app.graphql(BALANCE, token, number=number)
            assert Decimal(posted["data"]["account"]["balance"]["amountDue"]) == owed - Decimal(
                "58.40"
            )

            await stand_in.test_control("/v1/_clock", {"advance_s": TEST_CONFIG.settle_after_s})
            await wait_for_kept(worker.store, payment_id, "debit.settled")
            await runner.run_once()
            settled = await payments_store.get_payment(worker.store, payment_id)
            assert settled is not None
            assert settled.status is PaymentStatus.POSTED
            events = await payments_store.payment_events(worker.store, payment_id)
            assert events[-1].detail.startswith("settled at the bank")

            await stand_in.test_control("/v1/_clock", {"advance_s": TEST_CONFIG.return_after_s})
            await wait_for_kept(worker.store, payment_id, "debit.returned")
            await work_until(PaymentStatus.RETURNED)
            assert await kept_types(worker.store, payment_id) == [
                "debit.settled",
                "debit.returned",
            ]
            events = await payments_store.payment_events(worker.store, payment_id)
            assert events[-1].status is PaymentStatus.RETURNED
            assert "R01" in events[-1].detail

        after = await app.graphql(BALANCE, token, number=number)
        account = after["data"]["account"]
        assert Decimal(account["balance"]["amountDue"]) == owed
        [edge] = account["payments"]["edges"]
        assert edge["node"]["status"] == "RETURNED"
        assert "insufficient funds" in edge["node"]["declineReason"]

        # A forged event on the real port: refused, and the payment stays as it is.
        forged = b'{"id":"evt_forged","type":"debit.settled","created":0,"data":{}}'
        async with httpx.AsyncClient() as outsider:
            refused = await outsider.post(
                gateway_url + WEBHOOK_PATH,
                content=forged,
                headers={
                    SIGNATURE_HEADER: signature_header(
                        "whsec_guessed_000000", int(time.time()), forged
                    )
                },
            )
        assert refused.status_code == 400
