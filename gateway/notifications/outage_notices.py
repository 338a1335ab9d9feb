"""OUTAGE: an outage at a member's service location started, its restoration estimate
changed, the power is back.

Polled, not pushed. MultiSpeak 3.0 lets an OMS publish outage events to subscribers
(OA → `ODEventNotification`), but that needs each co-op's OMS set up to call the
gateway, and many vendors' OA_Server implement the queries without the publisher. A
poll needs nothing of the OMS but `GetActiveOutages` (one call a scan), sees the state
as it is after the gateway was down, and is bounded by the scan interval.

Each scan matches the OMS's active events to the members' service locations by
substation and feeder (the CIS's network model, through the cache). The delivery log
is the memory of what each contact was told: a dedupe key per (event, location,
contact, step) names the step and the estimate it gave, so a changed estimate is told
to whoever was told the start, a second scan or worker tells nothing twice, and an
outage told as started but no longer active is checked with the OMS and told as over
(to every contact that wants that phase: someone who asked only for "restored" hears
it too, as long as someone at the location was told of the start).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Callable, Coroutine, Iterable
from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from sqlalchemy import select

from adapters.cis.port import ServiceLocation
from adapters.errors import AdapterError
from adapters.oms.port import OmsPort, OutageEvent
from gateway.core.clock import Clock, utc_now
from gateway.core.loaders import DataLoaders
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.unit_of_work import unit_of_work
from gateway.notifications.account_notices import member_accounts
from gateway.notifications.deliveries import queue_delivery
from gateway.notifications.outage_messages import outage_message
from gateway.notifications.recipients import Recipient, recipients
from gateway.notifications.tables import DeliveryRow
from gateway.notifications.types import NotificationType, OutagePhase

logger = logging.getLogger("gateway.notifications.outage_notices")

KIND: Final = NotificationType.OUTAGE
# Outages told as started longer ago than this are not followed to their end.
FOLLOWED_FOR: Final = timedelta(days=7)
NO_ESTIMATE: Final = "none"


def _prefix(event_id: str, location_id: str) -> str:
    return f"outage:{event_id}:{location_id}:"


def _estimate(event: OutageEvent) -> str:
    etr = event.estimated_restoration
    return NO_ESTIMATE if etr is None else etr.isoformat()


async def queue_outage_notices(
    *,
    store: GatewayStore,
    oms: OmsPort,
    loaders: DataLoaders,
    zone: ZoneInfo,
    clock: Clock = utc_now,
) -> int:
    """Queue what changed since the last scan; the number of notices queued."""
    events = await oms.get_active_outages()
    locations = await _member_locations(store, loaders)
    on_feeder: dict[tuple[str | None, str | None], list[ServiceLocation]] = defaultdict(list)
    for member_location in locations.values():
        on_feeder[(member_location.substation, member_location.feeder)].append(member_location)
    queued = 0
    out_now: set[tuple[str, str]] = set()
    for event in events:
        for location in on_feeder.get((event.substation, event.feeder), []):
            out_now.add((event.event_id, location.location_id))
            queued += await _tell_out(store, location, event, zone=zone, clock=clock)
    for event_id, location_id in await _followed(store, now=clock()) - out_now:
        followed = locations.get(location_id)
        if followed is not None:
            queued += await _tell_restored(store, oms, followed, event_id, zone=zone, clock=clock)
    return queued


async def _member_locations(
    store: GatewayStore, loaders: DataLoaders
) -> dict[str, ServiceLocation]:
    numbers = await member_accounts(store)
    found: dict[str, ServiceLocation] = {}
    # An account the CIS fails to list costs only its own locations' notices.
    answers = await asyncio.gather(
        *(loaders.service_locations.load(number) for number in numbers), return_exceptions=True
    )
    for number, listed in zip(numbers, answers, strict=True):
        if isinstance(listed, BaseException):
            logger.warning("outage notices: no service locations for %s: %s", number, listed)
            continue
        found.update((location.location_id, location) for location in listed)
    return found


async def _told(store: GatewayStore, prefix: str) -> dict[int, list[str]]:
    """What each contact was told of one outage at one location: its keys' steps, oldest
    first."""
    async with store.sessions() as session:
        rows = await session.execute(
            select(DeliveryRow.contact_id, DeliveryRow.dedupe_key)
            .where(DeliveryRow.dedupe_key.startswith(prefix, autoescape=True))
            .order_by(DeliveryRow.id)
        )
        told: dict[int, list[str]] = defaultdict(list)
        for contact_id, key in rows:
            if contact_id is not None:
                told[contact_id].append(key.removeprefix(prefix).partition(":")[2])
        return told


def _last_estimate(steps: Iterable[str]) -> str | None:
    estimates = [step.partition(":")[2] for step in steps if step.startswith(("started:", "etr:"))]
    return estimates[-1] if estimates else None


async def _tell_out(
    store: GatewayStore,
    location: ServiceLocation,
    event: OutageEvent,
    *,
    zone: ZoneInfo,
    clock: Clock,
) -> int:
    prefix = _prefix(event.event_id, location.location_id)
    told = await _told(store, prefix)
    estimate = _estimate(event)
    queued = 0
    for recipient in await _wanting(store, location, clock):
        steps = told.get(recipient.contact.id, [])
        if not steps:
            phase, step = OutagePhase.STARTED, f"started:{estimate}"
        elif _last_estimate(steps) != estimate:
            phase, step = OutagePhase.ESTIMATE_CHANGED, f"etr:{estimate}"
        else:
            continue
        if phase not in (recipient.settings.outage_phases or frozenset(OutagePhase)):
            continue
        queued += await _queue(
            store,
            recipient,
            location,
            prefix + f"{recipient.contact.id}:{step}",
            phase,
            event,
            zone=zone,
            clock=clock,
        )
    return queued


async def _tell_restored(
    store: GatewayStore,
    oms: OmsPort,
    location: ServiceLocation,
    event_id: str,
    *,
    zone: ZoneInfo,
    clock: Clock,
) -> int:
    status = await oms.get_outage_status(location.location_id)
    if status.is_out and status.event is not None and status.event.event_id == event_id:
        return 0  # still out: the event only left the OMS's active list for a moment
    ended = next(
        (e for e in await oms.get_outage_history(location.location_id) if e.event_id == event_id),
        None,
    )
    prefix = _prefix(event_id, location.location_id)
    told = await _told(store, prefix)
    queued = 0
    for recipient in await _wanting(store, location, clock):
        if "restored" in told.get(recipient.contact.id, []):
            continue  # told it is over already
        if OutagePhase.RESTORED not in (recipient.settings.outage_phases or frozenset(OutagePhase)):
            continue
        queued += await _queue(
            store,
            recipient,
            location,
            prefix + f"{recipient.contact.id}:restored",
            OutagePhase.RESTORED,
            ended,
            zone=zone,
            clock=clock,
        )
    return queued


async def _wanting(store: GatewayStore, location: ServiceLocation, clock: Clock) -> list[Recipient]:
    return await recipients(store, account_number=location.account_number, kind=KIND, clock=clock)


async def _queue(
    store: GatewayStore,
    recipient: Recipient,
    location: ServiceLocation,
    dedupe_key: str,
    phase: OutagePhase,
    event: OutageEvent | None,
    *,
    zone: ZoneInfo,
    clock: Clock,
) -> int:
    message = outage_message(phase, event, location.address, recipient.contact.kind, zone)
    async with unit_of_work(store, clock=clock) as uow:
        delivery_id = await queue_delivery(
            uow,
            dedupe_key=dedupe_key,
            contact=recipient.contact,
            type_=KIND.value,
            account_number=location.account_number,
            subject=message.subject,
            body=message.body,
            now=clock(),
        )
    return int(delivery_id is not None)


async def _followed(store: GatewayStore, *, now: datetime) -> set[tuple[str, str]]:
    """(event, location) of the outages told as started lately and not told as over."""
    async with store.sessions() as session:
        keys = await session.scalars(
            select(DeliveryRow.dedupe_key).where(
                DeliveryRow.type == KIND.value,
                DeliveryRow.created_at >= now - FOLLOWED_FOR,
            )
        )
        started: set[tuple[str, str]] = set()
        over: set[tuple[str, str]] = set()
        for key in keys:
            _, event_id, location_id, _, step = key.split(":", 4)
            pair = (event_id, location_id)
            if step.startswith("started:"):
                started.add(pair)
            elif step == "restored":
                over.add(pair)
        return started - over


def outage_notices_job(
    *,
    store: GatewayStore,
    oms: OmsPort,
    loaders: Callable[[], DataLoaders],
    zone: ZoneInfo,
    interval_s: float,
    clock: Clock = utc_now,
) -> Callable[[asyncio.Event], Coroutine[Any, Any, None]]:
    """Runs until `stop` is set: a scan now, then one every interval; a scan the OMS or
    the CIS fails is logged and made again next interval."""

    async def run(stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                queued = await queue_outage_notices(
                    store=store, oms=oms, loaders=loaders(), zone=zone, clock=clock
                )
                if queued:
                    logger.info("outage notices: %d queued", queued)
            except AdapterError as error:
                logger.warning("outage notices: the scan failed: %s; trying again", error)
            except Exception:
                logger.exception("outage notices: the scan failed; trying again")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), interval_s)

    return run
