"""What a usage series costs before it is read: its number of points.

A year of hours is 8,760 points (8,784 in a leap year), each a read summed over the
account's meters, so it weighs far more than an object: the cost model
(`gateway.api.cost`) counts usage by its points, worked out from its arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

HOURS_PER_DAY = 24


def usage_points(arguments: Mapping[str, Any]) -> int:
    """Points of `usage(from:, to:, interval:)`; 0 for a range the resolver refuses."""
    start, end, interval = arguments.get("from"), arguments.get("to"), arguments.get("interval")
    if not isinstance(start, date) or not isinstance(end, date) or end < start:
        return 0
    name = str(getattr(interval, "name", interval)).upper()
    days = (end - start).days + 1
    if name == "HOUR":
        return days * HOURS_PER_DAY
    if name == "DAY":
        return days
    return (end.year - start.year) * 12 + end.month - start.month + 1
