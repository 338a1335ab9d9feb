"""Daily energy use that follows the weather, so month-to-month comparisons mean something.

kWh per day = base load + heating per heating degree day + cooling per cooling degree
day (base 65 °F), with weekday/weekend shape for businesses and a little noise. Each
service gets its own coefficients: some heat with electricity, most with propane or
gas and only run a furnace fan; evaporative coolers and heat pumps both appear.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from simulators.world import RateClass

DEGREE_DAY_BASE_F = 65.0


@dataclass(frozen=True, slots=True)
class LoadProfile:
    base_kwh: float
    kwh_per_hdd: float
    kwh_per_cdd: float
    weekend_factor: float  # 1.0 for homes; businesses are mostly closed on weekends
    noise: float  # relative day-to-day variation


def random_profile(
    rng: random.Random, rate_class: RateClass, *, is_well_or_shop: bool
) -> LoadProfile:
    if rate_class is RateClass.COMMERCIAL:
        return LoadProfile(
            base_kwh=rng.uniform(60, 320),
            kwh_per_hdd=rng.uniform(1.0, 6.0),
            kwh_per_cdd=rng.uniform(3.0, 12.0),
            weekend_factor=rng.uniform(0.35, 0.9),
            noise=0.08,
        )
    if is_well_or_shop:  # a well pump or a shop: small, summer-heavy
        return LoadProfile(
            rng.uniform(2, 6), rng.uniform(0.0, 0.2), rng.uniform(0.2, 0.6), 1.0, 0.2
        )
    electric_heat = rng.random() < 0.25
    return LoadProfile(
        base_kwh=rng.uniform(12, 26),
        kwh_per_hdd=rng.uniform(0.9, 1.6) if electric_heat else rng.uniform(0.1, 0.35),
        kwh_per_cdd=rng.uniform(0.6, 1.8),
        weekend_factor=rng.uniform(1.0, 1.12),
        noise=0.12,
    )


def daily_kwh(
    profile: LoadProfile,
    *,
    start: date,
    mean_temperatures: tuple[float, ...],
    rng: random.Random,
) -> tuple[float, ...]:
    out: list[float] = []
    for offset, mean_f in enumerate(mean_temperatures):
        day = start + timedelta(days=offset)
        hdd = max(0.0, DEGREE_DAY_BASE_F - mean_f)
        cdd = max(0.0, mean_f - DEGREE_DAY_BASE_F)
        kwh = profile.base_kwh + profile.kwh_per_hdd * hdd + profile.kwh_per_cdd * cdd
        if day.weekday() >= 5:
            kwh *= profile.weekend_factor
        kwh *= max(0.3, rng.gauss(1.0, profile.noise))
        out.append(round(kwh, 3))
    return tuple(out)
