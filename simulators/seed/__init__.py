"""The deterministic demo co-op: a central New Mexico distribution cooperative.

`generate_world(accounts=500, seed=1, as_of=date.today())` always gives the same
co-op for the same arguments: members (some with several accounts), accounts (some
with two service locations, some prepay, some past due, some in an outage now),
26 months of weather and daily usage that follows it, and 25 months of bills.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from simulators.seed.billing import PayingHabit, bill_account
from simulators.seed.outages import outage_events
from simulators.seed.places import (
    BUSINESS_KINDS,
    FIRST_NAMES,
    LAST_NAMES,
    MIDDLE_INITIALS,
    TOWNS,
    Town,
    phone_number,
    street_address,
    weighted_town,
)
from simulators.seed.usage import daily_kwh, random_profile
from simulators.seed.weather import CLIMATES, daily_weather
from simulators.world import (
    Address,
    RateClass,
    World,
    WorldAccount,
    WorldBalance,
    WorldBill,
    WorldCustomer,
    WorldLogin,
    WorldMeter,
    WorldPayment,
    WorldServiceLocation,
)

__all__ = ["DEMO_EMAIL", "DEMO_PASSWORD", "generate_world"]

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "smarthub-demo"  # noqa: S105 - the published demo login, not a secret
NEIGHBOR_EMAIL = "neighbor@example.com"
NEIGHBOR_PASSWORD = "neighbor-demo-pass"  # noqa: S105 - a second published demo login
MONTHS_OF_HISTORY = 26
CYCLE_DAYS = (5, 12, 19, 26)
METER_MAKES = (("LG", "Landis+Gyr"), ("IT", "Itron"), ("AC", "Aclara"))
# What an account's second and third services are (the first is the home).
EXTRA_SERVICES = ("Well and shop", "Barn")
TWO_OR_MORE_SERVICES_SHARE = 0.08
THREE_SERVICES_SHARE = 0.01


def _usage_start(as_of: date) -> date:
    month_index = as_of.year * 12 + as_of.month - 1 - MONTHS_OF_HISTORY
    return date(month_index // 12, month_index % 12 + 1, 1)


@dataclass(slots=True)
class _Builder:
    rng: random.Random
    usage_start: date
    as_of: date
    customers: list[WorldCustomer]
    accounts: list[WorldAccount]
    locations: list[WorldServiceLocation]
    meters: list[WorldMeter]
    is_small_load: dict[str, bool]

    def customer(
        self,
        *,
        first: str,
        last: str,
        town: Town,
        email: str | None = None,
        business: str | None = None,
    ) -> WorldCustomer:
        number = len(self.customers)
        customer = WorldCustomer(
            customer_id=f"C{100000 + number}",
            first_name=first,
            last_name=last,
            middle_name=self.rng.choice(MIDDLE_INITIALS) if self.rng.random() < 0.4 else None,
            business_name=business,
            billing_address=street_address(self.rng, town),
            home_phone=phone_number(self.rng),
            mobile_phone=phone_number(self.rng) if self.rng.random() < 0.8 else None,
            email=email or f"{first}.{last}{number}@example.com".lower().replace(" ", ""),
        )
        self.customers.append(customer)
        return customer

    def account(
        self,
        customer: WorldCustomer,
        *,
        town: Town,
        rate_class: RateClass,
        locations: int,
        is_prepay: bool = False,
        address: Address | None = None,
    ) -> WorldAccount:
        number = f"{2000100 + len(self.accounts) * 13}"
        location_ids: list[str] = []
        home = address or street_address(self.rng, town)
        for index in range(locations):
            location_id = f"{number}-{index + 1:02d}"
            small = index > 0  # a second service is a well pump, barn or shop
            where = (
                home
                if index == 0
                else Address(
                    home.line1, home.city, home.state, home.zip_code, EXTRA_SERVICES[index - 1]
                )
            )
            make_prefix, make = self.rng.choice(METER_MAKES)
            meter_no = f"{make_prefix}{70000000 + len(self.meters) * 37}"
            meter = WorldMeter(
                meter_no=meter_no,
                serial_number=f"{self.rng.randint(10**8, 10**9 - 1)}",
                manufacturer=make,
                meter_type="AMI commercial (Form 16S)"
                if rate_class is RateClass.COMMERCIAL
                else "AMI residential (Form 2S)",
                location_id=location_id,
                installed_on=self.usage_start - timedelta(days=self.rng.randint(200, 3000)),
            )
            self.meters.append(meter)
            self.is_small_load[meter_no] = small
            self.locations.append(
                WorldServiceLocation(
                    location_id=location_id,
                    account_number=number,
                    customer_id=customer.customer_id,
                    address=where,
                    rate_class=rate_class,
                    substation=town.substation,
                    feeder=self.rng.choice(town.feeders),
                    weather_station=town.weather_station,
                    latitude=round(town.latitude + self.rng.uniform(-0.06, 0.06), 5),
                    longitude=round(town.longitude + self.rng.uniform(-0.06, 0.06), 5),
                    meter_nos=(meter_no,),
                    connected_on=meter.installed_on,
                )
            )
            location_ids.append(location_id)
        account = WorldAccount(
            account_number=number,
            customer_id=customer.customer_id,
            cycle_day=self.rng.choice(CYCLE_DAYS),
            is_prepay=is_prepay,
            location_ids=tuple(location_ids),
        )
        self.accounts.append(account)
        return account


def _locations(draw: float) -> int:
    """How many services an account has, from one draw (a fixed number of draws keeps
    every other account as it was): a few are ranches with a well and a barn."""
    if draw < THREE_SERVICES_SHARE:
        return 3
    return 2 if draw < TWO_OR_MORE_SERVICES_SHARE else 1


def generate_world(*, accounts: int = 500, seed: int = 1, as_of: date | None = None) -> World:
    if accounts < 3:
        raise ValueError("the demo co-op needs at least 3 accounts")
    as_of = as_of or date.today()
    rng = random.Random(seed)
    usage_start = _usage_start(as_of)
    days = (as_of - usage_start).days
    weather = {
        climate.station.station_id: daily_weather(climate, start=usage_start, days=days, rng=rng)
        for climate in CLIMATES
    }
    build = _Builder(rng, usage_start, as_of, [], [], [], [], {})

    # The published demo member: a home with a well and shop on one account, and the
    # family business on another, which is in an outage right now.
    moriarty, mountainair = TOWNS[0], TOWNS[5]
    demo = build.customer(first="Maria", last="Baca", town=moriarty, email=DEMO_EMAIL)
    build.account(demo, town=moriarty, rate_class=RateClass.RESIDENTIAL, locations=2)
    demo_business = build.account(
        demo, town=mountainair, rate_class=RateClass.COMMERCIAL, locations=1
    )
    neighbor = build.customer(first="Daniel", last="Lucero", town=moriarty, email=NEIGHBOR_EMAIL)
    build.account(neighbor, town=moriarty, rate_class=RateClass.RESIDENTIAL, locations=1)
    habits = {a.account_number: PayingHabit.PROMPT for a in build.accounts}
    habits[demo_business.account_number] = PayingHabit.AUTOPAY

    while len(build.accounts) < accounts:
        town = weighted_town(rng)
        commercial = rng.random() < 0.12
        last = rng.choice(LAST_NAMES)
        business = f"{town.name} {rng.choice(BUSINESS_KINDS)}" if commercial else None
        customer = build.customer(
            first=rng.choice(FIRST_NAMES), last=last, town=town, business=business
        )
        owned = 2 if rng.random() < 0.12 else 1
        for index in range(min(owned, accounts - len(build.accounts))):
            is_commercial = commercial and index == 0
            account = build.account(
                customer,
                town=town if index == 0 else weighted_town(rng),
                rate_class=RateClass.COMMERCIAL if is_commercial else RateClass.RESIDENTIAL,
                locations=_locations(rng.random()),
                is_prepay=not is_commercial and rng.random() < 0.05,
            )
            habits[account.account_number] = rng.choices(
                (PayingHabit.PROMPT, PayingHabit.AUTOPAY, PayingHabit.LATE, PayingHabit.DELINQUENT),
                weights=(70, 15, 7, 8),
            )[0]

    station_means = {
        station: tuple(day[2] for day in series) for station, series in weather.items()
    }
    usage: dict[str, tuple[float, ...]] = {}
    for location in build.locations:
        for meter_no in location.meter_nos:
            profile = random_profile(
                rng, location.rate_class, is_well_or_shop=build.is_small_load[meter_no]
            )
            usage[meter_no] = daily_kwh(
                profile,
                start=usage_start,
                mean_temperatures=station_means[location.weather_station],
                rng=rng,
            )

    by_account: dict[str, list[WorldServiceLocation]] = {}
    for location in build.locations:
        by_account.setdefault(location.account_number, []).append(location)
    bills: list[WorldBill] = []
    payments: list[WorldPayment] = []
    balances: list[WorldBalance] = []
    for account in build.accounts:
        locations = by_account[account.account_number]
        meters = [m for loc in locations for m in loc.meter_nos]
        ledger = bill_account(
            account_number=account.account_number,
            cycle_day=account.cycle_day,
            locations=locations,
            daily_kwh={m: usage[m] for m in meters},
            register_starts={m: float(rng.randint(10_000, 90_000)) for m in meters},
            usage_start=usage_start,
            as_of=as_of,
            habit=habits[account.account_number],
            rng=rng,
        )
        bills.extend(ledger.bills)
        payments.extend(ledger.payments)
        balances.append(ledger.balance)

    feeders: dict[str, list[WorldServiceLocation]] = {}
    for location in build.locations:
        feeders.setdefault(location.feeder, []).append(location)
    events = outage_events(
        feeders=feeders,
        must_be_out=by_account[demo_business.account_number],
        usage_start=usage_start,
        as_of=as_of,
        time_zone="America/Denver",
        rng=rng,
    )

    return World(
        as_of=as_of,
        time_zone="America/Denver",
        seed=seed,
        customers=tuple(build.customers),
        accounts=tuple(build.accounts),
        locations=tuple(build.locations),
        meters=tuple(build.meters),
        bills=tuple(bills),
        payments=tuple(payments),
        balances=tuple(balances),
        outage_events=events,
        weather_stations=tuple(climate.station for climate in CLIMATES),
        logins=(
            WorldLogin(DEMO_EMAIL, DEMO_PASSWORD, (demo.customer_id,)),
            WorldLogin(NEIGHBOR_EMAIL, NEIGHBOR_PASSWORD, (neighbor.customer_id,)),
        ),
        usage_start=usage_start,
        daily_kwh=usage,
        daily_weather=weather,
    )
