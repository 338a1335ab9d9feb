"""The contract every `MeterDataPort` keeps: reads by the hour and by the day, weather.

A pytest suite for any implementation, the fake or a co-op's own store. It needs two
fixtures: `meter_data`, the implementation under test (only read from, so it may be
shared and may be a production store), and `meter_data_facts`, a
`MeterDataContractFacts` saying what that store holds. Run it by importing it into a
test module that has both fixtures (or sits beside a conftest.py that has them):

    from adapters.meters.contract import *  # noqa: F403

The tests are coroutines: run them with pytest-asyncio (`asyncio_mode = "auto"`).
For failures that show the values compared, have pytest rewrite the suite's asserts
before it is imported, in conftest.py:

    pytest.register_assert_rewrite("adapters.meters.contract")

A store that cannot be reached has a suite of its own,
`adapters.meters.contract_unreachable`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from adapters.meters.history import MeterHistory
from adapters.meters.port import (
    DailyRead,
    DailyReads,
    DailyWeather,
    HourlyReads,
    IntervalRead,
    MeterDataNotFound,
    MeterDataPort,
)

__all__ = [
    "MeterDataContractFacts",
    "test_a_batched_year_of_hourly_reads_is_each_meters_history",
    "test_a_daily_read_is_the_sum_of_its_hourly_reads",
    "test_a_known_meter_with_nothing_in_range_gives_no_reads",
    "test_a_year_of_hourly_reads_is_the_meters_history",
    "test_batched_daily_reads_agree_with_single_ones",
    "test_batched_hourly_reads_agree_with_single_ones",
    "test_batches_keep_known_meters_with_nothing_in_range",
    "test_daily_ranges_are_half_open",
    "test_daily_reads_cover_the_whole_history",
    "test_daily_weather_is_the_stations_weather",
    "test_dst_days_have_23_and_25_hourly_reads",
    "test_every_location_has_its_weather_station",
    "test_hourly_ranges_are_half_open",
    "test_hourly_reads_accept_any_offset_and_answer_in_utc",
    "test_hourly_reads_start_at_the_first_whole_hour_inside_the_range",
    "test_naive_datetimes_and_reversed_ranges_are_refused",
    "test_no_hourly_reads_outside_the_hourly_window",
    "test_ping_answers",
    "test_unknown_locations_and_stations_are_not_found",
    "test_unknown_meters_are_not_found",
]

HOUR = timedelta(hours=1)
DAYS_PER_YEAR = 365


@dataclass(frozen=True, slots=True)
class MeterDataContractFacts:
    """What the store under test holds.

    Every meter in `meters` has a daily read for each day from `first_day` up to (not
    including) `end_day`, and an hourly read for each hour of the local days from
    `first_hourly_day` on, at least a year and spanning both daylight saving changes;
    the first meter has estimated reads, one of them within the last year. The
    `unknown_*` values must match nothing in the store; nothing in `secrets` (the
    store's password, say) may ever show in an error.
    """

    time_zone: ZoneInfo  # the co-op's: daily reads and weather follow its local days
    first_day: date
    first_hourly_day: date
    end_day: date
    meters: tuple[MeterHistory, ...]  # at least four
    stations_by_location: Mapping[str, str]  # some service locations' weather stations
    weather_station_id: str
    weather: tuple[DailyWeather, ...]  # that station's, one a day over the same days
    unknown_meter_no: str = "NO-SUCH-METER"
    unknown_location_id: str = "NO-SUCH-LOCATION"
    unknown_station_id: str = "KXXX"
    secrets: tuple[str, ...] = ()

    def local_midnight(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=self.time_zone)

    def dst_changes(self) -> tuple[date, date]:
        """The last spring-forward and fall-back days with hourly reads."""
        by_length: dict[int, date] = {}
        day = self.first_hourly_day
        while day < self.end_day:
            start = self.local_midnight(day).astimezone(UTC)
            end = self.local_midnight(day + timedelta(days=1)).astimezone(UTC)
            by_length[(end - start) // HOUR] = day
            day += timedelta(days=1)
        return by_length[23], by_length[25]


def hourly_between(history: MeterHistory, start: datetime, end: datetime) -> list[IntervalRead]:
    return [read for read in history.hourly if start <= read.starts_at < end]


def daily_between(history: MeterHistory, start: date, end: date) -> list[DailyRead]:
    return [read for read in history.daily if start <= read.day < end]


def hourly_rows(reads: HourlyReads) -> list[IntervalRead]:
    """The reads row by row, once their columns are checked to hold exactly the port's
    types (callers sum and cache them as such: a `Decimal` or a 0/1 would pass `==`)."""
    assert type(reads) is HourlyReads
    assert {type(value) for value in reads.starts_at_us} <= {int}
    assert {type(value) for value in reads.kwh} <= {float}
    assert {type(value) for value in reads.estimated} <= {bool}
    return list(reads.rows())


def daily_rows(reads: DailyReads) -> list[DailyRead]:
    assert type(reads) is DailyReads
    assert {type(value) for value in reads.days} <= {date}
    assert {type(value) for value in reads.kwh} <= {float}
    assert {type(value) for value in reads.estimated} <= {bool}
    return list(reads.rows())


# --- hourly reads ---------------------------------------------------------------------


async def test_a_year_of_hourly_reads_is_the_meters_history(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    history = meter_data_facts.meters[0]
    end = meter_data_facts.local_midnight(meter_data_facts.end_day)
    start = end - timedelta(days=DAYS_PER_YEAR)

    reads = hourly_rows(await meter_data.hourly_reads(history.meter_no, start=start, end=end))

    assert reads == hourly_between(history, start, end)
    assert len(reads) == DAYS_PER_YEAR * 24
    assert any(read.estimated for read in reads)
    assert all(read.starts_at.utcoffset() == timedelta(0) for read in reads)


async def test_hourly_ranges_are_half_open(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    history = meter_data_facts.meters[0]
    first = history.hourly[100].starts_at

    reads = hourly_rows(
        await meter_data.hourly_reads(history.meter_no, start=first, end=first + 3 * HOUR)
    )

    assert [read.starts_at for read in reads] == [first, first + HOUR, first + 2 * HOUR]
    assert await meter_data.hourly_reads(history.meter_no, start=first, end=first) == HourlyReads()


async def test_hourly_reads_start_at_the_first_whole_hour_inside_the_range(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    history = meter_data_facts.meters[1]
    hour = history.hourly[200].starts_at

    reads = hourly_rows(
        await meter_data.hourly_reads(
            history.meter_no,
            start=hour + timedelta(minutes=30),
            end=hour + 2 * HOUR + timedelta(seconds=1),
        )
    )

    assert [read.starts_at for read in reads] == [hour + HOUR, hour + 2 * HOUR]


async def test_hourly_reads_accept_any_offset_and_answer_in_utc(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    history = meter_data_facts.meters[0]
    start_local = meter_data_facts.local_midnight(
        meter_data_facts.first_hourly_day + timedelta(days=10)
    )
    end_local = start_local + timedelta(days=2)

    in_local_time = hourly_rows(
        await meter_data.hourly_reads(history.meter_no, start=start_local, end=end_local)
    )
    in_utc = hourly_rows(
        await meter_data.hourly_reads(
            history.meter_no, start=start_local.astimezone(UTC), end=end_local.astimezone(UTC)
        )
    )

    assert in_local_time == in_utc == hourly_between(history, start_local, end_local)
    assert all(read.starts_at.utcoffset() == timedelta(0) for read in in_local_time)


async def test_dst_days_have_23_and_25_hourly_reads(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    meter_no = meter_data_facts.meters[2].meter_no
    counts = set()
    spring, autumn = meter_data_facts.dst_changes()
    assert (spring.month, autumn.month) == (3, 11)
    for day in (spring, autumn, spring + timedelta(days=90)):
        reads = await meter_data.hourly_reads(
            meter_no,
            start=meter_data_facts.local_midnight(day),
            end=meter_data_facts.local_midnight(day + timedelta(days=1)),
        )
        counts.add(len(reads))
    assert counts == {23, 25, 24}


async def test_no_hourly_reads_outside_the_hourly_window(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    facts = meter_data_facts
    meter_no = facts.meters[0].meter_no
    before = facts.local_midnight(facts.first_day)
    window_start = facts.local_midnight(facts.first_hourly_day)
    after = facts.local_midnight(facts.end_day)

    assert await meter_data.hourly_reads(meter_no, start=before, end=window_start) == HourlyReads()
    assert (
        await meter_data.hourly_reads(meter_no, start=after, end=after + timedelta(days=30))
        == HourlyReads()
    )


# --- daily reads ----------------------------------------------------------------------


async def test_daily_reads_cover_the_whole_history(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    history = meter_data_facts.meters[0]

    reads = daily_rows(
        await meter_data.daily_reads(history.meter_no, start=date(2000, 1, 1), end=date(2100, 1, 1))
    )

    assert reads == daily_between(history, meter_data_facts.first_day, meter_data_facts.end_day)
    assert reads[0].day == meter_data_facts.first_day
    assert reads[-1].day == meter_data_facts.end_day - timedelta(days=1)
    assert any(read.estimated for read in reads)


async def test_daily_ranges_are_half_open(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    meter_no = meter_data_facts.meters[3].meter_no
    day = meter_data_facts.first_day + timedelta(days=40)

    reads = daily_rows(
        await meter_data.daily_reads(meter_no, start=day, end=day + timedelta(days=2))
    )

    assert [read.day for read in reads] == [day, day + timedelta(days=1)]
    assert await meter_data.daily_reads(meter_no, start=day, end=day) == DailyReads()


async def test_a_daily_read_is_the_sum_of_its_hourly_reads(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    facts = meter_data_facts
    history = facts.meters[0]
    estimated_hour = next(read for read in history.hourly if read.estimated)
    day = estimated_hour.starts_at.astimezone(facts.time_zone).date()
    for this_day in (day, *facts.dst_changes()):
        next_day = this_day + timedelta(days=1)
        (daily,) = daily_rows(
            await meter_data.daily_reads(history.meter_no, start=this_day, end=next_day)
        )
        hourly = hourly_rows(
            await meter_data.hourly_reads(
                history.meter_no,
                start=facts.local_midnight(this_day),
                end=facts.local_midnight(next_day),
            )
        )
        assert round(sum(read.kwh for read in hourly), 3) == daily.kwh
        assert daily.estimated == any(read.estimated for read in hourly)
    (estimated_day,) = daily_rows(
        await meter_data.daily_reads(history.meter_no, start=day, end=day + timedelta(days=1))
    )
    assert estimated_day.estimated


# --- unknown things -------------------------------------------------------------------


async def test_unknown_meters_are_not_found(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    unknown = meter_data_facts.unknown_meter_no
    end = meter_data_facts.local_midnight(meter_data_facts.end_day)
    with pytest.raises(MeterDataNotFound, match=unknown):
        await meter_data.hourly_reads(unknown, start=end - timedelta(days=1), end=end)
    with pytest.raises(MeterDataNotFound, match=unknown):
        await meter_data.daily_reads(unknown, start=date(2020, 1, 1), end=meter_data_facts.end_day)


async def test_unknown_locations_and_stations_are_not_found(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    with pytest.raises(MeterDataNotFound):
        await meter_data.weather_station_for_location(meter_data_facts.unknown_location_id)
    with pytest.raises(MeterDataNotFound):
        await meter_data.daily_weather(
            meter_data_facts.unknown_station_id, start=date(2020, 1, 1), end=date(2030, 1, 1)
        )


async def test_a_known_meter_with_nothing_in_range_gives_no_reads(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    meter_no = meter_data_facts.meters[0].meter_no

    reads = await meter_data.daily_reads(meter_no, start=date(1990, 1, 1), end=date(1991, 1, 1))

    assert reads == DailyReads()


# --- bad arguments --------------------------------------------------------------------


async def test_naive_datetimes_and_reversed_ranges_are_refused(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    meter_no = meter_data_facts.meters[0].meter_no
    naive = datetime(2026, 1, 1)  # no time zone: the mistake under test
    aware = datetime(2026, 1, 2, tzinfo=UTC)
    with pytest.raises(ValueError, match="timezone-aware"):
        await meter_data.hourly_reads(meter_no, start=naive, end=aware)
    with pytest.raises(ValueError, match="timezone-aware"):
        await meter_data.hourly_reads_many([meter_no], start=aware, end=naive)
    with pytest.raises(ValueError, match="before start"):
        await meter_data.hourly_reads(meter_no, start=aware, end=aware - HOUR)
    with pytest.raises(ValueError, match="before start"):
        await meter_data.daily_reads(meter_no, start=date(2026, 2, 1), end=date(2026, 1, 1))
    with pytest.raises(ValueError, match="before start"):
        await meter_data.daily_weather(
            meter_data_facts.weather_station_id, start=date(2026, 2, 1), end=date(2026, 1, 1)
        )


# --- batches --------------------------------------------------------------------------


async def test_batched_hourly_reads_agree_with_single_ones(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    meter_nos = [history.meter_no for history in meter_data_facts.meters[:4]]
    start = meter_data_facts.meters[0].hourly[500].starts_at
    end = start + timedelta(days=20)
    asked = [meter_nos[2], meter_data_facts.unknown_meter_no, *meter_nos, meter_nos[0]]

    batch = await meter_data.hourly_reads_many(asked, start=start, end=end)

    assert list(batch) == [meter_nos[2], meter_nos[0], meter_nos[1], meter_nos[3]]
    for meter_no in meter_nos:
        assert hourly_rows(batch[meter_no]) == hourly_rows(
            await meter_data.hourly_reads(meter_no, start=start, end=end)
        )
        assert len(batch[meter_no]) == 20 * 24  # whole UTC days: DST changes nothing


async def test_a_batched_year_of_hourly_reads_is_each_meters_history(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    """What the usage of a year asks: several meters, local midnights, both DST changes."""
    histories = meter_data_facts.meters[:3]
    end = meter_data_facts.local_midnight(meter_data_facts.end_day)
    start = meter_data_facts.local_midnight(meter_data_facts.end_day - timedelta(days=365))

    batch = await meter_data.hourly_reads_many(
        [history.meter_no for history in histories], start=start, end=end
    )

    for history in histories:
        reads = hourly_rows(batch[history.meter_no])
        assert reads == hourly_between(history, start, end)
        assert len(reads) == DAYS_PER_YEAR * 24  # a spring day of 23 hours, a fall one of 25
        assert list(batch[history.meter_no].starts_at_us) == sorted(
            set(batch[history.meter_no].starts_at_us)
        )
    assert any(read.estimated for read in hourly_rows(batch[histories[0].meter_no]))


async def test_batched_daily_reads_agree_with_single_ones(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    meter_nos = [history.meter_no for history in meter_data_facts.meters[-3:]]
    start = meter_data_facts.first_day + timedelta(days=5)
    end = meter_data_facts.first_day + timedelta(days=70)

    batch = await meter_data.daily_reads_many(
        [*meter_nos, meter_data_facts.unknown_meter_no], start=start, end=end
    )

    assert list(batch) == meter_nos
    for meter_no in meter_nos:
        assert daily_rows(batch[meter_no]) == daily_rows(
            await meter_data.daily_reads(meter_no, start=start, end=end)
        )
        assert len(batch[meter_no]) == 65


async def test_batches_keep_known_meters_with_nothing_in_range(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    meter_no = meter_data_facts.meters[0].meter_no
    empty = await meter_data.daily_reads_many(
        [meter_no], start=date(1990, 1, 1), end=date(1991, 1, 1)
    )
    assert dict(empty) == {meter_no: DailyReads()}
    start = datetime(1990, 1, 1, tzinfo=UTC)
    hourly = await meter_data.hourly_reads_many([meter_no], start=start, end=start + HOUR)
    assert dict(hourly) == {meter_no: HourlyReads()}
    assert await meter_data.hourly_reads_many([], start=start, end=start + HOUR) == {}
    unknown = [meter_data_facts.unknown_meter_no]
    assert (
        await meter_data.daily_reads_many(unknown, start=date(2020, 1, 1), end=date(2021, 1, 1))
        == {}
    )


# --- weather --------------------------------------------------------------------------


async def test_every_location_has_its_weather_station(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    for location_id, station_id in meter_data_facts.stations_by_location.items():
        assert await meter_data.weather_station_for_location(location_id) == station_id


async def test_daily_weather_is_the_stations_weather(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    station_id = meter_data_facts.weather_station_id
    start = meter_data_facts.first_day + timedelta(days=30)
    end = meter_data_facts.first_day + timedelta(days=60)

    weather = await meter_data.daily_weather(station_id, start=start, end=end)

    assert weather == [w for w in meter_data_facts.weather if start <= w.day < end]
    assert len(weather) == 30
    assert await meter_data.daily_weather(station_id, start=start, end=start) == []


async def test_ping_answers(meter_data: MeterDataPort) -> None:
    await meter_data.ping()
