"""The GraphQL side of similar homes: `Account.similarHomes` and its typed answers."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated, Final

import strawberry

from gateway.api.context import GatewayInfo
from gateway.api.scalars import local
from gateway.similar_homes import service
from gateway.similar_homes.standing import MIN_HOMES

# What the field costs in the query cost model: a month of daily reads (a point a day,
# as the usage series counts them) and the group's row.
SIMILAR_HOMES_COST: Final = 31 + 1
KWH_DECIMALS: Final = 1


def _month(first_day: date) -> str:
    return first_day.strftime("%Y-%m")


@strawberry.type(
    description="Where the account stands among homes with the same rate class and weather"
    " station, by kWh per day in one calendar month. Only the group's size and cut points"
    " are given, never another home's figure."
)
class SimilarHomes:
    month: str = strawberry.field(description='The calendar month compared ("2026-10").')
    homes: int = strawberry.field(description="How many similar homes were compared.")
    rate_class: str
    kwh_per_day: float = strawberry.field(description="The account's own use per day.")
    percentile: int = strawberry.field(
        description="0 for the lowest use of the group, 100 for the highest; otherwise the"
        " share of the other similar homes that used less per day."
    )
    lower_quartile_kwh_per_day: float = strawberry.field(
        description="A quarter of similar homes used less per day than this."
    )
    median_kwh_per_day: float = strawberry.field(
        description="Half of similar homes used less per day than this."
    )
    upper_quartile_kwh_per_day: float = strawberry.field(
        description="Three quarters of similar homes used less per day than this."
    )
    computed_at: datetime = strawberry.field(description="When the group was counted.")


@strawberry.type(
    description="Too few similar homes to compare with: groups under `needed` are never shown."
)
class NotEnoughSimilarHomes:
    month: str
    homes: int
    needed: int = MIN_HOMES
    message: str = "Too few similar homes to compare with."


@strawberry.enum(description="Why the account cannot be compared with similar homes.")
class SimilarHomesGap(Enum):
    NOT_COUNTED = "not_counted"
    TOO_FEW_READS = "too_few_reads"
    NO_ACTIVE_SERVICE = "no_active_service"


_GAP_MESSAGES: Final = {
    service.Gap.NOT_COUNTED: "Similar homes have not been compared for this month yet.",
    service.Gap.TOO_FEW_READS: "The meters have too few reads of this month to compare.",
    service.Gap.NO_ACTIVE_SERVICE: "The account has no active service to compare.",
}


@strawberry.type(description="No comparison with similar homes, and why.")
class SimilarHomesUnavailable:
    month: str = strawberry.field(
        description="The month asked for; by default the last month that has ended."
    )
    reason: SimilarHomesGap
    message: str


SimilarHomesResult = Annotated[
    SimilarHomes | NotEnoughSimilarHomes | SimilarHomesUnavailable,
    strawberry.union("SimilarHomesResult"),
]


def _kwh(value: float) -> float:
    return round(value, KWH_DECIMALS)


async def account_similar_homes(
    info: GatewayInfo, *, account_number: str, month: str | None
) -> SimilarHomes | NotEnoughSimilarHomes | SimilarHomesUnavailable:
    context = info.context
    found = await service.similar_homes_standing(
        loaders=context.loaders,
        store=context.store,
        account_number=account_number,
        month=month,
        today=context.tokens.now().astimezone(context.zone).date(),
    )
    if isinstance(found, service.TooFewHomes):
        return NotEnoughSimilarHomes(month=_month(found.month), homes=found.homes)
    if isinstance(found, service.NoStanding):
        return SimilarHomesUnavailable(
            month=_month(found.month),
            reason=SimilarHomesGap(found.gap.value),
            message=_GAP_MESSAGES[found.gap],
        )
    return SimilarHomes(
        month=_month(found.month),
        homes=found.homes,
        rate_class=found.rate_class,
        kwh_per_day=_kwh(found.kwh_per_day),
        percentile=found.percentile,
        lower_quartile_kwh_per_day=_kwh(found.lower_quartile_kwh_per_day),
        median_kwh_per_day=_kwh(found.median_kwh_per_day),
        upper_quartile_kwh_per_day=_kwh(found.upper_quartile_kwh_per_day),
        computed_at=local(found.computed_at, context.zone),
    )
