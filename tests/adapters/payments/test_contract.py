"""The payments contract (`adapters.payments.contract`) for the fake, and for the HTTP
adapter against the stand-in served on a free loopback port.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.payments.contract import *  # noqa: F403
from adapters.payments.contract import PaymentsHarness
from tests.adapters.payments.harnesses import FakeHarness, StandInHarness
from tests.fixtures.payments import serve_payments


@pytest.fixture(params=["fake", "stand-in"])
async def payments_harness(request: pytest.FixtureRequest) -> AsyncIterator[PaymentsHarness]:
    if request.param == "fake":
        yield FakeHarness()
        return
    async with serve_payments() as stand_in:
        harness = StandInHarness(stand_in)
        yield harness
        await harness.processor.aclose()
