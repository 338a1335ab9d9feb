"""Pages of bills, from the request's loaders alone: no viewer, no store, no context."""

from __future__ import annotations

from gateway.billing.bills import bill_page
from gateway.core.backends import Adapters
from simulators.world import World
from tests.gateway.support import loaders_for


async def test_an_empty_page_still_tells_whether_there_are_bills(
    world: World, adapters: Adapters
) -> None:
    number = world.accounts[0].account_number

    page = await bill_page(
        loaders=loaders_for(adapters), account_number=number, first=0, after=None
    )

    assert page.bills == ()
    assert page.has_next_page is True
    assert page.has_previous_page is False


async def test_after_the_oldest_bill_there_is_nothing_more(
    world: World, adapters: Adapters
) -> None:
    number = world.accounts[0].account_number
    oldest = min(b.bill_date for b in world.bills if b.account_number == number)

    page = await bill_page(
        loaders=loaders_for(adapters),
        account_number=number,
        first=12,
        after=oldest.isoformat(),
    )

    assert page.bills == ()
    assert page.has_next_page is False
    assert page.has_previous_page is True
