"""An httpx transport of lanes: one-connection pools, a request in each at a time.

httpcore's pool walks all its connections and all its waiting requests whenever a
request starts or ends, and asks each idle connection's socket whether the server
closed it (a `poll` and a `getpeername` per connection). With the 32 connections a
MultiSpeak client keeps for a storm of cache misses, that walk was the largest single
cost of a SOAP call in the gateway's profile, more than zeep reading the reply.

Here each lane is an httpx transport whose pool holds one connection, and a request
takes a lane no other request is using: the pool's walk sees one connection and one
request. The lane most recently given back is taken first, so that a steady load keeps
reusing a few warm connections and lanes left idle see theirs expire. A request that
finds every lane busy waits for one, first come first served, for as long as its pool
timeout allows (`httpx.PoolTimeout` then, as from httpx's own pool).

A lane is given back when its response is closed (httpx closes a response it has read
whole, and on any error), or at once when the request fails before an answer. A lane
whose request was cancelled before the answer came is closed and replaced by a new one:
httpcore can leave a connection cancelled while it was being made in its pool for good
(encode/httpcore#1093), and a lane holding one would make every later request wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from typing import Final

import httpx

__all__ = ["KEEPALIVE_EXPIRY_S", "LanesTransport"]

logger = logging.getLogger(__name__)

# Close idle connections before the server does: common servers (uvicorn, many IIS and
# proxy set-ups) drop them after 5 s, and reusing one in that instant fails the call.
KEEPALIVE_EXPIRY_S: Final = 4.0


class LanesTransport(httpx.AsyncBaseTransport):
    """Up to `lanes` requests under way, each alone on a connection of its own."""

    def __init__(self, *, lanes: int, keepalive_expiry: float = KEEPALIVE_EXPIRY_S) -> None:
        if lanes < 1:
            raise ValueError("a transport needs at least one lane")
        # One TLS context for all: each would otherwise load the CA bundle again.
        self._tls = httpx.create_ssl_context()
        self._one_connection = httpx.Limits(
            max_connections=1, max_keepalive_connections=1, keepalive_expiry=keepalive_expiry
        )
        self._lanes = {self._new_lane() for _ in range(lanes)}
        self._free: list[httpx.AsyncHTTPTransport] = list(self._lanes)
        self._waiting: deque[asyncio.Future[httpx.AsyncHTTPTransport]] = deque()
        self._closing: set[asyncio.Task[None]] = set()

    @property
    def free_lanes(self) -> int:
        return len(self._free)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        lane = await self._take(request)
        try:
            response = await lane.handle_async_request(request)
        except asyncio.CancelledError:
            self._give_back(self._replaced(lane))
            raise
        except BaseException:
            self._give_back(lane)
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _LaneStream(response.stream, on_close=lambda: self._give_back(lane))
        return response

    async def aclose(self) -> None:
        for lane in list(self._lanes):  # a cancelled call may replace one meanwhile
            await lane.aclose()
        await asyncio.gather(*self._closing)

    def _replaced(self, lane: httpx.AsyncHTTPTransport) -> httpx.AsyncHTTPTransport:
        """A new lane in place of `lane`, which is closed in the background."""
        self._lanes.discard(lane)
        closing = asyncio.get_running_loop().create_task(_close_quietly(lane))
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)
        fresh = self._new_lane()
        self._lanes.add(fresh)
        return fresh

    async def _take(self, request: httpx.Request) -> httpx.AsyncHTTPTransport:
        if self._free and not self._waiting:
            return self._free.pop()
        waiter: asyncio.Future[httpx.AsyncHTTPTransport] = (
            asyncio.get_running_loop().create_future()
        )
        self._waiting.append(waiter)
        # As long as httpx's own pool would let a request wait for a connection.
        pool_timeout = request.extensions.get("timeout", {}).get("pool")
        try:
            async with asyncio.timeout(pool_timeout):
                return await waiter
        except (asyncio.CancelledError, TimeoutError) as stopped:
            if waiter.done() and not waiter.cancelled():
                # Handed a lane in the instant it stopped waiting: pass it on.
                self._give_back(waiter.result())
            elif waiter in self._waiting:  # not yet passed over by `_give_back`
                self._waiting.remove(waiter)
            if isinstance(stopped, TimeoutError):
                raise httpx.PoolTimeout(
                    f"no lane came free within {pool_timeout:g} s", request=request
                ) from None
            raise

    def _new_lane(self) -> httpx.AsyncHTTPTransport:
        return httpx.AsyncHTTPTransport(verify=self._tls, limits=self._one_connection)

    def _give_back(self, lane: httpx.AsyncHTTPTransport) -> None:
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(lane)
                return
        self._free.append(lane)


async def _close_quietly(lane: httpx.AsyncHTTPTransport) -> None:
    try:
        await lane.aclose()
    except Exception:
        # Its connection is gone either way; nobody waits for this to report to.
        logger.debug("closing a replaced lane failed", exc_info=True)


class _LaneStream(httpx.AsyncByteStream):
    """A response's body that gives its lane back when closed, once."""

    def __init__(self, inner: httpx.AsyncByteStream, *, on_close: Callable[[], None]) -> None:
        self._inner = inner
        self._on_close: Callable[[], None] | None = on_close

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        on_close, self._on_close = self._on_close, None
        try:
            await self._inner.aclose()
        finally:
            if on_close is not None:
                on_close()
