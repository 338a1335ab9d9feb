"""Calls cancelled by their callers, again and again, must not wedge the adapter.

A breaker's timeout or a request's deadline cancels calls under way all the time. Here
thousands of calls to the real CIS stand-in are each cancelled at a random moment, most
of them while the client is opening connections; afterwards, calls with time to spare
must all be answered. Against httpcore's pool cancelled directly (encode/httpcore#1093)
the pool fills with half-made connections and they never are.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator

import pytest_asyncio

from adapters.cis.soap import SoapCis
from simulators.soap import MultiSpeakCredentials
from tests.fixtures.cis import CisScenario, cis_endpoint_for, serving_cis

LATENCY_MS = 40.0  # the storm's CIS: calls are under way long enough to be cut short
CANCELLED_CALLS = 1500
CALLS_AFTER = 40


@pytest_asyncio.fixture
async def cis_url(
    cis_database_url: str, cis_credentials: MultiSpeakCredentials
) -> AsyncIterator[str]:
    async with serving_cis(cis_database_url, cis_credentials, latency_ms=LATENCY_MS) as url:
        yield url


async def test_calls_cancelled_midway_leave_the_client_working(
    cis_url: str, cis_credentials: MultiSpeakCredentials, cis_scenario: CisScenario
) -> None:
    cis = await SoapCis.create(endpoint=cis_endpoint_for(cis_url, cis_credentials))
    account = cis_scenario.past_due.account_number
    rng = random.Random(7)

    async def given_up_after(seconds: float) -> None:
        try:
            async with asyncio.timeout(seconds):
                await cis.get_balance(account)
        except TimeoutError:
            pass

    try:
        for _ in range(3):
            await asyncio.gather(
                *(given_up_after(rng.uniform(0.0, 0.3)) for _ in range(CANCELLED_CALLS // 3))
            )
        async with asyncio.timeout(30):
            balances = await asyncio.gather(*(cis.get_balance(account) for _ in range(CALLS_AFTER)))
    finally:
        await cis.aclose()
    assert {balance.account_number for balance in balances} == {account}
