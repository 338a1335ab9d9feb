"""The lanes transport against a real HTTP server: a connection per request under way,
waiting in order for a free lane, and no lane lost to an error or a cancellation."""

from __future__ import annotations

import asyncio
import random
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest
import pytest_asyncio
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from adapters.http_lanes import LanesTransport
from simulators.server import serve_asgi


@dataclass
class Server:
    """What the server saw: the client port of each request, and how many at once."""

    url: str = ""
    ports: list[int] = field(default_factory=list)
    arrived: list[str] = field(default_factory=list)
    under_way: int = 0
    most_under_way: int = 0
    held: asyncio.Event = field(default_factory=asyncio.Event)
    arrival: asyncio.Event = field(default_factory=asyncio.Event)

    async def until_under_way(self, calls: int) -> None:
        async with asyncio.timeout(5):
            while self.under_way != calls:
                self.arrival.clear()
                await self.arrival.wait()


@pytest_asyncio.fixture
async def server() -> AsyncIterator[Server]:
    seen = Server()
    seen.held.set()

    async def answer(request: Request) -> Response:
        assert request.client is not None
        seen.ports.append(request.client.port)
        seen.arrived.append(request.query_params.get("n", ""))
        seen.under_way += 1
        seen.most_under_way = max(seen.most_under_way, seen.under_way)
        seen.arrival.set()
        try:
            if request.url.path == "/held":
                await seen.held.wait()
            elif request.url.path == "/slow":
                await asyncio.sleep(float(request.query_params["s"]))
            return PlainTextResponse("x" * 10_000)
        finally:
            seen.under_way -= 1

    routes = [Route(path, answer) for path in ("/", "/held", "/slow")]
    async with serve_asgi(Starlette(routes=routes)) as url:
        seen.url = url
        yield seen


def client(lanes: int) -> tuple[httpx.AsyncClient, LanesTransport]:
    transport = LanesTransport(lanes=lanes, keepalive_expiry=4.0)
    return httpx.AsyncClient(transport=transport, timeout=10.0), transport


async def test_calls_one_after_another_reuse_one_connection(server: Server) -> None:
    http, transport = client(lanes=8)
    async with http:
        for _ in range(10):
            assert (await http.get(server.url)).text == "x" * 10_000
        assert transport.free_lanes == 8
    assert len(set(server.ports)) == 1


async def test_each_call_under_way_has_a_connection_of_its_own(server: Server) -> None:
    http, transport = client(lanes=8)
    server.held.clear()
    async with http:
        calls = [asyncio.create_task(http.get(f"{server.url}/held")) for _ in range(6)]
        await server.until_under_way(6)
        assert transport.free_lanes == 2
        server.held.set()
        assert all(answer.status_code == 200 for answer in await asyncio.gather(*calls))
        assert transport.free_lanes == 8
    assert len(set(server.ports)) == 6


async def test_calls_beyond_the_lanes_wait_for_one_in_the_order_they_came(server: Server) -> None:
    http, transport = client(lanes=2)
    server.held.clear()
    async with http:
        calls = []
        for n in range(6):
            calls.append(asyncio.create_task(http.get(f"{server.url}/held", params={"n": n})))
            await asyncio.sleep(0.01)  # each asks for a lane after the one before
        await server.until_under_way(2)
        await asyncio.sleep(0.05)
        assert server.under_way == 2  # the other four wait here, not at the server
        server.held.set()
        answers = await asyncio.gather(*calls)
        assert transport.free_lanes == 2
    assert [answer.status_code for answer in answers] == [200] * 6
    assert server.most_under_way == 2
    # Lanes come free two at a time; the two calls given them race to the server.
    assert [sorted(server.arrived[n : n + 2]) for n in (2, 4)] == [["2", "3"], ["4", "5"]]
    assert len(set(server.ports)) == 2


async def test_a_call_cancelled_while_it_waits_for_a_lane_takes_none(server: Server) -> None:
    http, transport = client(lanes=1)
    server.held.clear()
    async with http:
        first = asyncio.create_task(http.get(f"{server.url}/held"))
        await server.until_under_way(1)
        waiting = asyncio.create_task(http.get(server.url))
        await asyncio.sleep(0.02)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        server.held.set()
        assert (await first).status_code == 200
        assert (await http.get(server.url)).status_code == 200
        assert transport.free_lanes == 1


async def test_a_call_that_finds_no_lane_within_its_pool_timeout_fails_unsent(
    server: Server,
) -> None:
    http, transport = client(lanes=1)
    server.held.clear()
    async with http:
        first = asyncio.create_task(http.get(f"{server.url}/held"))
        await server.until_under_way(1)
        with pytest.raises(httpx.PoolTimeout):
            await http.get(server.url, timeout=httpx.Timeout(10.0, pool=0.05))
        server.held.set()
        assert (await first).status_code == 200
        assert transport.free_lanes == 1
        assert (await http.get(server.url)).status_code == 200
    assert server.arrived.count("") == 2  # the one that timed out never reached it


async def test_a_call_cancelled_midway_leaves_a_working_lane_behind(server: Server) -> None:
    http, transport = client(lanes=1)
    async with http:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.05):
                await http.get(f"{server.url}/slow", params={"s": 1.0})
        assert transport.free_lanes == 1
        assert (await http.get(server.url)).status_code == 200
        assert transport.free_lanes == 1


async def test_a_call_that_fails_gives_its_lane_back(server: Server) -> None:
    with socket.socket() as unused:  # a port nothing listens on
        unused.bind(("127.0.0.1", 0))
        nowhere = f"http://127.0.0.1:{unused.getsockname()[1]}"
    http, transport = client(lanes=1)
    async with http:
        with pytest.raises(httpx.ConnectError):
            await http.get(nowhere)
        with pytest.raises(httpx.ReadTimeout):
            await http.get(f"{server.url}/slow", params={"s": 1.0}, timeout=0.05)
        assert transport.free_lanes == 1
        assert (await http.get(server.url)).status_code == 200


async def test_an_answer_closed_unread_gives_its_lane_back(server: Server) -> None:
    http, transport = client(lanes=1)
    async with http:
        async with http.stream("GET", server.url) as answer:
            assert answer.status_code == 200
            assert transport.free_lanes == 0
        assert transport.free_lanes == 1
        assert (await http.get(server.url)).status_code == 200


async def test_calls_cancelled_at_random_moments_leave_every_lane_working(server: Server) -> None:
    """Most are cancelled while their connection is being made, which can strand a
    connection in httpcore's pool for good (encode/httpcore#1093): a lane holding one
    would hang every call that takes it later."""
    lanes, rng = 4, random.Random(11)
    http, transport = client(lanes=lanes)

    async def given_up_after(seconds: float) -> None:
        try:
            async with asyncio.timeout(seconds):
                await http.get(f"{server.url}/slow", params={"s": 0.02})
        except TimeoutError:
            pass

    async with http:
        for _ in range(5):
            await asyncio.gather(*(given_up_after(rng.uniform(0, 0.03)) for _ in range(60)))
        async with asyncio.timeout(10):
            answers = await asyncio.gather(*(http.get(server.url) for _ in range(3 * lanes)))
        assert transport.free_lanes == lanes
    assert [answer.status_code for answer in answers] == [200] * (3 * lanes)
