"""Why a bill changed: the weather, the length of the period, the rates, and the rest.

The change in the amount billed is split into four parts that add up to it exactly,
to the cent:

- rates: what the change in prices cost on the current bill's use (a different power
  cost adjustment, a new energy charge) plus any change in the fixed charges;
- days: the account's base use (kWh a day without heating or cooling) times the
  difference in the periods' lengths;
- weather: the heating and cooling the degree days' difference explains, with the
  account's own slopes (`gateway.documents.load_model`, fitted on its last year);
- remainder: whatever use neither explains (a new appliance, guests, habits).

Use is priced at the earlier bill's price per kWh of its variable charges. A charge
is fixed when the same line (description and amount) is on both bills: energy lines
name their kWh, so they differ whenever use does, while an availability charge does
not. The parts in kWh are priced and rounded to cents; the remainder takes what
rounding leaves, and the rates whatever use did not cost, so nothing is lost.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal

from adapters.cis.port import Bill
from adapters.meters.port import DailyWeather
from gateway.billing.bills import bill_dates
from gateway.core.loaders import BillKey, DailyReadRange, DataLoaders
from gateway.documents.load_model import LoadModel, degree_days, fit_load_model
from gateway.usage.comparison import pick_bill_dates
from gateway.usage.service import location_weather

CENT = Decimal("0.01")
MODEL_DAYS = 365


@dataclass(frozen=True, slots=True)
class PeriodWeather:
    days: int
    heating_degree_days: float
    cooling_degree_days: float


@dataclass(frozen=True, slots=True)
class BillChange:
    current_bill_date: date
    compare_to_bill_date: date
    amount: Decimal  # current minus earlier; = rates + days + weather + remainder
    rates: Decimal
    days: Decimal
    weather: Decimal
    remainder: Decimal
    kwh: float  # current minus earlier; = days_kwh + weather_kwh + remainder_kwh
    days_kwh: float
    weather_kwh: float
    remainder_kwh: float
    model: LoadModel


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


def fixed_charges(bill: Bill, other: Bill) -> Decimal:
    """The lines of `bill` that `other` has too, word for word and cent for cent."""
    theirs = [(line.description, line.amount) for line in other.charges]
    fixed = Decimal("0.00")
    for line in bill.charges:
        key = (line.description, line.amount)
        if key in theirs:
            theirs.remove(key)
            fixed += line.amount
    return fixed


def period_weather(bill: Bill, weather: Sequence[DailyWeather]) -> PeriodWeather:
    heating = cooling = 0.0
    for day in weather:
        if bill.period_start <= day.day <= bill.period_end:
            hdd, cdd = degree_days(day.mean_f)
            heating += hdd
            cooling += cdd
    return PeriodWeather((bill.period_end - bill.period_start).days + 1, heating, cooling)


def explain_change(
    current: Bill,
    earlier: Bill,
    *,
    model: LoadModel,
    current_weather: PeriodWeather,
    earlier_weather: PeriodWeather,
) -> BillChange:
    amount = current.amount - earlier.amount
    kwh_change = float(current.kwh - earlier.kwh)
    price = _variable_price(earlier, fixed_charges(earlier, current))
    if price is None:  # the earlier bill billed no kWh: price use at the current bill's
        price = _variable_price(current, fixed_charges(current, earlier)) or Decimal(0)
    usage = cents(price * (current.kwh - earlier.kwh))
    days_kwh = model.base_kwh_per_day * (current_weather.days - earlier_weather.days)
    weather_kwh = model.kwh_per_hdd * (
        current_weather.heating_degree_days - earlier_weather.heating_degree_days
    ) + model.kwh_per_cdd * (
        current_weather.cooling_degree_days - earlier_weather.cooling_degree_days
    )
    days = cents(price * Decimal(repr(days_kwh)))
    weather = cents(price * Decimal(repr(weather_kwh)))
    return BillChange(
        current_bill_date=current.bill_date,
        compare_to_bill_date=earlier.bill_date,
        amount=amount,
        rates=amount - usage,
        days=days,
        weather=weather,
        remainder=usage - days - weather,
        kwh=round(kwh_change, 3),
        days_kwh=round(days_kwh, 1),
        weather_kwh=round(weather_kwh, 1),
        remainder_kwh=round(kwh_change - days_kwh - weather_kwh, 1),
        model=model,
    )


def _variable_price(bill: Bill, fixed: Decimal) -> Decimal | None:
    if bill.kwh <= 0:
        return None
    return (bill.amount - fixed) / bill.kwh


async def bill_change(
    *, loaders: DataLoaders, account_number: str, month: str | None, compare_to: str | None
) -> BillChange:
    """`BadUserInput` for months without bills; `NotEnoughData` for too short a history."""
    dates = await bill_dates(loaders=loaders, account_number=account_number)
    current_date, earlier_date = pick_bill_dates(dates, month=month, compare_to=compare_to)
    (current, earlier), locations, meters = await asyncio.gather(
        loaders.bill.load_many(
            [BillKey(account_number, current_date), BillKey(account_number, earlier_date)]
        ),
        loaders.service_locations.load(account_number),
        loaders.meters.load(account_number),
    )
    end = current.period_end
    start = min(earlier.period_start, end - timedelta(days=MODEL_DAYS - 1))
    reads, weather = await asyncio.gather(
        loaders.daily_reads.load_many(
            [DailyReadRange(m.meter_no, start, end + timedelta(days=1)) for m in meters]
        ),
        location_weather(
            loaders=loaders,
            location_id=locations[0].location_id if locations else None,
            start=start,
            end=end,
        ),
    )
    kwh_by_day: dict[date, float] = {}
    for meter_reads in reads:
        for read in meter_reads:
            kwh_by_day[read.day] = kwh_by_day.get(read.day, 0.0) + read.kwh
    model_start = end - timedelta(days=MODEL_DAYS - 1)
    model = fit_load_model(
        {day: kwh for day, kwh in kwh_by_day.items() if day >= model_start},
        {day.day: day.mean_f for day in weather},
    )
    return explain_change(
        current,
        earlier,
        model=model,
        current_weather=period_weather(current, weather),
        earlier_weather=period_weather(earlier, weather),
    )
