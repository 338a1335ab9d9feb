"""A CIS that hangs (its stand-in frozen with SIGSTOP), seen through the whole app.

The stand-in runs in a process of its own (`tests.fixtures.cis_process`); the OMS
stand-in and the meter store answer as usual. Timeouts are short so the suite stays
fast, and the only timings asserted are generous bounds ("before the deadline, with
a second to spare"); that the breaker fails fast is shown by counting calls instead.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from gateway.settings import GatewaySettings
from simulators.soap import MultiSpeakCredentials
from tests.fixtures.cis_process import StoppableCis
from tests.gateway.conftest import Members
from tests.gateway.served import Served, StandIns, served

CIS_TIMEOUT_S = 0.5
REQUEST_DEADLINE_S = 1.5
# Longer than two requests take, so the second one meets the breaker still open.
COOL_DOWN_S = 3.0
# What "answered in time" means here: the bound plus a second for a loaded machine.
SLACK_S = 1.0

WARM_UP = """
query ($n: String!) { account(number: $n) { ... on Account {
  serviceLocations { id meters { meterNo } }
} } }
"""

DASHBOARD = """
query ($n: String!) { account(number: $n) { ... on Account {
  customer { lastName }
  balance { amountDue }
  bills(first: 2) { edges { node { amount } } }
  outageStatus { isOut }
  usage(from: "2026-10-01", to: "2026-10-07", interval: DAY) { kwh }
} } }
"""
CIS_FIELDS = {"customer", "balance", "bills"}


@pytest.fixture(scope="module")
def cis_process(
    cis_database_url: str, cis_credentials: MultiSpeakCredentials
) -> Iterator[StoppableCis]:
    """One process for the module: starting one takes seconds, freezing it none."""
    stand_in = StoppableCis.start(cis_database_url, cis_credentials)
    try:
        yield stand_in
    finally:
        stand_in.close()


@pytest.fixture
def stoppable_cis(cis_process: StoppableCis) -> Iterator[StoppableCis]:
    """The module's CIS stand-in, running again when the test ends, whatever happened."""
    try:
        yield cis_process
    finally:
        cis_process.thaw()


def settings_for(
    standins: StandIns, cis: StoppableCis, database: Path, **overrides: Any
) -> GatewaySettings:
    return standins.settings(
        cis_url=cis.url,
        database_url=f"sqlite+aiosqlite:///{database}",
        jwt_secret=SecretStr("hung-backend-test-secret-" + "h" * 20),
        **{
            "cis_timeout_s": CIS_TIMEOUT_S,
            "request_deadline_s": REQUEST_DEADLINE_S,
            "backend_failure_threshold": 2,
            "backend_cool_down_s": COOL_DOWN_S,
            "backend_retry_jitter_s": 0.02,
            **overrides,
        },
    )


async def timed_dashboard(gateway: Served, token: str, account: str) -> tuple[Any, float]:
    started = time.monotonic()
    body = await gateway.graphql(DASHBOARD, token, n=account)
    return body, time.monotonic() - started


def failed_fields(body: Any) -> dict[str, tuple[str, str]]:
    """Each failed field of the account, with its error's code and system."""
    return {
        error["path"][1]: (error["extensions"]["code"], error["extensions"].get("system"))
        for error in body.get("errors", [])
    }


async def metric(gateway: Served, name: str, **labels: str) -> float:
    text = (await gateway.client.get("/metrics")).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            total += float(line.rsplit(" ", 1)[1])
    return total


def assert_other_systems_answered(body: Any) -> None:
    account = body["data"]["account"]
    assert account["outageStatus"], body  # the OMS
    assert all(status["isOut"] is False for status in account["outageStatus"])
    assert len(account["usage"]["kwh"]) == 7  # the meter store


