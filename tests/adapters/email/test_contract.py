"""The email contract (`adapters.email.contract`) for the fake, SMTP against a real
aiosmtpd server, and the outbox directory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.email.contract import *  # noqa: F403
from adapters.email.contract import EmailHarness
from tests.adapters.email.harnesses import DirectoryHarness, FakeHarness, SmtpHarness
from tests.fixtures.smtp import closed_port, run_smtp_server


@pytest.fixture(params=["fake", "smtp", "directory"])
async def email_harness(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[EmailHarness]:
    if request.param == "fake":
        yield FakeHarness()
        return
    if request.param == "directory":
        yield DirectoryHarness(tmp_path / "outbox")
        return
    with closed_port() as unused_port:
        async with run_smtp_server() as server:
            yield SmtpHarness(server, unused_port)
