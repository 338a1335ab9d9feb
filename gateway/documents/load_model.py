"""How an account's daily use follows the weather: kWh a day = base + h x HDD + c x CDD.

Heating and cooling degree days are taken against 65 °F from the station's daily
mean, as the usage comparison counts them (`gateway.usage.comparison`). The three
coefficients are fitted by least squares (numpy), weighted by each day's expected
use since a day's variation is a share of it, over the days that have both a read
and a temperature; a year of days sees a winter and a summer, so both
slopes are known. A coefficient the data cannot support (a home that never cools
in a year without a hot day) comes out near zero rather than wild: the fit is
constrained to non-negative slopes by refitting without a slope that came out
negative.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from gateway.core.errors import BadUserInput
from gateway.usage.comparison import DEGREE_DAY_BASE_F

# Fewer days than this say too little about the weather to explain a bill by it.
MIN_DAYS = 60


class NotEnoughData(BadUserInput):
    """Too few days with both a read and a temperature to fit the model."""


@dataclass(frozen=True, slots=True)
class LoadModel:
    base_kwh_per_day: float
    kwh_per_hdd: float
    kwh_per_cdd: float
    days: int  # fitted on
    r_squared: float
    # The spread of a day's use around the model (its residuals' standard deviation).
    residual_kwh_per_day: float = 0.0

    def kwh(self, *, days: int, hdd: float, cdd: float) -> float:
        return self.base_kwh_per_day * days + self.kwh_per_hdd * hdd + self.kwh_per_cdd * cdd


def degree_days(mean_f: float) -> tuple[float, float]:
    return max(0.0, DEGREE_DAY_BASE_F - mean_f), max(0.0, mean_f - DEGREE_DAY_BASE_F)


def fit_load_model(
    kwh_by_day: Mapping[date, float], mean_f_by_day: Mapping[date, float]
) -> LoadModel:
    days: Sequence[date] = sorted(day for day in kwh_by_day if day in mean_f_by_day)
    if len(days) < MIN_DAYS:
        raise NotEnoughData(
            f"This account has {len(days)} days of use with weather; {MIN_DAYS} are needed"
            " to tell what the weather does to it."
        )
    used = np.array([kwh_by_day[day] for day in days])
    heating, cooling = np.array([degree_days(mean_f_by_day[day]) for day in days]).T
    slopes = {"hdd": heating, "cdd": cooling}
    while True:
        design = np.column_stack([np.ones(len(days)), *slopes.values()])
        solution, *_ = np.linalg.lstsq(design, used, rcond=None)
        # Days vary by a share of their use (a cold day's furnace runs longer, and
        # varies more): a second pass weighs each day by the inverse of its fitted use.
        scale = 1 / np.maximum(design @ solution, float(np.mean(used)) * 0.1)
        solution, *_ = np.linalg.lstsq(design * scale[:, None], used * scale, rcond=None)
        fitted = dict(zip(slopes, solution[1:], strict=True))
        negative = [name for name, value in fitted.items() if value < 0]
        if not negative:
            break
        del slopes[negative[0]]
    predicted = design @ solution
    total = float(np.sum((used - used.mean()) ** 2))
    r_squared = 1 - float(np.sum((used - predicted) ** 2)) / total if total else 1.0
    return LoadModel(
        base_kwh_per_day=float(solution[0]),
        kwh_per_hdd=float(fitted.get("hdd", 0.0)),
        kwh_per_cdd=float(fitted.get("cdd", 0.0)),
        days=len(days),
        r_squared=r_squared,
        residual_kwh_per_day=float(np.std(used - predicted)),
    )
