"""The GraphQL side of documents: links to a bill's PDF and to Green Button data.

A link is made for the viewer's login (user and sign-in session) and lasts five
minutes; following it is checked again as that login (`gateway.documents.routes`).
Links start with the address the GraphQL request came to (`https://.../documents/...`);
contexts made in-process give them relative (`/documents/...`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any, Final
from zoneinfo import ZoneInfo

import strawberry

from adapters.cis.port import Bill
from gateway.api.context import GatewayContext, GatewayInfo
from gateway.api.scalars import Money, local, money
from gateway.core.errors import Unauthenticated
from gateway.core.signed_links import LinkHolder
from gateway.documents import bill_change as change
from gateway.documents import peak_demand as peaks
from gateway.documents import projection
from gateway.documents.green_button import check_download_range
from gateway.documents.links import (
    DownloadFormat,
    GreenButtonRange,
    ReadingInterval,
    bill_pdf_link,
    green_button_link,
)
from gateway.usage.cost import usage_points

# What a link costs in the query cost model: the work its download will do. Drawing a
# bill's PDF takes tens of milliseconds of CPU the first time (`python -m bench --only
# documents`), several warm dashboards' worth; later downloads come from the cache. Green Button
# data costs the points it holds, as the same usage series would.
BILL_PDF_LINK_COST: Final = 100
# A year of daily reads (a point each) and the two bills it explains.
BILL_CHANGE_COST: Final = 400
# A year of daily reads and the open period's, and two bills.
PROJECTED_BILL_COST: Final = 400
# The hours read: a billing period's are about 31 x 24.
HOURS_PER_PERIOD: Final = 31 * 24
DEFAULT_PEAK_PERIODS: Final = 12


def peak_demand_cost(arguments: Mapping[str, Any]) -> int:
    periods = arguments.get("periods", DEFAULT_PEAK_PERIODS)
    return max(1, min(int(periods), peaks.MAX_PERIODS)) * HOURS_PER_PERIOD


def green_button_link_cost(arguments: Mapping[str, Any]) -> int:
    return max(1, usage_points(arguments))


@strawberry.enum(description="The length of each reading in a Green Button download.")
class GreenButtonInterval(Enum):
    HOUR = "hour"
    DAY = "day"


@strawberry.enum(description="ESPI XML (an Atom feed), or the same readings as CSV.")
class GreenButtonFormat(Enum):
    XML = "xml"
    CSV = "csv"


def viewer_holder(context: GatewayContext) -> LinkHolder:
    viewer = context.authentication.viewer
    if viewer is None:
        raise Unauthenticated()
    return LinkHolder(user_id=viewer.user_id, session_id=viewer.session_id)


def bill_pdf_url(context: GatewayContext, bill: Bill) -> str:
    return bill_pdf_link(
        context.document_links,
        holder=viewer_holder(context),
        account_number=bill.account_number,
        bill_date=bill.bill_date,
    )


def green_button_url(
    context: GatewayContext,
    *,
    account_number: str,
    start: date,
    end: date,
    interval: GreenButtonInterval,
    download: GreenButtonFormat,
) -> str:
    """`BadUserInput` for a range the download would refuse (a year of hours at most)."""
    wanted = GreenButtonRange(start, end, ReadingInterval(interval.value))
    check_download_range(wanted)
    return green_button_link(
        context.document_links,
        holder=viewer_holder(context),
        account_number=account_number,
        wanted=wanted,
        download=DownloadFormat(download.value),
    )


@strawberry.type(description="How the account's daily use follows the weather (its last year).")
class UsageModel:
    base_kwh_per_day: float
    kwh_per_heating_degree_day: float
    kwh_per_cooling_degree_day: float
    fitted_days: int
    r_squared: float


@strawberry.type(
    description="Why a bill differs from an earlier one: rates + days + weather + remainder"
    " = amount, to the cent (and likewise in kWh, but for rates)."
)
class BillChange:
    current_bill_date: date
    compare_to_bill_date: date
    amount: Money
    rates: Money = strawberry.field(
        description="Price changes on the current use, and changed fixed charges."
    )
    days: Money = strawberry.field(description="Base use over the difference in days billed.")
    weather: Money = strawberry.field(description="Heating and cooling the degree days explain.")
    remainder: Money = strawberry.field(description="Use that neither days nor weather explain.")
    kwh: float
    days_kwh: float
    weather_kwh: float
    remainder_kwh: float
    model: UsageModel

    @classmethod
    def of(cls, found: change.BillChange) -> BillChange:
        return cls(
            current_bill_date=found.current_bill_date,
            compare_to_bill_date=found.compare_to_bill_date,
            amount=money(found.amount),
            rates=money(found.rates),
            days=money(found.days),
            weather=money(found.weather),
            remainder=money(found.remainder),
            kwh=found.kwh,
            days_kwh=found.days_kwh,
            weather_kwh=found.weather_kwh,
            remainder_kwh=found.remainder_kwh,
            model=UsageModel(
                base_kwh_per_day=round(found.model.base_kwh_per_day, 3),
                kwh_per_heating_degree_day=round(found.model.kwh_per_hdd, 4),
                kwh_per_cooling_degree_day=round(found.model.kwh_per_cdd, 4),
                fitted_days=found.model.days,
                r_squared=round(found.model.r_squared, 3),
            ),
        )


async def account_bill_change(
    context: GatewayContext, *, account_number: str, month: str | None, compare_to: str | None
) -> BillChange:
    found = await change.bill_change(
        loaders=context.loaders, account_number=account_number, month=month, compare_to=compare_to
    )
    return BillChange.of(found)


@strawberry.type(description="One hour's use (the hour starting at `startsAt`, local).")
class PeakHour:
    starts_at: datetime
    kwh: float
    temperature_f: float | None = strawberry.field(
        description="The day's mean temperature at the weather station."
    )

    @classmethod
    def of(cls, hour: peaks.PeakHour, zone: ZoneInfo) -> PeakHour:
        return cls(
            starts_at=local(hour.starts_at, zone), kwh=hour.kwh, temperature_f=hour.temperature_f
        )


@strawberry.type(description="A billing period's highest hour of use.")
class BillingPeriodPeak:
    bill_date: date
    start: date
    end: date
    peak: PeakHour | None = strawberry.field(
        description="Null when the meter data store has no hourly reads for the period."
    )


@strawberry.type(description="The account's peak hours and the shape of its average day.")
class PeakDemand:
    periods: list[BillingPeriodPeak] = strawberry.field(description="Newest first.")
    top_hours: list[PeakHour] = strawberry.field(description="The five highest hours.")
    weekday_profile: list[float | None] = strawberry.field(
        description="Average kWh in each local hour of a weekday, from 0:00 to 23:00."
    )
    weekend_profile: list[float | None] = strawberry.field(
        description="Average kWh in each local hour of a Saturday or Sunday."
    )

    @classmethod
    def of(cls, found: peaks.PeakDemand, zone: ZoneInfo) -> PeakDemand:
        return cls(
            periods=[
                BillingPeriodPeak(
                    bill_date=p.bill_date,
                    start=p.start,
                    end=p.end,
                    peak=PeakHour.of(p.peak, zone) if p.peak else None,
                )
                for p in found.periods
            ],
            top_hours=[PeakHour.of(hour, zone) for hour in found.top_hours],
            weekday_profile=list(found.weekday_profile),
            weekend_profile=list(found.weekend_profile),
        )


async def account_peak_demand(
    info: GatewayInfo, *, account_number: str, periods: int
) -> PeakDemand:
    context = info.context
    found = await peaks.peak_demand(
        loaders=context.loaders, zone=context.zone, account_number=account_number, periods=periods
    )
    return PeakDemand.of(found, context.zone)


@strawberry.type(
    description="The likely bill for the period still open: use so far from the meters,"
    " the rest from the account's load model at last year's weather, priced like the latest"
    " bill; `amountLow` to `amountHigh` holds it with the stated confidence."
)
class ProjectedBill:
    period_start: date
    period_end: date
    expected_bill_date: date
    computed_on: date
    days_with_reads: int
    days_remaining: int
    kwh_so_far: float
    kwh: float
    kwh_low: float
    kwh_high: float
    amount: Money
    amount_low: Money
    amount_high: Money
    confidence: float

    @classmethod
    def of(cls, found: projection.Projection) -> ProjectedBill:
        return cls(
            period_start=found.period_start,
            period_end=found.period_end,
            expected_bill_date=found.expected_bill_date,
            computed_on=found.computed_on,
            days_with_reads=found.days_with_reads,
            days_remaining=found.days_remaining,
            kwh_so_far=found.kwh_so_far,
            kwh=found.kwh,
            kwh_low=found.kwh_low,
            kwh_high=found.kwh_high,
            amount=money(found.amount),
            amount_low=money(found.amount_low),
            amount_high=money(found.amount_high),
            confidence=found.confidence,
        )


async def account_projected_bill(info: GatewayInfo, *, account_number: str) -> ProjectedBill:
    context = info.context
    today = context.tokens.now().astimezone(context.zone).date()
    found = await projection.projected_bill(
        loaders=context.loaders, account_number=account_number, today=today
    )
    return ProjectedBill.of(found)
