"""A request that finds every database connection busy gets a 503 to retry, not a 500."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from gateway.core.errors import OVERLOADED
from gateway.core.store.busy import RETRY_AFTER_S, StoreBusy


def app_over(engine: AsyncEngine) -> Starlette:
    async def read(_: Request) -> PlainTextResponse:
        async with engine.connect() as connection:
            value = await connection.scalar(text("SELECT 1"))
        return PlainTextResponse(str(value))

    busy = StoreBusy()
    return Starlette(routes=[Route("/", read)], exception_handlers={busy.exception: busy})


async def test_a_full_pool_is_a_503_with_retry_after_and_one_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = create_async_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'busy.db'}",
        pool_size=1,
        max_overflow=0,
        pool_timeout=0.05,
    )
    transport = httpx.ASGITransport(app=app_over(engine))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            assert (await client.get("/")).text == "1"
            async with engine.connect():  # the only connection, held
                refused = [await client.get("/") for _ in range(2)]
            assert (await client.get("/")).text == "1"  # free again: answered
    finally:
        await engine.dispose()
    for answer in refused:
        assert answer.status_code == 503
        assert answer.headers["retry-after"] == str(RETRY_AFTER_S)
        assert [e["extensions"]["code"] for e in answer.json()["errors"]] == [OVERLOADED]
        assert "QueuePool" not in answer.text
        assert "sqlalchemy" not in answer.text.lower()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
