"""What the OMS contract suites find in the fake and the stand-in: the shared world."""

from __future__ import annotations

import pytest

from adapters.oms.contract import OmsContractFacts
from simulators.world import World
from tests.adapters.oms.facts import oms_facts_from_world


@pytest.fixture(scope="session")
def oms_facts(world: World) -> OmsContractFacts:
    return oms_facts_from_world(world)
