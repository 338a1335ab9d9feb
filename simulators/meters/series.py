"""Hourly and daily meter reads derived from a `World`, identically every time.

The meter data store's loader and the fake's builder (`fake_from_world`) both call
this module, so the SQL store and the fake hold the same numbers. Everything is
computed in integer watt-hours and handed out as `Wh / 1000` floats: a day's hours
then sum exactly (to the thousandth of a kWh) to that day's read, and every value
survives a round trip through a SQL double unchanged.

Shapes follow local clock hours in the co-op's time zone, so a spring-forward day has
23 hours and a fall-back day 25, the repeated 1 a.m. hour drawing the same profile
weight twice. Each meter has its own random stream (seeded by the World's seed and
the meter number), which makes one meter's series independent of every other's.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from itertools import accumulate
from zoneinfo import ZoneInfo

from simulators.world import RateClass, World

HOURLY_MONTHS = 13
MIN_HOURLY_DAYS = 396
_HOUR = timedelta(hours=1)

# How strongly a warm or cold day reshapes the load (per °F of the day's mean).
_COOLING_BALANCE_F, _COOLING_SPAN_F = 65.0, 8.0
_HEATING_BALANCE_F, _HEATING_SPAN_F = 55.0, 15.0
# Hour-to-hour appliance noise: each hour's weight is scaled by 1 ± this.
_NOISE = 0.3
_MAX_GAP_HOURS = 12


class Archetype(StrEnum):
    TYPICAL_HOME = "typical_home"
    HOME_DAYTIME = "home_daytime"  # someone is home during the day
    EV_OVERNIGHT = "ev_overnight"  # an electric car charges after 9 p.m.
    OFFICE = "office"  # weekdays only
    RETAIL = "retail"  # open every day, later hours


ARCHETYPES: dict[RateClass, tuple[Archetype, ...]] = {
    RateClass.RESIDENTIAL: (
        Archetype.TYPICAL_HOME,
        Archetype.TYPICAL_HOME,
        Archetype.HOME_DAYTIME,
        Archetype.EV_OVERNIGHT,
    ),
    RateClass.COMMERCIAL: (Archetype.OFFICE, Archetype.RETAIL),
}

Profile = tuple[float, ...]  # one weight per local clock hour, 0..23

_HOME: Profile = (
    0.55, 0.50, 0.47, 0.46, 0.47, 0.55, 0.80, 1.00, 0.95, 0.80, 0.72, 0.70,
    0.72, 0.70, 0.70, 0.76, 0.90, 1.15, 1.35, 1.42, 1.32, 1.15, 0.90, 0.68,
)  # fmt: skip
_DAYTIME_EXTRA: Profile = (
    0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.05, 0.15, 0.30, 0.40, 0.45,
    0.50, 0.45, 0.40, 0.30, 0.15, 0.05, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
)  # fmt: skip
_EV_EXTRA: Profile = (
    1.30, 1.30, 1.10, 0.60, 0.20, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00,
    0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.00, 0.30, 0.90, 1.25,
)  # fmt: skip
_HOME_COOLING: Profile = (
    0.25, 0.20, 0.15, 0.12, 0.10, 0.10, 0.10, 0.12, 0.18, 0.28, 0.42, 0.58,
    0.75, 0.92, 1.05, 1.15, 1.20, 1.18, 1.05, 0.85, 0.65, 0.50, 0.40, 0.30,
)  # fmt: skip
_HOME_HEATING: Profile = (
    0.60, 0.60, 0.62, 0.65, 0.75, 0.95, 1.15, 1.10, 0.85, 0.60, 0.45, 0.40,
    0.38, 0.38, 0.40, 0.48, 0.62, 0.82, 0.95, 0.95, 0.90, 0.82, 0.72, 0.65,
)  # fmt: skip
_OFFICE_OPEN: Profile = (
    0.35, 0.34, 0.34, 0.34, 0.35, 0.42, 0.65, 0.95, 1.20, 1.30, 1.32, 1.32,
    1.30, 1.32, 1.32, 1.30, 1.22, 1.00, 0.72, 0.55, 0.45, 0.40, 0.38, 0.36,
)  # fmt: skip
_OFFICE_CLOSED: Profile = (
    0.35, 0.34, 0.34, 0.34, 0.34, 0.35, 0.36, 0.37, 0.38, 0.40, 0.41, 0.42,
    0.42, 0.42, 0.41, 0.40, 0.39, 0.38, 0.37, 0.37, 0.36, 0.36, 0.35, 0.35,
)  # fmt: skip
_RETAIL: Profile = (
    0.30, 0.30, 0.30, 0.30, 0.30, 0.32, 0.38, 0.55, 0.85, 1.15, 1.25, 1.28,
    1.30, 1.30, 1.30, 1.30, 1.30, 1.30, 1.28, 1.20, 1.05, 0.70, 0.40, 0.32,
)  # fmt: skip
_BUSINESS_COOLING: Profile = (
    0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.10, 0.25, 0.45, 0.65, 0.80, 0.92,
    1.00, 1.05, 1.10, 1.10, 1.02, 0.85, 0.55, 0.30, 0.15, 0.10, 0.05, 0.05,
)  # fmt: skip
_BUSINESS_HEATING: Profile = (
    0.20, 0.20, 0.20, 0.20, 0.25, 0.45, 0.90, 1.10, 1.00, 0.80, 0.65, 0.55,
    0.50, 0.50, 0.50, 0.55, 0.60, 0.55, 0.35, 0.25, 0.20, 0.20, 0.20, 0.20,
)  # fmt: skip


def _plus(a: Profile, b: Profile) -> Profile:
    return tuple(x + y for x, y in zip(a, b, strict=True))


def _base_profile(archetype: Archetype, weekday: int) -> Profile:
    if archetype is Archetype.HOME_DAYTIME:
        return _plus(_HOME, _DAYTIME_EXTRA)
    if archetype is Archetype.EV_OVERNIGHT:
        return _plus(_HOME, _EV_EXTRA)
    if archetype is Archetype.OFFICE:
        return _OFFICE_OPEN if weekday < 5 else _OFFICE_CLOSED
    if archetype is Archetype.RETAIL:
        return _RETAIL
    return _HOME


def _climate_profiles(archetype: Archetype) -> tuple[Profile, Profile]:
    if archetype in (Archetype.OFFICE, Archetype.RETAIL):
        return _BUSINESS_COOLING, _BUSINESS_HEATING
    return _HOME_COOLING, _HOME_HEATING


def to_watt_hours(kwh: float) -> int:
    """kWh rounded half-up to whole watt-hours (the store's resolution)."""
    return int(Decimal(repr(kwh)).scaleb(3).to_integral_value(ROUND_HALF_UP))


def hourly_start(world: World) -> date:
    """First local day with hourly reads: 13 months (and at least 396 days) before as_of."""
    months_back = world.as_of.year * 12 + world.as_of.month - 1 - HOURLY_MONTHS
    year, month = divmod(months_back, 12)
    month += 1
    day = world.as_of.day
    while True:
        try:
            calendar_start = date(year, month, day)
            break
        except ValueError:  # 31 March minus 13 months has no 31 February
            day -= 1
    start = min(calendar_start, world.as_of - timedelta(days=MIN_HOURLY_DAYS))
    return max(start, world.usage_start)


@dataclass(frozen=True, slots=True)
class Calendar:
    """The days and hours every meter's series is laid on."""

    time_zone: ZoneInfo
    days: tuple[date, ...]  # usage_start .. the day before as_of
    day_starts: tuple[datetime, ...]  # UTC instant of each local midnight, one past the end
    first_hourly_day: int  # index into `days` of the first day with hourly reads
    hour_starts: tuple[datetime, ...]  # every hourly read's start: consecutive UTC hours
    hourly_day_offsets: tuple[int, ...]  # index into hour_starts of each hourly day, plus end
    local_hours: tuple[tuple[int, ...], ...]  # per hourly day: local clock hour of each hour

    @classmethod
    def for_world(cls, world: World) -> Calendar:
        zone = ZoneInfo(world.time_zone)
        count = max((world.as_of - world.usage_start).days, 0)
        days = tuple(world.usage_start + timedelta(days=i) for i in range(count + 1))
        day_starts = tuple(
            datetime(d.year, d.month, d.day, tzinfo=zone).astimezone(UTC) for d in days
        )
        first_hourly_day = min((hourly_start(world) - world.usage_start).days, count)
        hour_starts: list[datetime] = []
        offsets: list[int] = []
        local_hours: list[tuple[int, ...]] = []
        for index in range(first_hourly_day, count):
            offsets.append(len(hour_starts))
            instant, end = day_starts[index], day_starts[index + 1]
            if (end - instant) % _HOUR:
                raise ValueError(f"{days[index]} in {world.time_zone} is not whole hours long")
            hours: list[int] = []
            while instant < end:
                hour_starts.append(instant)
                hours.append(instant.astimezone(zone).hour)
                instant += _HOUR
            local_hours.append(tuple(hours))
        offsets.append(len(hour_starts))
        return cls(
            time_zone=zone,
            days=days[:count],
            day_starts=day_starts,
            first_hourly_day=first_hourly_day,
            hour_starts=tuple(hour_starts),
            hourly_day_offsets=tuple(offsets),
            local_hours=tuple(local_hours),
        )

    @property
    def hourly_days(self) -> tuple[date, ...]:
        return self.days[self.first_hourly_day :]


@dataclass(frozen=True, slots=True)
class MeterSeries:
    """One meter's reads in whole watt-hours, parallel to its `Calendar`'s days and hours.

    A read's kWh is `wh / 1000`: Python and both SQL backends divide IEEE doubles the
    same way, so the value is identical wherever it is computed.
    """

    meter_no: str
    daily_wh: Sequence[int]
    daily_estimated: Sequence[bool]
    hourly_wh: Sequence[int]
    hourly_estimated: Sequence[bool]

    @property
    def daily_kwh(self) -> list[float]:
        return [wh / 1000 for wh in self.daily_wh]

    @property
    def hourly_kwh(self) -> list[float]:
        return [wh / 1000 for wh in self.hourly_wh]


@dataclass(frozen=True, slots=True)
class _MeterProfile:
    rate_class: RateClass
    station_id: str


class SeriesSource:
    """Derives any meter's series on demand; shape weights are shared between meters."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.calendar = Calendar.for_world(world)
        locations = {location.location_id: location for location in world.locations}
        self._profiles: dict[str, _MeterProfile] = {}
        for meter in world.meters:
            location = locations.get(meter.location_id)
            if location is None:
                raise ValueError(
                    f"meter {meter.meter_no} is at unknown location {meter.location_id}"
                )
            self._profiles[meter.meter_no] = _MeterProfile(
                location.rate_class, location.weather_station
            )
        day_count = len(self.calendar.days)
        for meter_no, values in world.daily_kwh.items():
            if meter_no not in self._profiles:
                raise ValueError(f"daily kWh given for unknown meter {meter_no}")
            if len(values) != day_count:
                raise ValueError(
                    f"meter {meter_no} has {len(values)} daily kWh values,"
                    f" expected {day_count} ({world.usage_start} to {world.as_of})"
                )
        self._mean_f: dict[str, tuple[float, ...]] = {
            station: tuple(mean for _high, _low, mean in weather)
            for station, weather in world.daily_weather.items()
        }
        self._day_first_hour = tuple(
            (start - self.calendar.day_starts[0]) // _HOUR for start in self.calendar.day_starts
        )
        self._shapes: dict[tuple[Archetype, str, int], Profile] = {}

    @property
    def meter_nos(self) -> tuple[str, ...]:
        """Meters with reads, in the World's order."""
        return tuple(m.meter_no for m in self.world.meters if m.meter_no in self.world.daily_kwh)

    def derive(self, meter_no: str) -> MeterSeries:
        profile = self._profiles.get(meter_no)
        values = self.world.daily_kwh.get(meter_no)
        if profile is None or values is None:
            raise KeyError(meter_no)
        calendar = self.calendar
        rng = random.Random(f"coop-meters:{self.world.seed}:{meter_no}")
        archetype = rng.choice(ARCHETYPES[profile.rate_class])
        daily_wh = [to_watt_hours(value) for value in values]
        if any(wh < 0 for wh in daily_wh):
            raise ValueError(f"meter {meter_no} has negative daily kWh")

        estimated_hours = self._gap_hours(rng)
        daily_estimated = [False] * len(calendar.days)
        for hour in estimated_hours:
            daily_estimated[bisect_right(self._day_first_hour, hour) - 1] = True
        window_first_hour = self._day_first_hour[calendar.first_hourly_day]
        hourly_estimated = [False] * len(calendar.hour_starts)
        for hour in estimated_hours:
            if hour >= window_first_hour:
                hourly_estimated[hour - window_first_hour] = True

        hourly_wh: list[int] = []
        rand = rng.random
        offsets = calendar.hourly_day_offsets
        for position, day_index in enumerate(range(calendar.first_hourly_day, len(calendar.days))):
            shape = self._shape(archetype, profile.station_id, day_index)
            weights = [w * (1.0 - _NOISE + 2.0 * _NOISE * rand()) for w in shape]
            lo = offsets[position]
            if daily_estimated[day_index]:
                _flatten_estimated(weights, hourly_estimated[lo : offsets[position + 1]])
            hourly_wh.extend(_split(daily_wh[day_index], weights))
        return MeterSeries(
            meter_no=meter_no,
            daily_wh=daily_wh,
            daily_estimated=daily_estimated,
            hourly_wh=hourly_wh,
            hourly_estimated=hourly_estimated,
        )

    def _gap_hours(self, rng: random.Random) -> list[int]:
        """A few short spans the meter did not report (one always inside the hourly window)."""
        total = self._day_first_hour[-1]
        window_first = self._day_first_hour[self.calendar.first_hourly_day]
        if total == 0:
            return []
        spans = [rng.randrange(window_first, total)] if window_first < total else []
        spans += [rng.randrange(total) for _ in range(rng.randint(0, 2))]
        hours: set[int] = set()
        for start in spans:
            hours.update(range(start, min(start + rng.randint(1, _MAX_GAP_HOURS), total)))
        return sorted(hours)

    def _shape(self, archetype: Archetype, station_id: str, day_index: int) -> Profile:
        """Hour weights for one day, before noise: clock-hour profile plus the weather's."""
        key = (archetype, station_id, day_index)
        shape = self._shapes.get(key)
        if shape is None:
            day = self.calendar.days[day_index]
            means = self._mean_f.get(station_id)
            mean_f = means[day_index] if means is not None else _COOLING_BALANCE_F
            cooling = max(0.0, mean_f - _COOLING_BALANCE_F) / _COOLING_SPAN_F
            heating = max(0.0, _HEATING_BALANCE_F - mean_f) / _HEATING_SPAN_F
            base = _base_profile(archetype, day.weekday())
            cool, heat = _climate_profiles(archetype)
            shape = tuple(
                base[h] + cooling * cool[h] + heating * heat[h]
                for h in self.calendar.local_hours[day_index - self.calendar.first_hourly_day]
            )
            self._shapes[key] = shape
        return shape


def _flatten_estimated(weights: list[float], estimated: Sequence[bool]) -> None:
    """Estimated hours get their average share, as a meter data system's fill would."""
    positions = [i for i, flag in enumerate(estimated) if flag]
    if positions:
        mean = sum(weights[i] for i in positions) / len(positions)
        for i in positions:
            weights[i] = mean


def _split(total_wh: int, weights: list[float]) -> list[int]:
    """`total_wh` shared out in proportion to `weights`, in whole Wh that sum exactly."""
    scale = total_wh / sum(weights)
    cumulative = [int(c * scale + 0.5) for c in accumulate(weights)]
    cumulative[-1] = total_wh
    previous = [0, *cumulative[:-1]]
    return [now - before for before, now in zip(previous, cumulative, strict=True)]
