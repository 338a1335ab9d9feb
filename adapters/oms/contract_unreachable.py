"""The contract every `OmsPort` keeps when its OMS cannot be reached.

A pytest suite for any implementation. It needs two fixtures: `oms`, the
implementation under test, configured for an OMS that does not answer (a closed
port, say), and `oms_facts`, the `OmsContractFacts` of the read suite
(`adapters.oms.contract`). Run it by importing it into a test module that has both:

    from adapters.oms.contract_unreachable import *  # noqa: F403
"""

from __future__ import annotations

import pytest

from adapters.oms.contract import OmsContractFacts
from adapters.oms.port import OmsPort, OmsUnavailable

__all__ = ["test_an_unreachable_oms_is_unavailable"]


async def test_an_unreachable_oms_is_unavailable(oms: OmsPort, oms_facts: OmsContractFacts) -> None:
    with pytest.raises(OmsUnavailable):
        await oms.get_active_outages()
    with pytest.raises(OmsUnavailable):
        await oms.get_outage_status(oms_facts.outages_in_progress[-1].location_id)
