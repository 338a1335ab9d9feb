"""The duplicate storm: 50 concurrent identical payBill calls spread over two gateway
processes, with two workers running, on PostgreSQL with the processor and CIS
stand-ins: exactly one processor charge and exactly one CIS posting, counted where
each stand-in keeps them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio

from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from gateway.payments import store as payments_store
from gateway.payments.status import PaymentStatus
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.fixtures.cis import load_cis_database
from tests.fixtures.payments import SECRET_KEY, PaymentsStandIn
from tests.gateway.payments.live import (
    PATIENCE_S,
    Processes,
    charges_for,
    cis_served,
    graphql,
    member_with_saved_card,
    postings_to,
    signed_in,
)
from tests.gateway.served import StandIns

REQUESTS = 50
EMAIL = "storm50@example.com"
PAY = """
mutation Pay($input: PayBillInput!) { payBill(input: $input) {
  __typename ... on PaymentAccepted { payment { id } } } }
"""


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    yield started
    started.stop_all()


@pytest_asyncio.fixture
async def cis_database_url(world: World, tmp_path: Path) -> str:
    return await load_cis_database(world, tmp_path / "cis.db")


@pytest_asyncio.fixture
async def cis_url(
    cis_database_url: str, cis_credentials: MultiSpeakCredentials
) -> AsyncIterator[str]:
    async with cis_served(cis_database_url, cis_credentials) as url:
        yield url


async def test_fifty_identical_payments_over_two_apps_and_two_workers_charge_and_post_once(
    world: World,
    standins: StandIns,
    postgres_database_url: Callable[[], str],
    payments_stand_in: PaymentsStandIn,
    cis_database_url: str,
    cis_url: str,
    cis_credentials: MultiSpeakCredentials,
    processes: Processes,
) -> None:
    database_url = postgres_database_url()
    await migrate(database_url)
    number = world.accounts[1].account_number
    _, method = await member_with_saved_card(
        database_url, payments_stand_in, email=EMAIL, account_number=number
    )
    cis = {
        "cis_url": cis_url,
        "cis_user": cis_credentials.user_id,
        "cis_password": cis_credentials.password,
    }
    app_settings = cis | {
        "oms_url": standins.oms_url,
        "oms_user": standins.oms_credentials.user_id,
        "oms_password": standins.oms_credentials.password,
        "meters_database_url": standins.meters_database_url,
        "database_url": database_url,
        "jwt_secret": "storm-fifty-secret-" + "s" * 20,
        "payments_url": payments_stand_in.url,
        "payments_secret_key": SECRET_KEY,
        "cache_enabled": False,
    }
    worker_settings = cis | {
        "database_url": database_url,
        "payments_url": payments_stand_in.url,
        "secret_key": SECRET_KEY,
    }
    processes.worker(worker_settings)
    processes.worker(worker_settings)
    urls = await asyncio.gather(processes.app(app_settings), processes.app(app_settings))

    async with httpx.AsyncClient(timeout=PATIENCE_S) as client:
        token = await signed_in(client, urls[0], EMAIL)
        pay_input = {
            "accountNumber": number,
            "amount": "42.17",
            "method": {"savedMethodId": method.id},
            "idempotencyKey": "storm-50",
        }
        answers = await asyncio.gather(
            *(graphql(client, urls[n % 2], token, PAY, input=pay_input) for n in range(REQUESTS))
        )

    assert {a["payBill"]["__typename"] for a in answers} == {"PaymentAccepted"}
    (payment_id,) = {a["payBill"]["payment"]["id"] for a in answers}
    store = open_store(database_url)
    try:

        async def posted() -> bool:
            payment = await payments_store.get_payment(store, payment_id)
            return payment is not None and payment.status is PaymentStatus.POSTED

        await processes.eventually(posted)
        await asyncio.sleep(0.3)  # room for a second charge or posting, were one coming
    finally:
        await store.aclose()
    assert len(await charges_for(payments_stand_in, payment_id)) == 1
    assert await postings_to(cis_database_url, number) == 1
    processes.running()  # both workers outlived the storm
