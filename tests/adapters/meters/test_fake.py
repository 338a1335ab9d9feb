"""What the fake adds to the contract: a record of calls and a switch to fail."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.meters.fake import FakeMeterData, FakeMeterDataContents
from adapters.meters.history import MeterHistory
from adapters.meters.port import (
    DailyRead,
    IntervalRead,
    MeterDataNotFound,
    MeterDataUnavailable,
)
from simulators.meters.fake_from_world import fake_meters_from_world
from simulators.world import World


async def test_every_call_is_recorded_with_its_arguments(world: World) -> None:
    fake = fake_meters_from_world(world)
    meter_no = world.meters[0].meter_no
    start = datetime(2026, 1, 1, tzinfo=UTC)
    await fake.hourly_reads(meter_no, start=start, end=start + timedelta(hours=2))
    await fake.daily_reads_many([meter_no, "X"], start=date(2026, 1, 1), end=date(2026, 1, 8))
    with pytest.raises(MeterDataNotFound):
        await fake.weather_station_for_location("NOWHERE")
    await fake.ping()
    await fake.aclose()
    assert fake.calls == [
        ("hourly_reads", (meter_no, start, start + timedelta(hours=2))),
        ("daily_reads_many", ((meter_no, "X"), date(2026, 1, 1), date(2026, 1, 8))),
        ("weather_station_for_location", ("NOWHERE",)),
        ("ping", ()),
        ("aclose", ()),
    ]
    assert fake.closed


async def test_an_unavailable_fake_fails_every_call_until_it_is_back(world: World) -> None:
    fake = fake_meters_from_world(world)
    location_id = world.locations[0].location_id
    fake.unavailable = True
    with pytest.raises(MeterDataUnavailable):
        await fake.weather_station_for_location(location_id)
    fake.unavailable = False
    assert await fake.weather_station_for_location(location_id) == (
        world.locations[0].weather_station
    )


async def test_an_empty_fake_knows_nothing() -> None:
    fake = FakeMeterData()
    with pytest.raises(MeterDataNotFound):
        await fake.daily_reads("M1", start=date(2026, 1, 1), end=date(2026, 2, 1))
    assert await fake.daily_reads_many(["M1"], start=date(2026, 1, 1), end=date(2026, 2, 1)) == {}


class CountedLookups(dict[str, MeterHistory]):
    """Histories that note every lookup, as a mapping deriving them on demand would cost."""

    def __init__(self, *histories: MeterHistory) -> None:
        super().__init__((history.meter_no, history) for history in histories)
        self.lookups: list[str] = []

    def __getitem__(self, meter_no: str) -> MeterHistory:
        self.lookups.append(meter_no)
        return super().__getitem__(meter_no)


async def test_a_meters_history_is_looked_up_once_and_kept() -> None:
    day = date(2026, 3, 1)
    history = MeterHistory(
        meter_no="M1",
        hourly=(IntervalRead(datetime(2026, 3, 1, 7, tzinfo=UTC), 0.5, False),),
        daily=(DailyRead(day, 12.25, False),),
    )
    histories = CountedLookups(history)
    fake = FakeMeterData.from_data(FakeMeterDataContents(histories=histories))

    first = await fake.daily_reads("M1", start=day, end=date(2026, 3, 2))
    again = await fake.daily_reads_many(["M1", "M2"], start=day, end=date(2026, 3, 2))
    hourly = await fake.hourly_reads(
        "M1", start=datetime(2026, 3, 1, tzinfo=UTC), end=datetime(2026, 3, 2, tzinfo=UTC)
    )

    assert first.rows() == history.daily == again["M1"].rows()
    assert hourly.rows() == history.hourly
    assert histories.lookups == ["M1"]
