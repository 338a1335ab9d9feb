"""graphql-http's GraphQL-over-HTTP audit against the gateway as a deployment serves it:
`coop-gateway serve` under uvicorn, in a process of its own, over the stand-ins.

Every audit must pass: no error (a MUST broken), no warning (a SHOULD), and no notice
(a MAY) either, since the gateway does them all. A notice accepted later must be
listed here by its audit id, with the reason the gateway differs.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from gateway.core.store.gateway_store import GatewayStore
from tests.fixtures.gateway_process import GatewayProcess
from tests.fixtures.graphql_http_audit import AuditResult, AuditUnavailable, audit_server
from tests.gateway.served import SECRET, StandIns

# graphql-http 1.23 runs 61 server audits; fewer means the script did not run them all.
AUDITS_AT_LEAST = 61
# Audit id -> why the gateway answers otherwise. Empty: the gateway passes every audit.
EXPLAINED_NOTICES: dict[str, str] = {}


def run_audit(process: GatewayProcess) -> list[AuditResult]:
    with process:
        try:
            return audit_server(process.graphql_url)
        except AuditUnavailable as error:
            unavailable = str(error)
    # `make test` installs what the tests need: a missing node is a failure, not a skip.
    pytest.fail(unavailable)


async def test_the_served_gateway_passes_the_graphql_over_http_audit(
    standins: StandIns, gateway_store: GatewayStore, gateway_database_path: Path, tmp_path: Path
) -> None:
    # `gateway_store` has migrated the database at `gateway_database_path`.
    process = GatewayProcess(
        {
            **standins.environment(),
            "COOP_JWT_SECRET": SECRET.get_secret_value(),
            "COOP_DATABASE_URL": f"sqlite+aiosqlite:///{gateway_database_path}",
        },
        log=tmp_path / "gateway.log",
    )
    # In a thread: the stand-ins answer from this test's event loop.
    results = await asyncio.to_thread(run_audit, process)

    failed = [
        result
        for result in results
        if result.status != "ok"
        and not (result.status == "notice" and result.id in EXPLAINED_NOTICES)
    ]
    assert not failed, "\n".join(result.describe() for result in failed)
    assert len(results) >= AUDITS_AT_LEAST, [result.id for result in results]
    # uvicorn's own lines name their level ("ERROR:    Exception in ASGI application");
    # the gateway's go to stderr unformatted, but a bug's come with its traceback.
    log = process.log_text()
    assert "Traceback" not in log, log
    assert "ERROR" not in log, log
