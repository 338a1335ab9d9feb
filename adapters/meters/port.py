"""The meter data store: interval and daily reads, and the weather that explains them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol, Self

from adapters.errors import AdapterError, BackendFault, BackendUnavailable, NotFound


class MeterDataError(AdapterError):
    system = "meters"


class MeterDataUnavailable(MeterDataError, BackendUnavailable):
    pass


class MeterDataNotFound(MeterDataError, NotFound):
    pass


class MeterDataFault(MeterDataError, BackendFault):
    pass


@dataclass(frozen=True, slots=True)
class IntervalRead:
    """Energy delivered during one hour starting at `starts_at` (aware, UTC)."""

    starts_at: datetime
    kwh: float
    estimated: bool


@dataclass(frozen=True, slots=True)
class DailyRead:
    """Energy delivered during one local calendar day of the co-op."""

    day: date
    kwh: float
    estimated: bool


EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def epoch_microseconds(instant: datetime) -> int:
    """An aware instant as whole microseconds since the Unix epoch (exact, any offset)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"expected an aware datetime, got naive {instant.isoformat()}")
    return (instant - EPOCH) // _MICROSECOND


def instant_of(microseconds: int) -> datetime:
    """The aware UTC instant `microseconds` after the Unix epoch."""
    return EPOCH + timedelta(microseconds=microseconds)


def _same_lengths(owner: str, *columns: tuple[object, ...]) -> None:
    if len({len(column) for column in columns}) > 1:
        lengths = ", ".join(str(len(column)) for column in columns)
        raise ValueError(f"{owner} columns differ in length: {lengths}")


@dataclass(frozen=True, slots=True)
class HourlyReads:
    """One meter's hourly reads as parallel columns, oldest first: row `i` is the hour
    starting `starts_at_us[i]` microseconds after the Unix epoch (UTC), with its energy
    and whether it was estimated.

    A year is 8,760 rows per meter: as columns of plain ints, floats and bools they are
    read, summed and cached without an object per row. Tuples, so that a value shared
    between requests (the caches keep them) cannot be changed by one of them.
    """

    starts_at_us: tuple[int, ...] = ()
    kwh: tuple[float, ...] = ()
    estimated: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        _same_lengths("HourlyReads", self.starts_at_us, self.kwh, self.estimated)

    def __len__(self) -> int:
        return len(self.starts_at_us)

    @classmethod
    def from_rows(cls, reads: Iterable[IntervalRead]) -> Self:
        rows = [(epoch_microseconds(r.starts_at), r.kwh, r.estimated) for r in reads]
        if not rows:
            return cls()
        starts_at_us, kwh, estimated = zip(*rows, strict=True)
        return cls(starts_at_us, kwh, estimated)

    def rows(self) -> tuple[IntervalRead, ...]:
        """One `IntervalRead` per row: for the callers that want objects, not columns."""
        return tuple(
            IntervalRead(instant_of(at), kwh, estimated)
            for at, kwh, estimated in zip(self.starts_at_us, self.kwh, self.estimated, strict=True)
        )


@dataclass(frozen=True, slots=True)
class DailyReads:
    """One meter's daily reads as parallel columns, oldest first (see `HourlyReads`)."""

    days: tuple[date, ...] = ()
    kwh: tuple[float, ...] = ()
    estimated: tuple[bool, ...] = ()

    def __post_init__(self) -> None:
        _same_lengths("DailyReads", self.days, self.kwh, self.estimated)

    def __len__(self) -> int:
        return len(self.days)

    @classmethod
    def from_rows(cls, reads: Iterable[DailyRead]) -> Self:
        rows = [(r.day, r.kwh, r.estimated) for r in reads]
        if not rows:
            return cls()
        days, kwh, estimated = zip(*rows, strict=True)
        return cls(days, kwh, estimated)

    def rows(self) -> tuple[DailyRead, ...]:
        return tuple(
            DailyRead(day, kwh, estimated)
            for day, kwh, estimated in zip(self.days, self.kwh, self.estimated, strict=True)
        )


@dataclass(frozen=True, slots=True)
class DailyWeather:
    day: date
    high_f: float
    low_f: float
    mean_f: float


class MeterDataPort(Protocol):
    """Half-open ranges: `start` included, `end` excluded; results oldest first.

    Unknown meters, stations or locations raise `MeterDataNotFound`; a known meter with
    no reads in the range returns empty reads. Hourly ranges take aware datetimes
    (any offset) and return instants in UTC. A naive datetime or an `end` before
    `start` is a caller's bug and raises `ValueError`.
    """

    async def hourly_reads(
        self, meter_no: str, *, start: datetime, end: datetime
    ) -> HourlyReads: ...

    async def daily_reads(self, meter_no: str, *, start: date, end: date) -> DailyReads: ...

    async def hourly_reads_many(
        self, meter_nos: Sequence[str], *, start: datetime, end: datetime
    ) -> Mapping[str, HourlyReads]:
        """`hourly_reads` for several meters in one round trip (for batching loaders).

        Every known meter asked for is a key (with empty reads if it has none in the
        range); unknown meters are left out rather than failing the whole batch,
        so the caller can turn each missing key into `MeterDataNotFound` for that key.
        """
        ...

    async def daily_reads_many(
        self, meter_nos: Sequence[str], *, start: date, end: date
    ) -> Mapping[str, DailyReads]:
        """`daily_reads` for several meters in one round trip; unknown meters left out."""
        ...

    async def weather_station_for_location(self, location_id: str) -> str: ...

    async def daily_weather(
        self, station_id: str, *, start: date, end: date
    ) -> Sequence[DailyWeather]: ...

    async def ping(self) -> None:
        """Cheap round trip proving the store answers (readiness checks)."""
        ...

    async def aclose(self) -> None: ...
