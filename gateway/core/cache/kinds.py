"""The catalogue of what the gateway caches: one kind per port read, named after it.

Keys are built with `key_parts` from the read's arguments, in the order listed here;
the invalidation helpers rely on the same order.
"""

from __future__ import annotations

from typing import Any, Final

from adapters.cis.payments import PrepayBalance
from adapters.cis.port import Balance, Bill, Customer, Meter, ServiceLocation
from adapters.meters.port import DailyReads, DailyWeather, HourlyReads
from adapters.oms.port import LocationOutageStatus, OutageEvent
from gateway.core.cache.keys import CacheKind, cache_kind

# CIS
CUSTOMER: Final = cache_kind("customer", Customer)  # customer_id
SERVICE_LOCATIONS_BY_ACCOUNT: Final = cache_kind(  # account_number
    "service_locations_by_account", tuple[ServiceLocation, ...]
)
SERVICE_LOCATIONS_BY_CUSTOMER: Final = cache_kind(  # customer_id
    "service_locations_by_customer", tuple[ServiceLocation, ...]
)
METERS_BY_ACCOUNT: Final = cache_kind("meters_by_account", tuple[Meter, ...])  # account_number
BILL: Final = cache_kind("bill", Bill)  # account_number, bill_date
BALANCE: Final = cache_kind("balance", Balance)  # account_number
PREPAY_BALANCE: Final = cache_kind("prepay_balance", PrepayBalance)  # account_number

# Outage management
OUTAGE_STATUS: Final = cache_kind("outage_status", LocationOutageStatus)  # location_id
OUTAGE_HISTORY: Final = cache_kind("outage_history", tuple[OutageEvent, ...])  # location_id
ACTIVE_OUTAGES: Final = cache_kind("active_outages", tuple[OutageEvent, ...])  # ACTIVE_OUTAGES_KEY
ACTIVE_OUTAGES_KEY: Final = "all"

# Meter data
HOURLY_READS: Final = cache_kind("hourly_reads", HourlyReads)  # meter_no, start, end
DAILY_READS: Final = cache_kind("daily_reads", DailyReads)  # meter_no, start, end
WEATHER_STATION: Final = cache_kind("weather_station", str)  # location_id
DAILY_WEATHER: Final = cache_kind(  # station_id, start, end
    "daily_weather", tuple[DailyWeather, ...]
)

ALL_KINDS: Final[tuple[CacheKind[Any], ...]] = (
    CUSTOMER,
    SERVICE_LOCATIONS_BY_ACCOUNT,
    SERVICE_LOCATIONS_BY_CUSTOMER,
    METERS_BY_ACCOUNT,
    BILL,
    BALANCE,
    PREPAY_BALANCE,
    OUTAGE_STATUS,
    OUTAGE_HISTORY,
    ACTIVE_OUTAGES,
    HOURLY_READS,
    DAILY_READS,
    WEATHER_STATION,
    DAILY_WEATHER,
)
