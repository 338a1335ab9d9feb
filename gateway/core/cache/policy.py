"""How long each kind of answer may be served from the cache.

Long for what changes rarely or never (reference data, bills once cut, usage of days
that are over), short for what members watch change (balances after a payment, outage
status during a storm, today's usage), and short for "not found", which a new account
or meter can turn into "found" at any time.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

REFERENCE_TTL_S: Final = 3600.0  # customers, service locations, meters, weather stations
BILL_TTL_S: Final = 24 * 3600.0  # a bill never changes once it is cut
FINISHED_USAGE_TTL_S: Final = 24 * 3600.0  # reads and weather of days that are over
ESTIMATED_USAGE_TTL_S: Final = 900.0  # days still holding estimates: actual reads replace them
TODAY_USAGE_TTL_S: Final = 60.0  # today's reads keep arriving
OUTAGE_TTL_S: Final = 30.0
BALANCE_TTL_S: Final = 30.0
NOT_FOUND_TTL_S: Final = 30.0


def daily_usage_ttl_s(end: date, *, today: date, has_estimates: bool) -> float:
    """TTL of daily reads or weather for the half-open range ending at `end`.

    `today` is the co-op's local date (its time zone is a setting, not known here).
    """
    if end > today:
        return TODAY_USAGE_TTL_S
    return ESTIMATED_USAGE_TTL_S if has_estimates else FINISHED_USAGE_TTL_S


def hourly_usage_ttl_s(end: datetime, *, today_starts_at: datetime, has_estimates: bool) -> float:
    """TTL of hourly reads for the half-open range ending at the aware instant `end`.

    `today_starts_at` is local midnight of the co-op's today, as an aware datetime.
    """
    if end > today_starts_at:
        return TODAY_USAGE_TTL_S
    return ESTIMATED_USAGE_TTL_S if has_estimates else FINISHED_USAGE_TTL_S
