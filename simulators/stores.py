"""Load one `World` into every stand-in's own database."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.meters.tables import metadata as meters_metadata
from simulators.cis.store import load_world as load_cis
from simulators.cis.store import metadata as cis_metadata
from simulators.meters.load import load_meter_store
from simulators.oms.store import load_world as load_oms
from simulators.oms.store import metadata as oms_metadata
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


def stand_in_schema_fingerprint() -> str:
    """A short hash of every stand-in table, column and index: databases seeded by a
    version with other tables (say, before the CIS kept a change log) or indexes must be
    seeded again."""
    described: list[str] = []
    for metadata in (cis_metadata, oms_metadata, meters_metadata):
        described.extend(_describe(metadata))
    return hashlib.sha256("\n".join(described).encode()).hexdigest()[:12]


def _describe(metadata: MetaData) -> list[str]:
    return [
        f"{table.name}:{','.join(f'{column.name} {column.type}' for column in table.columns)}"
        f"|{','.join(sorted(str(index.name) for index in table.indexes))}"
        for table in metadata.sorted_tables
    ]
