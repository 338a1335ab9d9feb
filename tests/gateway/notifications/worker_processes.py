"""`coop-gateway worker` processes for the notification tests: their environment (the
stand-ins, the test's SMTP server, only the jobs a test asks for) and a wait for what
they do."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from simulators.soap import MultiSpeakCredentials
from tests.fixtures.smtp import SmtpTestServer
from tests.gateway.served import SECRET

PATIENCE_S = 120.0  # hang guard only
# Every scan off unless a test turns one on: the tests count what their own work sends.
NO_SCANS = {
    "COOP_PAYMENT_NOTICE_INTERVAL_S": "0",
    "COOP_ACCOUNT_NOTICE_INTERVAL_S": "0",
    "COOP_OUTAGE_NOTICE_INTERVAL_S": "0",
    "COOP_AUTOPAY_DRAFT_INTERVAL_S": "0",
    "COOP_SIMILAR_HOMES_INTERVAL_S": "0",
}

WorkerEnvironment = Callable[..., dict[str, str]]


@pytest.fixture
def worker_environment(
    smtp_server: SmtpTestServer,
    fresh_cis_url: str,
    cis_credentials: MultiSpeakCredentials,
    oms_url: str,
    oms_credentials: MultiSpeakCredentials,
    meters_sqlite_url: str,
) -> WorkerEnvironment:
    """Factory: a worker's environment on `database_url`, with `overrides` (COOP_...)."""

    def environment(database_url: str, **overrides: str) -> dict[str, str]:
        return {
            **os.environ,
            "COOP_JWT_SECRET": SECRET.get_secret_value(),
            "COOP_DATABASE_URL": database_url,
            "COOP_CIS_URL": fresh_cis_url,
            "COOP_CIS_USER": cis_credentials.user_id,
            "COOP_CIS_PASSWORD": cis_credentials.password,
            "COOP_OMS_URL": oms_url,
            "COOP_OMS_USER": oms_credentials.user_id,
            "COOP_OMS_PASSWORD": oms_credentials.password,
            "COOP_METERS_DATABASE_URL": meters_sqlite_url,
            "COOP_SMTP_HOST": smtp_server.host,
            "COOP_SMTP_PORT": str(smtp_server.port),
            "COOP_SMTP_STARTTLS": "false",
            **NO_SCANS,
            **overrides,
        }

    return environment


async def start_worker(environment: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        str(Path(sys.executable).with_name("coop-gateway")),
        "worker",
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


async def eventually(condition: Callable[[], Awaitable[bool]], *, interval_s: float) -> None:
    async with asyncio.timeout(PATIENCE_S):
        while not await condition():  # noqa: ASYNC110 - the condition is other processes'
            await asyncio.sleep(interval_s)
