"""Backend faults end to end, through a gateway process and a worker process, on
PostgreSQL with the processor and CIS stand-ins:

- the processor drops the connection after charging: the worker finds the charge by
  its reference, so there is no second charge, and the payment is posted;
- the CIS is down for a while: the member sees PROCESSING, then POSTED once it is
  back, and the balance shows the payment. The outage is a couple of seconds, not a
  minute, and the worker retries every 0.2 s instead of with the outbox's usual
  backoff, so the test takes seconds: what it shows is that the payment waits for
  the CIS however long the retries last, not how long they last.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.core.store.migrate import migrate
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

PAY = """
mutation Pay($input: PayBillInput!) { payBill(input: $input) {
  __typename ... on PaymentAccepted { payment { id status } } } }
"""
ACCOUNT = """
query Account($number: String!) { account(number: $number) { ... on Account {
  balance { amountDue }
  payments(first: 1) { edges { node { id status } } }
} } }
"""
PAYMENT = """
query Payments($number: String!) { account(number: $number) { ... on Account {
  payments(first: 1) { edges { node { id status } } }
} } }
"""


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(tmp_path)
    yield started
    started.stop_all()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def settings_for(
    *,
    cis_url: str,
    credentials: MultiSpeakCredentials,
    standins: StandIns,
    database_url: str,
    payments: PaymentsStandIn,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The gateway process's settings and the worker process's."""
    cis = {
        "cis_url": cis_url,
        "cis_user": credentials.user_id,
        "cis_password": credentials.password,
    }
    app = cis | {
        "oms_url": standins.oms_url,
        "oms_user": standins.oms_credentials.user_id,
        "oms_password": standins.oms_credentials.password,
        "meters_database_url": standins.meters_database_url,
        "database_url": database_url,
        "jwt_secret": "faults-end-to-end-secret-" + "f" * 20,
        "payments_url": payments.url,
        "payments_secret_key": SECRET_KEY,
        "cache_enabled": False,
    }
    worker = cis | {
        "database_url": database_url,
        "payments_url": payments.url,
        "secret_key": SECRET_KEY,
        # Retry for as long as the test lasts, often: the CIS comes back in seconds.
        "retry_cap_s": 0.2,
        "retry_max_attempts": 1000,
    }
    return app, worker


def pay_input(number: str, method_id: str, key: str, amount: str) -> dict[str, Any]:
    return {
        "accountNumber": number,
        "amount": amount,
        "method": {"savedMethodId": method_id},
        "idempotencyKey": key,
    }


async def status_of(client: httpx.AsyncClient, url: str, token: str, number: str) -> str:
    data = await graphql(client, url, token, PAYMENT, number=number)
    status: str = data["account"]["payments"]["edges"][0]["node"]["status"]
    return status


async def test_a_connection_dropped_after_the_charge_charges_once_and_posts(
    world: World,
    standins: StandIns,
    postgres_database_url: Callable[[], str],
    payments_stand_in: PaymentsStandIn,
    cis_credentials: MultiSpeakCredentials,
    tmp_path: Path,
    processes: Processes,
) -> None:
    database_url = postgres_database_url()
    await migrate(database_url)
    cis_database_url = await load_cis_database(world, tmp_path / "cis.db")
    number = world.accounts[2].account_number
    email = "dropped@example.com"
    _, method = await member_with_saved_card(
        database_url, payments_stand_in, email=email, account_number=number
    )
    async with cis_served(cis_database_url, cis_credentials) as cis_url:
        app, worker = settings_for(
            cis_url=cis_url,
            credentials=cis_credentials,
            standins=standins,
            database_url=database_url,
            payments=payments_stand_in,
        )
        url = await processes.app(app)
        async with httpx.AsyncClient(timeout=PATIENCE_S) as client:
            token = await signed_in(client, url, email)
            await payments_stand_in.test_control("/v1/_faults", {"drop_next": 1})
            paid = await graphql(
                client, url, token, PAY, input=pay_input(number, method.id, "drop-1", "18.40")
            )
            payment_id = paid["payBill"]["payment"]["id"]
            processes.worker(worker)

            async def posted() -> bool:
                return await status_of(client, url, token, number) == "POSTED"

            await processes.eventually(posted)

        faults = await payments_stand_in.test_control("/v1/_faults", {})
        assert faults["drop_next"] == 0  # the charge's answer was dropped
        assert len(await charges_for(payments_stand_in, payment_id)) == 1
        assert await postings_to(cis_database_url, number) == 1


async def test_a_cis_that_is_down_leaves_the_payment_processing_until_it_is_back(
    world: World,
    standins: StandIns,
    postgres_database_url: Callable[[], str],
    payments_stand_in: PaymentsStandIn,
    cis_credentials: MultiSpeakCredentials,
    tmp_path: Path,
    processes: Processes,
) -> None:
    database_url = postgres_database_url()
    await migrate(database_url)
    cis_database_url = await load_cis_database(world, tmp_path / "cis.db")
    number = world.accounts[3].account_number
    email = "cis-down@example.com"
    _, method = await member_with_saved_card(
        database_url, payments_stand_in, email=email, account_number=number
    )
    port = free_port()
    async with cis_served(cis_database_url, cis_credentials, port=port) as cis_url:
        app, worker = settings_for(
            cis_url=cis_url,
            credentials=cis_credentials,
            standins=standins,
            database_url=database_url,
            payments=payments_stand_in,
        )
        url = await processes.app(app)
        client = httpx.AsyncClient(timeout=PATIENCE_S)
        token = await signed_in(client, url, email)
        before = await graphql(client, url, token, ACCOUNT, number=number)
    try:
        # The CIS is down from here on.
        paid = await graphql(
            client, url, token, PAY, input=pay_input(number, method.id, "cis-down-1", "23.55")
        )
        payment_id = paid["payBill"]["payment"]["id"]
        processes.worker(worker)

        async def charged() -> bool:
            return bool(await charges_for(payments_stand_in, payment_id))

        await processes.eventually(charged)
        await asyncio.sleep(1.0)  # several attempts to post, all refused
        assert await status_of(client, url, token, number) == "PROCESSING"

        async with cis_served(cis_database_url, cis_credentials, port=port):

            async def posted() -> bool:
                return await status_of(client, url, token, number) == "POSTED"

            await processes.eventually(posted)
            after = await graphql(client, url, token, ACCOUNT, number=number)
    finally:
        await client.aclose()

    owed_before = Decimal(before["account"]["balance"]["amountDue"])
    assert Decimal(after["account"]["balance"]["amountDue"]) == owed_before - Decimal("23.55")
    assert len(await charges_for(payments_stand_in, payment_id)) == 1
    assert await postings_to(cis_database_url, number) == 1
