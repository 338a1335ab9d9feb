"""Calls queued in the MultiSpeak client past their timeout, against the real CIS stand-in.

The client keeps at most `MAX_CALLS_IN_FLIGHT` calls under way and queues the rest. Here
that many calls to a stand-in answering in 1.5 s hold every turn, and guarded calls
behind them time out after 0.5 s without the CIS ever seeing them: they fail, but must
neither open the CIS's breaker nor be retried into the same queue. A guarded call that
does reach the slow CIS and times out there still opens it.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest

from adapters.cis.port import Balance, CisUnavailable
from adapters.cis.soap import SoapCis
from adapters.multispeak import MAX_CALLS_IN_FLIGHT
from gateway.core.resilience.breaker import BackendBreaker, BreakerState
from gateway.core.resilience.guard import BackendGuard, CallPolicy
from simulators.soap import CALLS_PATH, MultiSpeakCredentials
from tests.fixtures.cis import CisScenario, cis_endpoint_for

TIMEOUT_S = 0.5
QUEUED_CALLS = 5


class RecordingFailures:
    def __init__(self) -> None:
        self.reasons: Counter[str] = Counter()

    def backend_failed(self, system: str, reason: str) -> None:
        self.reasons[reason] += 1


async def test_calls_queued_in_the_client_past_their_timeout_do_not_open_the_breaker(
    slow_cis_url: str, cis_credentials: MultiSpeakCredentials, cis_scenario: CisScenario
) -> None:
    cis = await SoapCis.create(endpoint=cis_endpoint_for(slow_cis_url, cis_credentials))
    breaker = BackendBreaker("cis", failure_threshold=1, cool_down_s=60.0)
    failures = RecordingFailures()
    guard = BackendGuard(
        system="cis",
        unavailable=CisUnavailable,
        policy=CallPolicy(timeout_s=TIMEOUT_S, retry_jitter_s=0.0),
        breaker=breaker,
        failures=failures,
    )
    account = cis_scenario.past_due.account_number
    made = 0

    async def balance() -> Balance:
        nonlocal made
        made += 1
        return await cis.get_balance(account)

    try:
        # Unguarded, so nothing times them out: they hold every turn for 1.5 s. A task
        # takes its turn on its first step, before its first wait on the network.
        holding = [
            asyncio.create_task(cis.get_balance(account)) for _ in range(MAX_CALLS_IN_FLIGHT)
        ]
        await asyncio.sleep(0)
        queued = await asyncio.gather(
            *(guard.read("GetPayableItemsList", balance) for _ in range(QUEUED_CALLS)),
            return_exceptions=True,
        )
        assert all(isinstance(result, CisUnavailable) for result in queued), queued
        assert failures.reasons == {"backlog": QUEUED_CALLS}
        assert breaker.state is BreakerState.CLOSED
        assert made == QUEUED_CALLS  # none retried into the same queue
        await asyncio.gather(*holding)
        async with httpx.AsyncClient() as client:
            seen = (await client.get(slow_cis_url + CALLS_PATH)).json()
        assert seen == {"GetPayableItemsList": MAX_CALLS_IN_FLIGHT}  # never the queued ones

        with pytest.raises(CisUnavailable):
            await guard.read("GetPayableItemsList", balance)  # sent, and the CIS is slow
        assert breaker.state is BreakerState.OPEN
        assert failures.reasons["timeout"] == 1
    finally:
        await cis.aclose()
