from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest

from adapters.oms.port import OmsPort
from gateway.core.backends import Adapters
from gateway.core.cache import kinds
from gateway.core.cache.memory import MemoryCache
from gateway.core.loaders import DataLoaders
from gateway.core.outcomes import AccountHidden, FieldProblem
from gateway.core.store.gateway_store import GatewayStore
from gateway.outages.reports import Reported, ReportOutcome, report_outage
from simulators.world import World
from tests.gateway.conftest import Members
from tests.gateway.support import Member, access_for, invalidation_for, loaders_for


def _with_power(world: World) -> tuple[str, str]:
    """An account number and one of its locations that no running outage covers."""
    out = {loc for e in world.outage_events if e.restored_at is None for loc in e.location_ids}
    location = next(loc for loc in world.locations if loc.location_id not in out)
    return location.account_number, location.location_id


async def report_as(
    member: Member,
    adapters: Adapters,
    store: GatewayStore,
    loaders: DataLoaders,
    *,
    account_number: str,
    location_id: str,
    contact_phone: str | None = None,
    comment: str | None = None,
    now: datetime | None = None,
) -> ReportOutcome:
    """`report_outage` as `member` would call it through the API, over the fakes."""
    return await report_outage(
        access=access_for(store, member, loaders=loaders),
        loaders=loaders,
        oms=adapters.oms,
        invalidate=invalidation_for(loaders),
        request_id="test-report",
        account_number=account_number,
        location_id=location_id,
        contact_phone=contact_phone,
        comment=comment,
        now=now,
    )


async def test_a_report_drops_the_cached_status_so_the_answer_is_fresh(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    loaders = loaders_for(adapters)
    number, location = _with_power(world)
    before = await loaders.outage_status.load(location)
    assert before.is_out is False

    outcome = await report_as(
        members.staff,
        adapters,
        gateway_store,
        loaders,
        account_number=number,
        location_id=location,
    )

    assert isinstance(outcome, Reported)
    assert outcome.status.is_out is True
    assert outcome.status.event is not None
    assert outcome.status.event.event_id == outcome.receipt.event_id
    asked = [args for name, args in adapters.oms.calls if name == "get_outage_status"]  # type: ignore[attr-defined]
    assert asked == [(location,), (location,)]


async def test_the_report_time_is_the_one_given_and_the_event_starts_then(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    loaders = loaders_for(adapters)
    number, location = _with_power(world)
    now = datetime(2026, 11, 15, 15, 4, tzinfo=UTC)

    outcome = await report_as(
        members.staff,
        adapters,
        gateway_store,
        loaders,
        account_number=number,
        location_id=location,
        contact_phone="505-555-0142",
        comment="  Heard a bang by the transformer.  ",
        now=now,
    )

    assert isinstance(outcome, Reported)
    assert outcome.status.event is not None
    assert outcome.status.event.started_at == now


async def test_someone_elses_account_is_hidden_before_anything_is_checked(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    loaders = loaders_for(adapters)
    number = members.neighbor.account_numbers[0]
    location = next(loc.location_id for loc in world.locations if loc.account_number == number)

    outcome = await report_as(
        members.demo,
        adapters,
        gateway_store,
        loaders,
        account_number=number,
        location_id=location,
        contact_phone="not a phone",
    )

    assert isinstance(outcome, AccountHidden)


async def test_a_location_of_another_account_is_a_problem_with_that_field(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    loaders = loaders_for(adapters)
    number = members.demo.account_numbers[0]
    elsewhere = next(loc.location_id for loc in world.locations if loc.account_number != number)

    outcome = await report_as(
        members.demo,
        adapters,
        gateway_store,
        loaders,
        account_number=number,
        location_id=elsewhere,
    )

    assert outcome == FieldProblem(
        "serviceLocationId", "This service location is not on the account."
    )


class Killed(BaseException):
    """The process dying while the OMS call is in flight: it may or may not have landed."""


class KilledDuringTheReport:
    def __init__(self, oms: OmsPort) -> None:
        self._oms = oms

    def __getattr__(self, name: str) -> Any:
        return getattr(self._oms, name)

    async def report_outage(self, *args: Any, **kwargs: Any) -> Any:
        raise Killed


async def test_a_gateway_killed_during_the_report_leaves_no_status_cached(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    # The cached status was dropped only after the OMS answered: killed in between, the
    # restarted gateway served "power on" for a report the OMS had taken.
    loaders = loaders_for(adapters)
    number, location = _with_power(world)
    cache = MemoryCache()
    status_key = kinds.OUTAGE_STATUS.key(location)
    await cache.set_many({status_key: b"power on"}, ttl_s=3600)

    with pytest.raises(Killed):
        await report_outage(
            access=access_for(gateway_store, members.staff, loaders=loaders),
            loaders=loaders,
            oms=cast(OmsPort, KilledDuringTheReport(adapters.oms)),
            invalidate=invalidation_for(loaders, cache),
            request_id="test-report-killed",
            account_number=number,
            location_id=location,
            contact_phone=None,
            comment=None,
            now=None,
        )

    assert await cache.get_many([status_key]) == [None]
