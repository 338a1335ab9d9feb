"""The worker's autopay job: a drafting run now, then one every interval."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any
from zoneinfo import ZoneInfo

from adapters.cis.port import CisPort
from gateway.core.clock import Clock, utc_now
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments.autopay.drafting import draft_due_bills

logger = logging.getLogger("gateway.payments.autopay")


def drafting_job(
    *,
    store: GatewayStore,
    cis: CisPort,
    zone: ZoneInfo,
    interval_s: float,
    clock: Clock = utc_now,
    on_outbox_committed: Callable[[], None] | None = None,
) -> Callable[[asyncio.Event], Coroutine[Any, Any, None]]:
    """Runs until `stop` is set. A run that fails (the store is down) is logged and
    tried again next interval: the drafts it did not write are still due then."""

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                done = await draft_due_bills(
                    store=store,
                    cis=cis,
                    zone=zone,
                    clock=clock,
                    on_outbox_committed=on_outbox_committed,
                )
                if done.drafted or done.skipped:
                    logger.info(
                        "autopay: %d drafted, %d skipped", len(done.drafted), len(done.skipped)
                    )
            except Exception:
                logger.exception("autopay drafting run failed; trying again next interval")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_s)

    return run
