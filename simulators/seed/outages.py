"""Outage history and the outages going on "now" (the world's as-of date)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from simulators.world import OutageEventStatus, WorldOutageEvent, WorldServiceLocation

CAUSES = (
    "Lightning",
    "High wind",
    "Tree contact",
    "Animal contact",
    "Equipment failure",
    "Vehicle hit pole",
    "Snow and ice",
    "Planned maintenance",
)
CREWS = (
    "Line crew 2 (Moriarty)",
    "Line crew 4 (Estancia)",
    "Line crew 7 (Edgewood)",
    "Line crew 9 (Mountainair)",
)


def _local(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def outage_events(
    *,
    feeders: Mapping[str, Sequence[WorldServiceLocation]],
    must_be_out: Sequence[WorldServiceLocation],
    usage_start: date,
    as_of: date,
    time_zone: str,
    rng: random.Random,
) -> tuple[WorldOutageEvent, ...]:
    zone = ZoneInfo(time_zone)
    names = sorted(feeders)
    events: list[WorldOutageEvent] = []

    def affected(feeder: str, share: float) -> tuple[str, ...]:
        locations = feeders[feeder]
        count = max(1, int(len(locations) * share))
        return tuple(sorted(loc.location_id for loc in rng.sample(list(locations), count)))

    # Restored events, about two a month across the system.
    months = (as_of - usage_start).days // 30
    for number in range(months * 2):
        feeder = rng.choice(names)
        day = usage_start + timedelta(days=rng.randrange((as_of - usage_start).days - 1))
        start = _local(day, rng.randrange(24), rng.randrange(60), zone)
        duration = timedelta(minutes=rng.randint(25, 480))
        locations = feeders[feeder]
        events.append(
            WorldOutageEvent(
                event_id=f"OE-{day:%Y%m%d}-{number:04d}",
                substation=locations[0].substation,
                feeder=feeder,
                cause=rng.choice(CAUSES),
                status=OutageEventStatus.RESTORED,
                started_at=start,
                location_ids=affected(feeder, rng.uniform(0.05, 0.6)),
                estimated_restoration=start + duration,
                restored_at=start + duration,
                crew=rng.choice(CREWS),
            )
        )

    # Outages in progress: one with a crew on site, one dispatched, one just reported.
    yesterday = as_of - timedelta(days=1)
    in_progress = (
        (
            OutageEventStatus.ON_SITE,
            "Equipment failure",
            _local(yesterday, 21, 40, zone),
            timedelta(hours=14),
        ),
        (
            OutageEventStatus.DISPATCHED,
            "Tree contact",
            _local(yesterday, 23, 5, zone),
            timedelta(hours=16),
        ),
        (OutageEventStatus.REPORTED, "Under investigation", _local(as_of, 0, 30, zone), None),
    )
    forced = {loc.feeder: loc for loc in must_be_out}
    busy = list(forced) + [f for f in rng.sample(names, len(names)) if f not in forced]
    for number, (status, cause, started, etor) in enumerate(in_progress):
        feeder = busy[number]
        ids = set(affected(feeder, rng.uniform(0.1, 0.4)))
        if feeder in forced:
            ids.add(forced[feeder].location_id)
        events.append(
            WorldOutageEvent(
                event_id=f"OE-{started.astimezone(zone):%Y%m%d}-A{number + 1:03d}",
                substation=feeders[feeder][0].substation,
                feeder=feeder,
                cause=cause,
                status=status,
                started_at=started,
                location_ids=tuple(sorted(ids)),
                estimated_restoration=started + etor if etor else None,
                restored_at=None,
                crew=CREWS[number] if status is not OutageEventStatus.REPORTED else None,
            )
        )
    return tuple(sorted(events, key=lambda e: e.started_at))
