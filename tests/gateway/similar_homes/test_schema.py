"""`Account.similarHomes` over a co-op large enough for one group of 20 homes or more:
each home's percentile against its position worked out here from the meter store, the
group's quartiles, the answers for small groups and months not counted, bad months,
another member's account, and staff reads in the audit log."""

from __future__ import annotations

import math
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from statistics import fmean
from typing import Any

import numpy as np
import pytest
import pytest_asyncio
from sqlalchemy import select

from adapters.meters.fake import FakeMeterData
from adapters.meters.history import MeterHistory
from adapters.payments.fake import FakePaymentProcessor
from gateway.audit.tables import AuditEntry
from gateway.core.backends import Adapters
from gateway.core.loaders import DataLoaders
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import Role
from gateway.identity.users import upsert_member
from gateway.schema import schema
from gateway.similar_homes.jobs import count_similar_homes
from gateway.similar_homes.schema import SIMILAR_HOMES_COST
from gateway.similar_homes.standing import MIN_HOMES
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.meters.fake_from_world import meter_data_from_world
from simulators.oms.fake_from_world import fake_oms_from_world
from simulators.seed import generate_world
from simulators.world import World
from tests.fixtures.world import TEST_AS_OF, TEST_SEED
from tests.gateway.core.store.databases import migrated_store
from tests.gateway.support import Member, codes, context_for, execute

# Enough accounts for one group of at least 20 homes (Edgewood's homes: 21).
ACCOUNTS = 70
OCTOBER = date(2026, 10, 1)
SIMILAR = """query ($n: String!, $m: String) { account(number: $n) {
  __typename ... on Account { similarHomes(month: $m) {
    __typename
    ... on SimilarHomes { month homes rateClass kwhPerDay percentile
      lowerQuartileKwhPerDay medianKwhPerDay upperQuartileKwhPerDay computedAt }
    ... on NotEnoughSimilarHomes { month homes needed message }
    ... on SimilarHomesUnavailable { month reason message } } } } }"""


class DailyOnly(Mapping[str, MeterHistory]):
    """The world's meter histories without their hours, each derived once: similar homes
    read days only, and a co-op's hours would not fit in memory as objects."""

    def __init__(self, histories: Mapping[str, MeterHistory]) -> None:
        self._histories = histories
        self._kept: dict[str, MeterHistory] = {}

    def __getitem__(self, meter_no: str) -> MeterHistory:
        if meter_no not in self._kept:
            whole = self._histories[meter_no]
            self._kept[meter_no] = MeterHistory(meter_no, hourly=(), daily=whole.daily)
        return self._kept[meter_no]

    def __contains__(self, meter_no: object) -> bool:
        return meter_no in self._histories

    def __iter__(self) -> Iterator[str]:
        return iter(self._histories)

    def __len__(self) -> int:
        return len(self._histories)


@dataclass(frozen=True, slots=True)
class Counted:
    world: World
    adapters: Adapters
    store: GatewayStore
    group: tuple[str, ...]  # the accounts of the group of 20 or more
    small_group_account: str
    member: Member  # holds the group's first account
    staff: Member


def home_keys(world: World) -> dict[str, tuple[str, str]]:
    located = {loc.location_id: loc for loc in world.locations}
    homes = {a.account_number: located[min(a.location_ids)] for a in world.accounts}
    return {n: (home.weather_station, home.rate_class.value) for n, home in homes.items()}


@pytest_asyncio.fixture(scope="module")
async def counted(request: pytest.FixtureRequest) -> AsyncIterator[Counted]:
    world = generate_world(accounts=ACCOUNTS, seed=TEST_SEED, as_of=TEST_AS_OF)
    cis = fake_cis_from_world(world)
    contents = meter_data_from_world(world)
    meters = FakeMeterData.from_data(replace(contents, histories=DailyOnly(contents.histories)))
    adapters = Adapters(
        cis=cis,
        oms=fake_oms_from_world(world),
        meters=meters,
        cis_payments=cis,
        payments=FakePaymentProcessor(),
    )
    store = await migrated_store("sqlite", request)
    await count_similar_homes(
        store=store,
        cis=cis,
        meters=meters,
        loaders=DataLoaders.create(cis=cis, oms=adapters.oms, meters=meters),
        today=TEST_AS_OF,
        months_back=1,
    )
    keys = home_keys(world)
    sizes: dict[tuple[str, str], list[str]] = {}
    for number, key in sorted(keys.items()):
        sizes.setdefault(key, []).append(number)
    group = max(sizes.values(), key=len)
    small = min(sizes.values(), key=len)
    assert len(group) >= MIN_HOMES > len(small)
    member_id = await upsert_member(
        store.engine,
        email="similar.member@example.com",
        password="x" * 16,
        account_numbers=[group[0]],
    )
    staff_id = await upsert_member(
        store.engine,
        email="similar.staff@example.com",
        password="x" * 16,
        account_numbers=[],
        role=Role.STAFF,
    )
    yield Counted(
        world=world,
        adapters=adapters,
        store=store,
        group=tuple(group),
        small_group_account=small[0],
        member=Member(member_id, "similar.member@example.com", "", Role.MEMBER, (group[0],)),
        staff=Member(staff_id, "similar.staff@example.com", "", Role.STAFF, ()),
    )
    await store.aclose()


