"""Pages of an account's bills, newest first, found from the billing cycle."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from adapters.cis.port import Bill, CisNotFound
from gateway.billing.calendar import MAX_BILLS_BACK, account_bill_dates
from gateway.core.errors import BadUserInput
from gateway.core.loaders import BillKey, DataLoaders, each


@dataclass(frozen=True, slots=True)
class BillPage:
    bills: tuple[Bill, ...]
    has_next_page: bool
    has_previous_page: bool


async def bill_dates(*, loaders: DataLoaders, account_number: str) -> list[date]:
    """Every date a bill may have been cut on, newest first (at most 36)."""
    locations = await loaders.service_locations.load(account_number)
    return account_bill_dates(locations)


async def existing_bills(
    *, loaders: DataLoaders, account_number: str, dates: Sequence[date]
) -> list[Bill]:
    """The bills cut on `dates` (newest first), stopping where the history ends.

    The CIS answers "not found" for a cycle date before the account existed.
    """
    found: list[Bill] = []
    keys = [BillKey(account_number, day) for day in dates]
    for result in await _each_or_missing(loaders, keys):
        if result is None:
            break
        found.append(result)
    return found


async def bill_page(
    *, loaders: DataLoaders, account_number: str, first: int, after: str | None
) -> BillPage:
    if not 0 <= first <= MAX_BILLS_BACK:
        raise BadUserInput(f"`first` must be between 0 and {MAX_BILLS_BACK}.")
    dates = await bill_dates(loaders=loaders, account_number=account_number)
    if after is not None:
        cursor = _parse_cursor(after)
        dates = [day for day in dates if day < cursor]
    # One more than asked tells whether a next page exists.
    bills = await existing_bills(
        loaders=loaders, account_number=account_number, dates=dates[: first + 1]
    )
    return BillPage(
        bills=tuple(bills[:first]),
        has_next_page=len(bills) > first,
        has_previous_page=after is not None,
    )


async def _each_or_missing(loaders: DataLoaders, keys: list[BillKey]) -> list[Bill | None]:
    found: list[Bill | None] = []
    for result in await each(keys, loaders.bill.load):
        if isinstance(result, CisNotFound):
            found.append(None)
        elif isinstance(result, Exception):
            raise result
        else:
            found.append(result)
    return found


def _parse_cursor(cursor: str) -> date:
    try:
        return date.fromisoformat(cursor)
    except ValueError:
        raise BadUserInput("`after` is not a cursor of this connection.") from None
