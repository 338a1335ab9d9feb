"""An outage over a share of the co-op's service locations, started in the OMS stand-in.

The storm's OMS keeps its own copy of the bench co-op's database; the outage is written
into that copy the way the OMS records one (an event per feeder, with the locations it
covers), so every status read the gateway makes finds it. The stand-in reads its
database afresh on every call: the outage starts the moment it is written.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from sqlalchemy import Select, create_engine, select

from simulators.oms.store import event_locations, outage_events, service_locations
from simulators.world import OutageEventStatus

CAUSE: Final = "Ice storm"
CREW: Final = "Line crew 4 (Estancia)"
ESTIMATE: Final = timedelta(hours=6)  # the restoration the storm's members are told


def _out_now() -> Select[tuple[str]]:
    """The locations in an event not yet restored."""
    return (
        select(event_locations.c.location_id)
        .join(outage_events)
        .where(outage_events.c.phase != OutageEventStatus.RESTORED.value)
    )


def start_outage(oms_database: Path, *, share: float, seed: int) -> int:
    """Put `share` of the service locations that are not out already in an outage, one
    event per feeder; how many locations are out now, in all."""
    engine = create_engine(f"sqlite:///{oms_database.resolve()}")
    now = datetime.now(UTC).replace(microsecond=0)
    try:
        with engine.begin() as connection:
            already_out = set(connection.scalars(_out_now()))
            everywhere = connection.execute(
                select(
                    service_locations.c.location_id,
                    service_locations.c.substation,
                    service_locations.c.feeder,
                ).order_by(service_locations.c.location_id)
            ).all()
            wanted = round(share * len(everywhere))
            candidates = [row for row in everywhere if row.location_id not in already_out]
            chosen = random.Random(seed).sample(candidates, min(wanted, len(candidates)))
            by_feeder: defaultdict[tuple[str, str], list[str]] = defaultdict(list)
            for row in chosen:
                by_feeder[(row.substation, row.feeder)].append(row.location_id)
            for number, ((substation, feeder), locations) in enumerate(sorted(by_feeder.items())):
                event_id = f"OE-STORM-{number:03d}"
                connection.execute(
                    outage_events.insert().values(
                        event_id=event_id,
                        substation=substation,
                        feeder=feeder,
                        cause=CAUSE,
                        phase=OutageEventStatus.DISPATCHED.value,
                        started_at=now,
                        dispatched_at=now,
                        estimated_restoration=now + ESTIMATE,
                        crew=CREW,
                    )
                )
                connection.execute(
                    event_locations.insert(),
                    [{"event_id": event_id, "location_id": loc} for loc in sorted(locations)],
                )
            out = len(set(connection.scalars(_out_now())))
    finally:
        engine.dispose()
    return out


def locations_of(oms_database: Path, account_numbers: Sequence[str]) -> tuple[int, int]:
    """How many service locations these accounts have, and how many of them are out."""
    wanted = set(account_numbers)
    engine = create_engine(f"sqlite:///{oms_database.resolve()}")
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(service_locations.c.location_id, service_locations.c.account_number)
            ).all()
            out = set(connection.scalars(_out_now()))
    finally:
        engine.dispose()
    polled = {row.location_id for row in rows if row.account_number in wanted}
    return len(polled), len(polled & out)
