"""Daily weather for central New Mexico's high valleys and the Rio Grande valley.

A seasonal curve per station (cold, dry winters; hot early summers; the monsoon cools
July and August a little) plus day-to-day swings that persist for a few days, as fronts
do. Figures follow the long-run normals of the towns named, rounded.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta

from simulators.world import WorldWeatherStation


@dataclass(frozen=True, slots=True)
class StationClimate:
    station: WorldWeatherStation
    january_high: float
    january_low: float
    july_high: float
    july_low: float


CLIMATES: tuple[StationClimate, ...] = (
    StationClimate(WorldWeatherStation("KMRT", "Moriarty", 34.98, -106.05, 6204), 46, 15, 87, 54),
    StationClimate(WorldWeatherStation("KEST", "Estancia", 34.76, -106.05, 6112), 47, 16, 88, 55),
    StationClimate(WorldWeatherStation("KEDG", "Edgewood", 35.06, -106.19, 6627), 44, 16, 85, 54),
    StationClimate(
        WorldWeatherStation("KMNA", "Mountainair", 34.52, -106.24, 6496), 45, 18, 85, 55
    ),
    StationClimate(WorldWeatherStation("KLLN", "Los Lunas", 34.81, -106.73, 4856), 50, 21, 93, 60),
)


def _seasonal(day: date, january: float, july: float) -> float:
    # Coldest around 12 January, warmest around 12 July; a slight monsoon dip in August.
    phase = 2 * math.pi * (day.timetuple().tm_yday - 12) / 365.25
    mid, half_range = (january + july) / 2, (july - january) / 2
    monsoon = -2.5 * math.exp(-(((day.timetuple().tm_yday - 215) / 20) ** 2))
    return mid - half_range * math.cos(phase) + monsoon


def daily_weather(
    climate: StationClimate, *, start: date, days: int, rng: random.Random
) -> tuple[tuple[float, float, float], ...]:
    """(high, low, mean) °F for `days` days from `start`, rounded to 0.1 °F."""
    out: list[tuple[float, float, float]] = []
    anomaly = 0.0
    for offset in range(days):
        day = start + timedelta(days=offset)
        # AR(1) anomaly: fronts last a few days; winter swings are wider than summer's.
        winter_weight = 0.5 + 0.5 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 12) / 365.25)
        anomaly = 0.7 * anomaly + rng.gauss(0, 3.0 + 3.0 * winter_weight)
        high = _seasonal(day, climate.january_high, climate.july_high) + anomaly + rng.gauss(0, 1.5)
        low = (
            _seasonal(day, climate.january_low, climate.july_low)
            + 0.8 * anomaly
            + rng.gauss(0, 1.5)
        )
        low = min(low, high - 8)
        out.append((round(high, 1), round(low, 1), round((high + low) / 2, 1)))
    return tuple(out)
