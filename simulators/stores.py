"""Load one `World` into every stand-in's own database."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import create_async_engine

from simulators.cis.store import load_world as load_cis
from simulators.meters.load import load_meter_store
from simulators.oms.store import load_world as load_oms
from simulators.world import World


@dataclass(frozen=True, slots=True)
class StandInDatabases:
    cis: str
    oms: str
    meters: str

    @classmethod
    def sqlite_files_in(cls, directory: Path) -> StandInDatabases:
        def url(name: str) -> str:
            return f"sqlite+aiosqlite:///{directory.resolve() / name}"

        return cls(cis=url("cis.db"), oms=url("oms.db"), meters=url("meters.db"))


async def seed_stand_ins(world: World, databases: StandInDatabases) -> None:
    for url, load in ((databases.cis, load_cis), (databases.oms, load_oms)):
        engine = create_async_engine(url)
        try:
            await load(world, engine)
        finally:
            await engine.dispose()
    await load_meter_store(world, databases.meters)
