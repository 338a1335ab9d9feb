"""What documents cost: a bill's PDF drawn on request against one read from the cache,
and a year of hourly Green Button data for three meters (time and RSS growth).

    .venv/bin/python -m bench.documents_cost [--repeat 30]

The meter store is a SQLite file seeded from the demo co-op (in a temporary folder);
the CIS is its in-memory fake, since only the drawing and the reads are measured.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from adapters.cis.fake import FakeCis
from adapters.meters.sql import SqlMeterData
from adapters.oms.fake import FakeOms
from gateway.core.cache.memory import MemoryCache
from gateway.core.loaders import DataLoaders
from gateway.documents.bill_pdf import render_bill_pdf
from gateway.documents.coop import CoopIdentity
from gateway.documents.green_button import green_button_csv, green_button_xml
from gateway.documents.links import GreenButtonRange, ReadingInterval
from gateway.documents.pdf_cache import bill_pdf
from gateway.documents.statement import bill_statement
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.meters.load import load_meter_store
from simulators.oms.fake_from_world import fake_oms_from_world
from simulators.seed import generate_world
from simulators.world import WorldBill

ZONE = ZoneInfo("America/Denver")
AS_OF = date(2026, 11, 15)
COOP = CoopIdentity("Demo Electric Cooperative", ("PO Box 1000", "Estancia, NM 87016"), "-")
YEAR = GreenButtonRange(date(2025, 11, 1), date(2026, 10, 31), ReadingInterval.HOUR)


def current_rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


async def main(repeat: int) -> None:
    world = generate_world(accounts=40, seed=7, as_of=AS_OF)
    cis, oms = fake_cis_from_world(world), fake_oms_from_world(world)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'meters.db'}"
        await load_meter_store(world, url)
        meters = SqlMeterData.from_url(url)
        try:
            await _pdf(world_bill=world.bills[-1], cis=cis, oms=oms, meters=meters, repeat=repeat)
            # The demo co-op's accounts have one or two meters: three meters' reads
            # cost what a three-meter account's do.
            three = [m for loc in world.locations for m in loc.meter_nos][:3]
            for name in ("xml", "csv"):
                await _green_button(name, cis=cis, oms=oms, meters=meters, meter_nos=three)
        finally:
            await meters.aclose()


async def _pdf(
    *, world_bill: WorldBill, cis: FakeCis, oms: FakeOms, meters: SqlMeterData, repeat: int
) -> None:
    loaders = DataLoaders.create(cis=cis, oms=oms, meters=meters)
    statement = await bill_statement(
        loaders=loaders,
        zone=ZONE,
        coop=COOP,
        account_number=world_bill.account_number,
        bill_date=world_bill.bill_date,
    )
    drawn = []
    for _ in range(repeat):
        started = time.perf_counter()
        render_bill_pdf(statement)
        drawn.append(time.perf_counter() - started)
    cache = MemoryCache()
    await bill_pdf(cache=cache, statement=statement)
    cached = []
    for _ in range(repeat):
        started = time.perf_counter()
        await bill_pdf(cache=cache, statement=statement)
        cached.append(time.perf_counter() - started)
    size = len(render_bill_pdf(statement))
    print(
        f"bill PDF ({size} bytes):"
        f" drawn on request median {statistics.median(drawn) * 1000:.2f} ms,"
        f" from the cache (key digest and lookup) median {statistics.median(cached) * 1000:.3f} ms"
    )


async def _green_button(
    name: str, *, cis: FakeCis, oms: FakeOms, meters: SqlMeterData, meter_nos: list[str]
) -> None:
    loaders = DataLoaders.create(cis=cis, oms=oms, meters=meters)
    before = highest = current_rss_mb()
    started, cpu_started = time.perf_counter(), time.process_time()
    size = 0
    if name == "xml":
        chunks = green_button_xml(
            loaders=loaders,
            zone=ZONE,
            coop_name=COOP.name,
            account_number="bench",
            meter_nos=meter_nos,
            wanted=YEAR,
            now=datetime.now(UTC),
        )
    else:
        chunks = green_button_csv(loaders=loaders, zone=ZONE, meter_nos=meter_nos, wanted=YEAR)
    async for chunk in chunks:
        size += len(chunk)
        highest = max(highest, current_rss_mb())
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    print(
        f"Green Button {name}, a year of hours for {len(meter_nos)} meters ({size / 2**20:.1f} MB):"
        f" {elapsed:.2f} s ({cpu:.2f} s of CPU); RSS {before:.1f} MB before, at most"
        f" {highest:.1f} MB while streaming (growth {highest - before:.1f} MB)"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--repeat", type=int, default=30)
    asyncio.run(main(parser.parse_args().repeat))
