"""The SMS contract (`adapters.sms.contract`) for the fake, and for the HTTP adapter
against the stand-in served on a free loopback port.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.sms.contract import *  # noqa: F403
from adapters.sms.contract import SmsHarness
from tests.adapters.sms.harnesses import FakeHarness, StandInHarness
from tests.fixtures.sms import serve_sms


@pytest.fixture(params=["fake", "stand-in"])
async def sms_harness(request: pytest.FixtureRequest) -> AsyncIterator[SmsHarness]:
    if request.param == "fake":
        yield FakeHarness()
        return
    async with serve_sms() as stand_in:
        harness = StandInHarness(stand_in)
        yield harness
        await harness.sender.aclose()
