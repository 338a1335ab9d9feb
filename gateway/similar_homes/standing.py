"""Where one home stands among similar homes, from the group's percentile cut points.

A home is an account; homes are similar when their home location (`home_location`)
has the same rate class and weather station. A home's figure for a calendar month is
its kWh per day (`kwh_per_day`). The group is kept only as its size and 99 cut points
(the 1st to the 99th percentile of its homes' figures), never as any home's figure, and
only groups of at least `MIN_HOMES` are compared at all.

A home's percentile is its position in the group: 0 for the lowest use, 100 for the
highest, and otherwise the share of the other homes that used less per day. The cut
points are numpy's linear percentiles, on which the i-th lowest of n homes sits at
100 * i / (n - 1); reading a figure back through the cut points lands within one point
of that.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Final

import numpy as np

from adapters.cis.port import ServiceLocation
from adapters.meters.port import DailyReads

# Fewer homes than this, and a group's figures could be told apart, or guessed.
MIN_HOMES: Final = 20
CUT_PERCENTS: Final = tuple(range(1, 100))
# A meter whose reads cover less of the month than this would misstate its home's use.
MIN_READ_SHARE: Final = 0.9
ACTIVE: Final = "active"


def home_location(locations: Sequence[ServiceLocation]) -> ServiceLocation | None:
    """The location that places an account among similar homes: its first active one by
    location id (the same whichever order the CIS lists them in); None when none is."""
    active = [loc for loc in locations if loc.service_status.casefold() == ACTIVE]
    return min(active, key=lambda loc: loc.location_id) if active else None


def kwh_per_day(meters: Sequence[DailyReads], *, days: int) -> float | None:
    """A home's use per day over `days` days: the sum of its meters' average days.

    None for a home without meters, or with a meter whose reads cover less than
    `MIN_READ_SHARE` of the days.
    """
    if not meters or days < 1:
        return None
    needed = math.ceil(MIN_READ_SHARE * days)
    if any(len(reads) < needed for reads in meters):
        return None
    return sum(math.fsum(reads.kwh) / len(reads) for reads in meters)


def cut_points(figures: Sequence[float]) -> tuple[float, ...]:
    """The 1st to the 99th percentile of a group's figures (at least `MIN_HOMES`)."""
    if len(figures) < MIN_HOMES:
        raise ValueError(f"a group of {len(figures)} homes is under {MIN_HOMES}")
    cuts = np.percentile(np.asarray(figures, dtype=float), CUT_PERCENTS, method="linear")
    return tuple(float(cut) for cut in cuts)


def percentile_of(figure: float, cuts: Sequence[float]) -> int:
    """The percentile of `figure` in the group whose cut points are `cuts` (0 to 100)."""
    if len(cuts) != len(CUT_PERCENTS):
        raise ValueError(f"expected {len(CUT_PERCENTS)} cut points, got {len(cuts)}")
    below, up_to = bisect_left(cuts, figure), bisect_right(cuts, figure)
    if up_to > below:  # the figure is a cut point, or a run of equal ones: their middle
        return round((below + 1 + up_to) / 2)
    if below == 0:
        return 0
    if below == len(cuts):
        return 100
    lower, upper = cuts[below - 1], cuts[below]
    return round(below + (figure - lower) / (upper - lower))


def quartiles(cuts: Sequence[float]) -> tuple[float, float, float]:
    """The 25th, 50th and 75th percentiles among the cut points."""
    return cuts[24], cuts[49], cuts[74]
