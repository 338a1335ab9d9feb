"""The app wired from settings alone: real SOAP adapters against the stand-ins, SQLite meters."""

from __future__ import annotations

import gc
from pathlib import Path

from pydantic import SecretStr

from gateway.app import create_app
from tests.gateway.conftest import Members
from tests.gateway.served import StandIns, served

QUERY = """
query ($n: String!) { account(number: $n) { ... on Account {
  customer { lastName }
  balance { amountDue }
  bills(first: 2) { edges { cursor node { amount } } }
  outageStatus { isOut }
  usage(from: "2026-10-01", to: "2026-10-07", interval: DAY) { kwh temperatureF }
} } }
"""


async def test_the_lifespan_opens_the_real_adapters_and_serves_through_them(
    standins: StandIns, gateway_database_path: Path, members: Members
) -> None:
    settings = standins.settings(
        database_url=f"sqlite+aiosqlite:///{gateway_database_path}",
        jwt_secret=SecretStr("app-test-signing-secret-" + "w" * 20),
    )
    async with served(settings) as gateway:
        ready = await gateway.client.get("/readyz")
        assert ready.status_code == 200, ready.text
        token = await gateway.sign_in(members.demo)
        body = await gateway.graphql(QUERY, token, n=members.demo.account_numbers[0])
    assert "errors" not in body, body
    account = body["data"]["account"]
    assert account["customer"] == {"lastName": "Baca"}
    assert len(account["bills"]["edges"]) == 2
    assert account["balance"]["amountDue"]
    assert len(account["usage"]["kwh"]) == 7
    assert None not in account["usage"]["temperatureF"]
    assert all(status["isOut"] is False for status in account["outageStatus"])


async def test_a_server_process_tunes_its_collector_once_everything_is_open(
    standins: StandIns, gateway_database_path: Path
) -> None:
    settings = standins.settings(
        database_url=f"sqlite+aiosqlite:///{gateway_database_path}",
        jwt_secret=SecretStr("app-test-signing-secret-" + "w" * 20),
        gc_gen0_threshold=23_456,
    )
    thresholds, frozen = gc.get_threshold(), gc.get_freeze_count()
    try:
        app = create_app(settings, server_process=True)
        assert (gc.get_threshold(), gc.get_freeze_count()) == (thresholds, frozen)
        async with app.router.lifespan_context(app):
            # Opened by now: the parsed WSDLs are among what is out of the collector's sight.
            assert gc.get_threshold()[0] == 23_456
            assert gc.get_freeze_count() > frozen
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
