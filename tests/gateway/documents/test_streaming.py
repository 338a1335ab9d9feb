"""Green Button data is written a piece at a time: a year of hours comes out in many
chunks, none much larger than the flush size, and together they are one document."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from lxml import etree

from gateway.core.backends import Adapters
from gateway.documents.espi import ESPI
from gateway.documents.green_button import FLUSH_BYTES, green_button_csv, green_button_xml
from gateway.documents.links import GreenButtonRange, ReadingInterval
from simulators.world import World
from tests.gateway.support import loaders_for

YEAR = GreenButtonRange(date(2025, 11, 1), date(2026, 10, 31), ReadingInterval.HOUR)
ZONE = ZoneInfo("America/Denver")


async def test_a_year_of_hours_streams_in_bounded_chunks(world: World, adapters: Adapters) -> None:
    meters = [m for loc in world.locations for m in loc.meter_nos][:3]
    chunks = [
        chunk
        async for chunk in green_button_xml(
            loaders=loaders_for(adapters),
            zone=ZONE,
            coop_name="Co-op",
            account_number="1",
            meter_nos=meters,
            wanted=YEAR,
            now=datetime.now(UTC),
        )
    ]

    assert len(chunks) > 30
    # A chunk is sent once FLUSH_BYTES are waiting: at most that and one day's block.
    assert max(len(chunk) for chunk in chunks) < FLUSH_BYTES + 16 * 1024
    tree = etree.fromstring(b"".join(chunks))
    readings = list(tree.iter(f"{{{ESPI}}}IntervalReading"))
    assert len(readings) == 3 * 365 * 24


async def test_csv_streams_in_bounded_chunks_too(world: World, adapters: Adapters) -> None:
    meters = [m for loc in world.locations for m in loc.meter_nos][:3]
    chunks = [
        chunk
        async for chunk in green_button_csv(
            loaders=loaders_for(adapters), zone=ZONE, meter_nos=meters, wanted=YEAR
        )
    ]

    assert len(chunks) > 10
    assert max(len(chunk) for chunk in chunks) < FLUSH_BYTES + 4 * 1024
    assert b"".join(chunks).count(b"\r\n") == 3 * 365 * 24 + 1
