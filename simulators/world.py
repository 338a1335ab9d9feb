"""The demo co-op as plain data: what the seed generates and every stand-in loads.

One `World` is the single source of truth for all legacy stand-ins, so that the CIS,
the outage system and the meter data store agree with each other (a bill's kWh is the
sum of that period's daily reads, an outage's customers are the ones on its feeder).
Bulk series (hourly and daily reads, weather) are not held here: they are produced
on demand by `simulators.meters.series` from the per-meter seeds, because 13 months of
hourly reads for hundreds of meters would not fit comfortably in memory as objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class RateClass(StrEnum):
    RESIDENTIAL = "residential"
    COMMERCIAL = "commercial"


@dataclass(frozen=True, slots=True)
class Address:
    line1: str
    city: str
    state: str
    zip_code: str
    line2: str | None = None


@dataclass(frozen=True, slots=True)
class WorldCustomer:
    """A member (MultiSpeak `customer`); owns one or more accounts."""

    customer_id: str
    first_name: str
    last_name: str
    billing_address: Address
    middle_name: str | None = None
    business_name: str | None = None
    home_phone: str | None = None  # ten digits, no punctuation
    mobile_phone: str | None = None
    email: str | None = None


@dataclass(frozen=True, slots=True)
class WorldMeter:
    meter_no: str
    serial_number: str
    manufacturer: str
    meter_type: str  # e.g. "AMI residential", "AMI commercial demand"
    location_id: str
    installed_on: date


@dataclass(frozen=True, slots=True)
class WorldServiceLocation:
    """A premise where power is delivered (MultiSpeak `serviceLocation`)."""

    location_id: str
    account_number: str
    customer_id: str
    address: Address
    rate_class: RateClass
    substation: str
    feeder: str
    weather_station: str
    latitude: float
    longitude: float
    meter_nos: tuple[str, ...]
    connected_on: date


@dataclass(frozen=True, slots=True)
class WorldAccount:
    account_number: str
    customer_id: str
    cycle_day: int  # day of month the account is billed on (1..28)
    is_prepay: bool
    location_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class WorldChargeLine:
    description: str
    amount: Decimal  # cents; negative for credits
    location_id: str | None = None  # None for account-level lines (taxes, fees)


@dataclass(frozen=True, slots=True)
class WorldLocationUsage:
    """The metered part of one bill for one service location and meter."""

    location_id: str
    meter_no: str
    previous_reading: Decimal  # kWh register reading at period start
    present_reading: Decimal  # kWh register reading at period end
    kwh: Decimal


@dataclass(frozen=True, slots=True)
class WorldBill:
    account_number: str
    bill_date: date
    period_start: date  # first day of service billed
    period_end: date  # last day of service billed (inclusive)
    due_date: date
    prior_balance: Decimal
    payments_received: Decimal  # payments since the previous bill (positive number)
    charges: tuple[WorldChargeLine, ...]
    usage: tuple[WorldLocationUsage, ...]
    balance_after_billing: Decimal

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.charges), Decimal("0.00"))

    @property
    def kwh(self) -> Decimal:
        return sum((item.kwh for item in self.usage), Decimal("0"))


@dataclass(frozen=True, slots=True)
class WorldPayment:
    account_number: str
    paid_on: date
    amount: Decimal
    method: str  # "card", "echeck", "bank draft", "cash"


@dataclass(frozen=True, slots=True)
class WorldBalance:
    """What the account owes today (MultiSpeak `payableItem`)."""

    account_number: str
    current_amount: Decimal  # billed and not yet due
    past_due_amount: Decimal
    due_date: date | None
    last_payment_amount: Decimal | None
    last_payment_date: date | None
    disconnect_date: date | None = None


class OutageEventStatus(StrEnum):
    REPORTED = "reported"
    DISPATCHED = "dispatched"
    ON_SITE = "on_site"
    RESTORED = "restored"


@dataclass(frozen=True, slots=True)
class WorldOutageEvent:
    event_id: str
    substation: str
    feeder: str
    cause: str
    status: OutageEventStatus
    started_at: datetime  # aware, UTC
    location_ids: tuple[str, ...]  # service locations out of power
    estimated_restoration: datetime | None = None
    restored_at: datetime | None = None
    crew: str | None = None


@dataclass(frozen=True, slots=True)
class WorldWeatherStation:
    station_id: str
    name: str
    latitude: float
    longitude: float
    elevation_ft: int


@dataclass(frozen=True, slots=True)
class WorldLogin:
    """A portal login the demo ships with (the gateway stores only a hash)."""

    email: str
    password: str
    customer_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class World:
    as_of: date  # "today" for the generated co-op; everything is in the past of it
    time_zone: str
    seed: int
    customers: tuple[WorldCustomer, ...]
    accounts: tuple[WorldAccount, ...]
    locations: tuple[WorldServiceLocation, ...]
    meters: tuple[WorldMeter, ...]
    bills: tuple[WorldBill, ...]
    payments: tuple[WorldPayment, ...]
    balances: tuple[WorldBalance, ...]
    outage_events: tuple[WorldOutageEvent, ...]
    weather_stations: tuple[WorldWeatherStation, ...]
    logins: tuple[WorldLogin, ...]
    # Daily kWh per meter, oldest first, one value per day from `usage_start` to the
    # day before `as_of`; hourly reads are derived from these by the meter seed.
    usage_start: date = field(default=date(1970, 1, 1))
    daily_kwh: dict[str, tuple[float, ...]] = field(default_factory=dict)
    # Daily weather per station over the same days: (high, low, mean) in °F.
    daily_weather: dict[str, tuple[tuple[float, float, float], ...]] = field(default_factory=dict)
