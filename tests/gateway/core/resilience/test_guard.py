"""Guarded calls through the instrumented fakes: timeouts, deadlines, retries, breakers.

The fakes record every call, so "retried" and "never retried" are counted, not timed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.call_trace import with_system
from adapters.cis.fake import FakeCis
from adapters.cis.port import CisNotFound, CisUnavailable, Customer, PostalAddress
from adapters.meters.fake import FakeMeterData
from adapters.oms.fake import FakeOms
from adapters.oms.port import OmsFault, OmsUnavailable, OutageCall
from gateway.core.backends import Adapters
from gateway.core.instrumented import instrument
from gateway.core.metrics import GatewayMetrics
from gateway.core.resilience.breaker import BackendBreaker, BreakerState
from gateway.core.resilience.deadline import request_deadline, time_left
from gateway.core.resilience.guard import BackendGuard, CallPolicy
from gateway.core.resilience.policy import BackendPolicies
from tests.gateway.core.cache.doubles import FakeClock

# Short enough for a fast suite; the deadline tests' bounds are generous multiples.
TIMEOUT_S = 0.2
POLICIES = BackendPolicies(
    cis_timeout_s=TIMEOUT_S,
    oms_timeout_s=TIMEOUT_S,
    meters_timeout_s=TIMEOUT_S,
    failure_threshold=3,
    cool_down_s=60.0,
    retry_jitter_s=0.01,
)


class HangingCis(FakeCis):
    """A CIS that takes every call and never answers; `update_contact` fails at once."""

    async def get_customer(self, customer_id: str) -> Customer:
        self._record("get_customer", customer_id)
        await asyncio.sleep(3600)
        raise AssertionError("unreachable")

    async def get_balance(self, account_number: str) -> Any:
        self._record("get_balance", account_number)
        raise CisNotFound(f"no account {account_number}")

    async def update_contact(
        self,
        customer_id: str,
        *,
        home_phone: str | None,
        mobile_phone: str | None,
        email: str | None,
        billing_address: PostalAddress | None = None,
    ) -> Customer:
        self._record("update_contact", customer_id)
        raise CisUnavailable("connection reset")


class FaultingOms(FakeOms):
    async def get_outage_history(self, location_id: str) -> Sequence[Any]:
        self._record("get_outage_history", location_id)
        raise OmsFault("the OMS refused the request")


def guarded(cis: FakeCis | None = None, oms: FakeOms | None = None) -> tuple[Adapters, Adapters]:
    inner = Adapters(
        cis=cis or HangingCis(customers={}, locations={}, meters={}, bills={}, balances={}),
        oms=oms or FaultingOms(),
        meters=FakeMeterData(),
    )
    return inner, instrument(inner, GatewayMetrics(), POLICIES)


def names(calls: Sequence[tuple[str, tuple[object, ...]]]) -> list[str]:
    return [name for name, _ in calls]


async def test_a_read_that_gets_no_answer_is_retried_once_then_fails_as_unavailable() -> None:
    oms = FaultingOms()
    oms.down = True
    _, outer = guarded(oms=oms)
    with pytest.raises(OmsUnavailable):
        await outer.oms.get_outage_status("L1")
    assert names(oms.calls) == ["get_outage_status", "get_outage_status"]


async def test_a_write_is_never_retried() -> None:
    oms = FaultingOms()
    oms.down = True
    cis = HangingCis(customers={}, locations={}, meters={}, bills={}, balances={})
    _, outer = guarded(cis=cis, oms=oms)
    call = OutageCall(
        location_id="L1",
        account_number="A1",
        phone=None,
        caller_name=None,
        comment=None,
        reported_at=datetime(2026, 11, 15, tzinfo=UTC),
    )
    with pytest.raises(OmsUnavailable):
        await outer.oms.report_outage(call)
    with pytest.raises(CisUnavailable):
        await outer.cis.update_contact("C1", home_phone=None, mobile_phone=None, email=None)
    assert names(oms.calls) == ["report_outage"]
    assert names(cis.calls) == ["update_contact"]


async def test_answers_are_never_retried_and_never_open_the_breaker() -> None:
    cis = HangingCis(customers={}, locations={}, meters={}, bills={}, balances={})
    oms = FaultingOms()
    _, outer = guarded(cis=cis, oms=oms)
    for _ in range(5):
        with pytest.raises(CisNotFound):
            await outer.cis.get_balance("A1")
        with pytest.raises(OmsFault):
            await outer.oms.get_outage_history("L1")
    assert names(cis.calls) == ["get_balance"] * 5
    assert names(oms.calls) == ["get_outage_history"] * 5
    assert breaker_of(outer.cis).state is BreakerState.CLOSED
    assert breaker_of(outer.oms).state is BreakerState.CLOSED


async def test_a_hung_call_times_out_as_unavailable_and_the_breaker_then_fails_fast() -> None:
    cis = HangingCis(customers={}, locations={}, meters={}, bills={}, balances={})
    _, outer = guarded(cis=cis)
    # Three calls at once, each retried once: the three timeouts open the breaker, and
    # the retries are refused without reaching the CIS.
    results = await asyncio.gather(
        *(outer.cis.get_customer(f"C{i}") for i in range(3)), return_exceptions=True
    )
    assert all(isinstance(r, CisUnavailable) for r in results), results
    assert breaker_of(outer.cis).state is BreakerState.OPEN
    assert names(cis.calls) == ["get_customer"] * 3
    with pytest.raises(CisUnavailable, match="not called"):
        await outer.cis.get_customer("C9")
    assert len(cis.calls) == 3  # refused without calling
    assert await outer.oms.get_methods()  # the other systems are not affected


async def test_a_call_never_waits_past_the_request_deadline() -> None:
    cis = HangingCis(customers={}, locations={}, meters={}, bills={}, balances={})
    _, outer = guarded(cis=cis)
    loop = asyncio.get_running_loop()
    with request_deadline(TIMEOUT_S / 4):
        started = loop.time()
        with pytest.raises(CisUnavailable, match="deadline"):
            await outer.cis.get_customer("C1")
        waited = loop.time() - started
        with pytest.raises(CisUnavailable, match="time is up"):
            await outer.cis.get_customer("C2")
    assert waited < TIMEOUT_S  # cut at the deadline, not the system's timeout
    assert names(cis.calls) == ["get_customer"]  # no retry past the deadline, no call after
    # Cut short by the request, not timed out by the system: not held against the CIS.
    assert breaker_of(outer.cis).state is BreakerState.CLOSED


def test_a_nested_deadline_only_shortens_the_time_left() -> None:
    assert time_left() is None
    with request_deadline(10.0):
        with request_deadline(60.0):
            left = time_left()
            assert left is not None
            assert left <= 10.0
        with request_deadline(1.0):
            left = time_left()
            assert left is not None
            assert left <= 1.0
    assert time_left() is None


def breaker_of(port: object) -> Any:
    return port.guard.breaker  # type: ignore[attr-defined]


class RecordingFailures:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    def backend_failed(self, system: str, reason: str) -> None:
        self.reasons.append(reason)


def impatient_guard(
    clock: FakeClock, *, retries: int = 0, failures: RecordingFailures | None = None
) -> BackendGuard:
    """A CIS guard on `clock` with a 10 ms timeout, whose breaker opens on one failure."""
    return BackendGuard(
        system="cis",
        unavailable=CisUnavailable,
        policy=CallPolicy(timeout_s=0.01, retry_jitter_s=0.0, retries=retries),
        breaker=BackendBreaker("cis", failure_threshold=1, cool_down_s=60.0, clock=clock),
        failures=failures,
        clock=clock,
    )


async def test_a_timeout_the_loop_was_late_for_fails_the_call_but_not_the_breaker() -> None:
    clock = FakeClock()
    guard = impatient_guard(clock)
    breaker = guard.breaker

    async def answered_but_read_late() -> None:
        clock.advance(1.0)  # the loop reaches the answer a second after it came
        await asyncio.sleep(3600)

    async def hung() -> None:
        await asyncio.sleep(3600)

    for _ in range(3):
        with pytest.raises(CisUnavailable, match="no answer"):
            await guard.read("GetCustomerByCustomerID", answered_but_read_late)
    assert breaker.state is BreakerState.CLOSED
    with pytest.raises(CisUnavailable, match="no answer"):
        await guard.read("GetCustomerByCustomerID", hung)  # timed out on time: the CIS's
    assert breaker.state is BreakerState.OPEN


async def test_a_timeout_spent_queued_here_fails_the_call_but_not_the_breaker() -> None:
    clock = FakeClock()
    failures = RecordingFailures()
    guard = impatient_guard(clock, retries=1, failures=failures)
    breaker = guard.breaker
    sent: list[str] = []

    async def queued_then_sent_at_the_last_moment() -> None:
        clock.advance(0.009)  # waiting for a turn behind this process's other calls
        sent.append("queued")
        with with_system():
            await asyncio.sleep(3600)

    async def with_the_cis_all_along() -> None:
        sent.append("hung")
        with with_system():
            clock.advance(0.009)
            await asyncio.sleep(3600)

    for _ in range(3):
        with pytest.raises(CisUnavailable, match="no answer"):
            await guard.read("GetAccount", queued_then_sent_at_the_last_moment)
    assert breaker.state is BreakerState.CLOSED
    assert sent == ["queued"] * 3  # not retried into the same backlog
    assert failures.reasons == ["backlog"] * 3
    with pytest.raises(CisUnavailable):  # its retry refused by the breaker it opened
        await guard.read("GetAccount", with_the_cis_all_along)
    assert breaker.state is BreakerState.OPEN  # the CIS had it the whole time
    assert failures.reasons[3:] == ["timeout", "breaker_open"]


async def test_a_timeout_on_a_loop_slow_to_come_round_does_not_open_the_breaker() -> None:
    clock = FakeClock()
    guard = impatient_guard(clock)
    breaker = guard.breaker

    async def with_the_cis() -> None:
        with with_system():
            clock.advance(0.009)  # on time, and with the CIS all along
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                # Timed out on time; but other requests' work is queued on the loop, and
                # takes its turn before the guard's next step: a second of CPU in all.
                for _ in range(4):
                    asyncio.get_running_loop().call_soon(clock.advance, 0.25)
                raise

    with pytest.raises(CisUnavailable, match="no answer"):
        await guard.read("GetAccount", with_the_cis)
    assert breaker.state is BreakerState.CLOSED
