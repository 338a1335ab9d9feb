"""ASGI middleware: the cache writes a request starts wait until its response is sent.

Encoding what a request loaded (a year of hourly reads: half a megabyte for two meters)
and storing its answer are work for the requests after it; begun as soon as the reads
are in, they would share the event loop with the rest of this request, and its answer
would wait for them (`background.writes_held`). The app returns once the response's
last bytes are handed to the server, so the writes start after that, or after the
request failed, however it ended.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.core.cache.background import writes_held


class CacheWritesAfterResponse:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        with writes_held():
            await self.app(scope, receive, send)
