"""The refusals contract (`adapters.email.contract_refusals`) for the senders whose mail
system can refuse a recipient: the fake, and SMTP against a real aiosmtpd server.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.email.contract_refusals import *  # noqa: F403
from adapters.email.contract_refusals import RefusingEmailHarness
from tests.adapters.email.harnesses import FakeHarness, SmtpHarness
from tests.fixtures.smtp import closed_port, run_smtp_server


@pytest.fixture(params=["fake", "smtp"])
async def email_harness(request: pytest.FixtureRequest) -> AsyncIterator[RefusingEmailHarness]:
    if request.param == "fake":
        yield FakeHarness()
        return
    with closed_port() as unused_port:
        async with run_smtp_server() as server:
            yield SmtpHarness(server, unused_port)
