"""The unreachable-store contract (`adapters.meters.contract_unreachable`) for the fake
switched off, SQLite in a directory that does not exist, and PostgreSQL on a port
nothing listens on (whose password must show in no error).
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from adapters.meters.contract import MeterDataContractFacts
from adapters.meters.contract_unreachable import *  # noqa: F403
from adapters.meters.port import MeterDataPort
from adapters.meters.sql import SqlMeterData
from simulators.meters.fake_from_world import fake_meters_from_world
from simulators.world import World

PASSWORD = "s3cret"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@pytest.fixture
def meter_data_facts(meter_data_facts: MeterDataContractFacts) -> MeterDataContractFacts:
    return replace(meter_data_facts, secrets=(PASSWORD,))


@pytest.fixture(params=["fake", "sqlite", "postgres"])
async def meter_data(
    request: pytest.FixtureRequest, world: World, tmp_path: Path
) -> AsyncIterator[MeterDataPort]:
    adapter: MeterDataPort
    if request.param == "fake":
        fake = fake_meters_from_world(world)
        fake.unavailable = True
        adapter = fake
    elif request.param == "sqlite":
        adapter = SqlMeterData.from_url(f"sqlite+aiosqlite:///{tmp_path}/missing/dir/meters.db")
    else:
        adapter = SqlMeterData.from_url(
            f"postgresql+asyncpg://meters:{PASSWORD}@127.0.0.1:{_closed_port()}/meters", timeout=2
        )
    try:
        yield adapter
    finally:
        await adapter.aclose()
