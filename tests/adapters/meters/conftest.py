"""What the meter data contract suites find in every store here: the shared world."""

from __future__ import annotations

import pytest

from adapters.meters.contract import MeterDataContractFacts
from simulators.world import World
from tests.adapters.meters.facts import meter_data_facts_from_world


@pytest.fixture(scope="session")
def meter_data_facts(world: World) -> MeterDataContractFacts:
    return meter_data_facts_from_world(world)