async def similar(counted: Counted, who: Member, number: str, month: str | None = None) -> Any:
    result = await execute(counted.adapters, counted.store, SIMILAR, who, n=number, m=month)
    assert result.errors is None, result.errors
    assert result.data is not None
    return result.data["account"]


async def kwh_per_day_from_the_store(counted: Counted, number: str) -> float:
    """The account's October, read from the meter store and worked out here."""
    meters = [m for m in counted.world.meters if m.location_id in _locations(counted, number)]
    total = 0.0
    for meter in meters:
        reads = await counted.adapters.meters.daily_reads(
            meter.meter_no, start=OCTOBER, end=date(2026, 11, 1)
        )
        assert len(reads) >= 28
        total += fmean(reads.kwh)
    return total


def _locations(counted: Counted, number: str) -> set[str]:
    return {loc.location_id for loc in counted.world.locations if loc.account_number == number}


async def test_each_homes_percentile_is_its_position_among_the_group(counted: Counted) -> None:
    figures = {n: await kwh_per_day_from_the_store(counted, n) for n in counted.group}
    others = len(figures) - 1

    for number, figure in figures.items():
        found = (await similar(counted, counted.staff, number))["similarHomes"]
        assert found["__typename"] == "SimilarHomes"
        assert (found["month"], found["homes"]) == ("2026-10", len(figures))
        assert found["kwhPerDay"] == pytest.approx(figure, abs=0.05)
        position = 100 * sum(1 for f in figures.values() if f < figure) / others
        assert abs(found["percentile"] - position) <= 1, (number, found, position)
        lower, median, upper = np.percentile(list(figures.values()), [25, 50, 75])
        assert found["lowerQuartileKwhPerDay"] == pytest.approx(lower, abs=0.05)
        assert found["medianKwhPerDay"] == pytest.approx(median, abs=0.05)
        assert found["upperQuartileKwhPerDay"] == pytest.approx(upper, abs=0.05)
    assert not math.isclose(min(figures.values()), max(figures.values()))


async def test_a_member_sees_their_own_standing_and_never_another_homes(counted: Counted) -> None:
    own = await similar(counted, counted.member, counted.group[0], "2026-10")
    neighbor = await similar(counted, counted.member, counted.group[1])

    assert own["similarHomes"]["__typename"] == "SimilarHomes"
    assert neighbor == {"__typename": "AccountNotFound"}


async def test_a_group_under_20_homes_is_not_compared(counted: Counted) -> None:
    found = await similar(counted, counted.staff, counted.small_group_account)

    assert found["similarHomes"]["__typename"] == "NotEnoughSimilarHomes"
    assert found["similarHomes"]["month"] == "2026-10"
    assert 0 < found["similarHomes"]["homes"] < found["similarHomes"]["needed"] == MIN_HOMES


async def test_a_month_not_counted_says_so(counted: Counted) -> None:
    found = await similar(counted, counted.member, counted.group[0], "2026-08")

    assert found["similarHomes"] == {
        "__typename": "SimilarHomesUnavailable",
        "month": "2026-08",
        "reason": "NOT_COUNTED",
        "message": "Similar homes have not been compared for this month yet.",
    }


@pytest.mark.parametrize("month", ["2026-13", "October", "2099-01"])
async def test_a_month_that_is_not_one_or_has_not_ended_is_bad_input(
    counted: Counted, month: str
) -> None:
    result = await execute(
        counted.adapters, counted.store, SIMILAR, counted.member, n=counted.group[0], m=month
    )

    assert codes(result) == ["BAD_USER_INPUT"]
    assert result.data == {"account": {"__typename": "Account", "similarHomes": None}}


async def test_a_staff_read_is_in_the_audit_log(counted: Counted) -> None:
    request_id = uuid.uuid4().hex
    context = context_for(counted.adapters, counted.store, counted.staff, request_id=request_id)
    result = await schema.execute(
        SIMILAR, variable_values={"n": counted.group[2]}, context_value=context
    )
    assert result.errors is None

    async with counted.store.sessions() as session:
        [entry] = await session.scalars(
            select(AuditEntry).where(AuditEntry.request_id == request_id)
        )
    assert (entry.account_number, entry.fields) == (counted.group[2], "similarHomes")


async def test_the_field_costs_a_month_of_daily_reads_and_its_group(counted: Counted) -> None:
    result = await execute(
        counted.adapters, counted.store, SIMILAR, counted.member, n=counted.group[0]
    )

    assert result.extensions is not None
    assert result.extensions["cost"]["requested"] == 1 + SIMILAR_HOMES_COST
