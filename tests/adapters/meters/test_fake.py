"""What the fake adds to the contract: a record of calls and a switch to fail."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from adapters.meters.fake import FakeMeterData
from adapters.meters.port import MeterDataNotFound, MeterDataUnavailable
from simulators.world import World


async def test_every_call_is_recorded_with_its_arguments(world: World) -> None:
    fake = FakeMeterData.from_world(world)
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
    fake = FakeMeterData.from_world(world)
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
