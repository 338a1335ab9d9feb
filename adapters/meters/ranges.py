"""Argument checks every meter data adapter applies alike, so they fail alike."""

from __future__ import annotations

from datetime import date, datetime


def check_instant_range(start: datetime, end: datetime) -> None:
    for name, value in (("start", start), ("end", end)):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"{name} must be a timezone-aware datetime, got {value.isoformat()}")
    if end < start:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")


def check_day_range(start: date, end: date) -> None:
    if end < start:
        raise ValueError(f"end {end.isoformat()} is before start {start.isoformat()}")
