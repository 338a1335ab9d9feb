"""The cache writes of a request start after its response is sent."""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.types import Message

from gateway.core.cache.after_response import CacheWritesAfterResponse
from gateway.core.cache.background import BackgroundWrites


def app_logging_to(log: list[str], writes: BackgroundWrites, *, held: bool) -> Starlette:
    async def write() -> None:
        log.append("cache write")

    async def answer(_: Request) -> PlainTextResponse:
        writes.start(write())
        await asyncio.sleep(0)  # a write started at once would run here
        log.append("answered")
        return PlainTextResponse("the answer")

    return Starlette(
        routes=[Route("/", answer)],
        middleware=[Middleware(CacheWritesAfterResponse)] if held else [],
    )


async def serve_once(app: Starlette, log: list[str]) -> None:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "raw_path": b"/",
        "query_string": b"",
        "headers": [],
        "http_version": "1.1",
        "scheme": "http",
        "server": ("127.0.0.1", 80),
        "client": ("127.0.0.1", 1234),
    }

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body" and not message.get("more_body"):
            log.append("response sent")

    await app(scope, receive, send)


async def test_the_write_starts_after_the_response_is_sent() -> None:
    log: list[str] = []
    writes = BackgroundWrites()

    await serve_once(app_logging_to(log, writes, held=True), log)
    await writes.drain()

    assert log == ["answered", "response sent", "cache write"]


async def test_without_it_the_write_runs_beside_the_request() -> None:
    """What the middleware prevents, shown on the same app without it."""
    log: list[str] = []
    writes = BackgroundWrites()

    await serve_once(app_logging_to(log, writes, held=False), log)
    await writes.drain()

    assert log == ["cache write", "answered", "response sent"]
