"""The worker's similar-homes count: the months that have ended, once each, and the last
one again on every run (its last days' reads arrive after it ends, estimates are
replaced by actual reads).

Runs at the worker's start and then every `interval_s`. A count that fails (a system
down) is logged and tried again at the next run; what it saved before stays.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from datetime import date
from typing import Any

from adapters.cis.port import CisPort
from adapters.meters.port import MeterDataPort
from gateway.core.clock import Clock, utc_now
from gateway.core.loaders import DataLoaders
from gateway.core.store.gateway_store import GatewayStore
from gateway.similar_homes.census import count_month, ended_months, place_homes
from gateway.similar_homes.store import counted_months, save_groups

logger = logging.getLogger("gateway.similar_homes.jobs")


def months_to_count(*, today: date, months_back: int, counted: set[date]) -> list[date]:
    """The first days of the months to count, the latest first (members see it first):
    of the `months_back` months before today's, those not counted yet, and always the
    last one."""
    ended = ended_months(today, months_back)
    return [month for month in ended if month not in counted or month == ended[0]]


async def count_similar_homes(
    *,
    store: GatewayStore,
    cis: CisPort,
    meters: MeterDataPort,
    loaders: DataLoaders,
    today: date,
    months_back: int,
    clock: Clock = utc_now,
) -> list[date]:
    """Count and save the months `months_to_count` names; the months counted."""
    months = months_to_count(
        today=today, months_back=months_back, counted=await counted_months(store)
    )
    if not months:
        return []
    homes = await place_homes(cis=cis, loaders=loaders)
    for month in months:
        groups = await count_month(meters=meters, homes=homes, month=month, computed_at=clock())
        await save_groups(store, groups)
    return months


async def _finished_before(count: asyncio.Future[Any], stop: asyncio.Event) -> bool:
    """Whether `count` ended before `stop` was set; if not, it is cancelled."""
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({count, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if count.done():
        return True
    count.cancel()
    await asyncio.gather(count, return_exceptions=True)
    return False


def similar_homes_job(
    *,
    store: GatewayStore,
    cis: CisPort,
    meters: MeterDataPort,
    loaders: Callable[[], DataLoaders],
    today: Callable[[], date],
    months_back: int,
    interval_s: float,
    clock: Clock = utc_now,
) -> Callable[[asyncio.Event], Coroutine[Any, Any, None]]:
    """Runs until `stop` is set: a count now, then one every `interval_s`. A count in
    hand when `stop` is set is cancelled at once, not waited for."""

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            count = asyncio.ensure_future(
                count_similar_homes(
                    store=store,
                    cis=cis,
                    meters=meters,
                    loaders=loaders(),
                    today=today(),
                    months_back=months_back,
                    clock=clock,
                )
            )
            if not await _finished_before(count, stop):
                return  # a month is saved whole or not at all: stopping mid-count loses none
            try:
                logger.info("similar homes: %d months counted", len(count.result()))
            except Exception:
                logger.exception("similar homes: the count failed; trying again later")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_s)

    return run