async def test_a_stopped_cis_costs_only_its_fields_then_fails_fast_then_recovers(
    standins: StandIns,
    stoppable_cis: StoppableCis,
    gateway_database_path: Path,
    members: Members,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    account = members.demo.account_numbers[0]
    settings = settings_for(standins, stoppable_cis, gateway_database_path)
    async with served(settings) as gateway:
        token = await gateway.sign_in(members.demo)
        # A gateway that has been serving: the account's locations and meters are cached.
        assert "errors" not in await gateway.graphql(WARM_UP, token, n=account)

        stoppable_cis.freeze()
        first, waited = await timed_dashboard(gateway, token, account)
        assert waited < REQUEST_DEADLINE_S + SLACK_S
        assert failed_fields(first) == dict.fromkeys(CIS_FIELDS, ("BACKEND_UNAVAILABLE", "cis"))
        assert all(first["data"]["account"][field] is None for field in CIS_FIELDS)
        assert_other_systems_answered(first)
        assert await metric(gateway, "gateway_backend_breaker_changes_total", state="open") == 1

        # The breaker is open: the CIS fields fail without the CIS being called.
        cis_calls = await metric(gateway, "gateway_backend_calls_total", system="cis")
        second, _ = await timed_dashboard(gateway, token, account)
        assert failed_fields(second) == dict.fromkeys(CIS_FIELDS, ("BACKEND_UNAVAILABLE", "cis"))
        assert_other_systems_answered(second)
        assert await metric(gateway, "gateway_backend_calls_total", system="cis") == cis_calls
        refused = await metric(
            gateway, "gateway_backend_failures_total", system="cis", reason="breaker_open"
        )
        assert refused >= len(CIS_FIELDS)

        # /readyz reports the open breaker as down without calling the CIS either.
        ready = await gateway.client.get("/readyz")
        assert await metric(gateway, "gateway_backend_calls_total", system="cis") == cis_calls
        assert ready.status_code == 503
        assert ready.json()["systems"] == {
            "cis": "down",
            "oms": "up",
            "meters": "up",
            "gateway_store": "up",
        }

        # Thawed: after the cool-down one probe goes through, closes the breaker, and
        # the next request gets everything again.
        stoppable_cis.thaw()
        body = await dashboard_once_the_cis_is_back(gateway, token, account)
        assert body["data"]["account"]["customer"] == {"lastName": "Baca"}
        assert await metric(gateway, "gateway_backend_breaker_changes_total", state="closed") == 1

    # One line per state change, none per failed field (dozens of them failed).
    per_field = [
        r for r in caplog.records if r.name == "gateway.core.errors" and r.levelno >= logging.INFO
    ]
    assert not per_field
    changes = [r.getMessage() for r in caplog.records if r.name == "gateway.core.resilience"]
    assert changes[0].startswith("cis breaker open: 2 failures in a row")
    assert changes[-1].startswith("cis breaker closed: probe answered")
    # Opened, then half-open and closed; a probe sent too early may fail and reopen it.
    assert len(changes) <= 7, changes


async def dashboard_once_the_cis_is_back(gateway: Served, token: str, account: str) -> Any:
    ends = time.monotonic() + COOL_DOWN_S + 10 * SLACK_S
    while True:
        body = await gateway.graphql(DASHBOARD, token, n=account)
        if "errors" not in body or time.monotonic() > ends:
            assert "errors" not in body, body
            return body
        await asyncio.sleep(0.2)


async def test_readyz_answers_within_a_second_while_the_cis_hangs(
    standins: StandIns, stoppable_cis: StoppableCis, gateway_database_path: Path
) -> None:
    # A CIS timeout far longer than /readyz may take: its own deadline must cut the check.
    settings = settings_for(standins, stoppable_cis, gateway_database_path, cis_timeout_s=30.0)
    async with served(settings) as gateway:
        stoppable_cis.freeze()
        started = time.monotonic()
        ready = await gateway.client.get("/readyz")
        waited = time.monotonic() - started
    assert waited < 1.0 + SLACK_S
    assert ready.status_code == 503
    assert ready.json()["systems"]["cis"] == "down"
    assert ready.json()["systems"]["oms"] == "up"


async def test_the_request_deadline_bounds_a_request_whatever_the_cis_timeout(
    standins: StandIns,
    stoppable_cis: StoppableCis,
    gateway_database_path: Path,
    members: Members,
) -> None:
    settings = settings_for(standins, stoppable_cis, gateway_database_path, cis_timeout_s=30.0)
    account = members.demo.account_numbers[0]
    async with served(settings) as gateway:
        token = await gateway.sign_in(members.demo)
        assert "errors" not in await gateway.graphql(WARM_UP, token, n=account)
        stoppable_cis.freeze()
        body, waited = await timed_dashboard(gateway, token, account)
    assert waited < REQUEST_DEADLINE_S + SLACK_S
    assert failed_fields(body) == dict.fromkeys(CIS_FIELDS, ("BACKEND_UNAVAILABLE", "cis"))
    assert_other_systems_answered(body)
