"""What the storm's answers say, and the storm driven against a small server."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import orjson
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench import storm_load
from bench.portal_documents import PortalDocument
from bench.storm_load import Answer, drive, figures, judge
from bench.storm_members import Member
from bench.storm_plan import StormPlan, visits
from simulators.server import serve_asgi

VIEWER = PortalDocument("PortalViewer", "query PortalViewer { viewer { email } }")
DASHBOARD = PortalDocument(
    "PortalDashboard",
    "query PortalDashboard($number: String!) { account(number: $number) { __typename } }",
)


def dashboard(*out: bool, typename: str = "Account") -> bytes:
    locations = [{"id": str(n), "outageStatus": {"isOut": is_out}} for n, is_out in enumerate(out)]
    return orjson.dumps(
        {"data": {"account": {"__typename": typename, "serviceLocations": locations}}}
    )


def test_a_complete_dashboard_is_no_error_and_tells_whether_a_location_is_out() -> None:
    assert judge(200, dashboard(False, True)) == (None, True)
    assert judge(200, dashboard(False)) == (None, False)
    assert judge(200, orjson.dumps({"data": {"viewer": {"email": "a@b.c"}}})) == (None, False)


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (503, b"busy", "HTTP 503"),
        (200, b"<html>", "unreadable JSON"),
        (
            200,
            orjson.dumps(
                {
                    "data": {"account": None},
                    "errors": [{"message": "x", "extensions": {"code": "BACKEND_UNAVAILABLE"}}],
                }
            ),
            "errors: BACKEND_UNAVAILABLE",
        ),
        (200, dashboard(typename="AccountNotFound"), "answered AccountNotFound"),
        (200, orjson.dumps({"data": {"viewer": None}}), "no data"),
    ],
)
def test_anything_short_of_a_complete_answer_is_an_error(
    status: int, body: bytes, error: str
) -> None:
    assert judge(status, body) == (error, False)


def test_figures_count_errors_by_kind_and_rate_over_the_duration() -> None:
    answers = [
        Answer("PortalDashboard", 0.0, 100.0, None, told_out=True),
        Answer("PortalDashboard", 1.0, 300.0, "HTTP 503"),
        Answer("PortalViewer", 0.0, 20.0, None),
        Answer("PortalViewer", 2.0, 40.0, "HTTP 503"),
    ]

    found = figures(answers, duration_s=2.0)

    assert (found.requests, found.errors, found.error_kinds) == (4, 2, {"HTTP 503": 2})
    assert found.requests_per_s == 2.0
    assert found.latency.p50_ms == 40.0
    assert found.by_document["PortalDashboard"].max_ms == 300.0
    assert found.by_document["PortalViewer"].samples == 2
    assert found.dashboards_told_out == 1


async def test_each_member_sends_the_portals_documents_by_hash_with_its_own_token() -> None:
    seen: list[tuple[str, str, dict[str, Any]]] = []

    async def graphql(request: Request) -> Response:
        body = orjson.loads(await request.body())
        seen.append((request.headers["authorization"], body["operationName"], body))
        if body["operationName"] == "PortalViewer":
            return JSONResponse({"data": {"viewer": {"email": "x@y.z"}}})
        return Response(dashboard(True), media_type="application/json")

    app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])
    members = [Member(f"m{n}@storm.bench", f"20{n:05d}", f"token-{n}") for n in range(3)]
    plan = StormPlan(members=3, arrival_s=0.2, polls=2, poll_interval_s=0.1)
    async with serve_asgi(app) as base_url:
        answers, duration_s = await drive(
            visits(plan),
            members,
            graphql_url=f"{base_url}/graphql",
            viewer=VIEWER,
            dashboard=DASHBOARD,
        )

    assert len(answers) == 3 * (1 + 2)
    assert all(answer.error is None for answer in answers)
    assert sum(answer.told_out for answer in answers) == 6
    assert duration_s > 0.1
    for n, member in enumerate(members):
        mine = [(name, body) for token, name, body in seen if token == f"Bearer {member.token}"]
        assert [name for name, _ in mine] == ["PortalViewer", "PortalDashboard", "PortalDashboard"]
        assert mine[1][1]["variables"] == {"number": f"20{n:05d}"}
        assert mine[1][1]["documentId"].startswith("sha256:")
        assert "query" not in mine[1][1]


async def storm(base_url: str, *, members: int, polls: int, poll_interval_s: float) -> list[Answer]:
    """The answers of a small storm of `members` against `base_url`, all at once."""
    plan = StormPlan(members=members, arrival_s=0.0, polls=polls, poll_interval_s=poll_interval_s)
    answers, _ = await drive(
        visits(plan),
        [Member(f"m{n}@storm.bench", f"20{n:05d}", f"token-{n}") for n in range(members)],
        graphql_url=f"{base_url}/graphql",
        viewer=VIEWER,
        dashboard=DASHBOARD,
    )
    return answers


@pytest.mark.parametrize(
    ("expiry_s", "reused"), [(storm_load.KEEPALIVE_EXPIRY_S, True), (0.05, False)]
)
async def test_a_connection_is_kept_alive_only_until_it_expires(
    monkeypatch: pytest.MonkeyPatch, expiry_s: float, reused: bool
) -> None:
    monkeypatch.setattr(storm_load, "KEEPALIVE_EXPIRY_S", expiry_s)
    client_ports: list[int] = []

    async def graphql(request: Request) -> Response:
        assert request.client is not None
        client_ports.append(request.client.port)
        return Response(dashboard(False), media_type="application/json")

    app = Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])
    async with serve_asgi(app) as base_url:
        answers = await storm(base_url, members=1, polls=2, poll_interval_s=0.3)

    assert all(answer.error is None for answer in answers)
    # The second dashboard goes out 0.3 s after the first answer, on the connection the
    # viewer and the first dashboard used unless it expired in the meantime.
    assert len(client_ports) == 3
    assert (client_ports[2] in client_ports[:2]) is reused


@asynccontextmanager
async def raw_server(
    handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]],
) -> AsyncIterator[str]:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


@asynccontextmanager
async def refusing() -> AsyncIterator[str]:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        yield f"http://127.0.0.1:{closed.getsockname()[1]}"  # bound, never listening


async def reset_on_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.readuntil(b"\r\n\r\n")
    writer.transport.abort()


async def never_answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    await reader.read()  # until the client gives up and closes
    writer.close()


@pytest.mark.parametrize(
    ("server", "kind"),
    [
        (refusing, "ClientConnectorError"),
        (lambda: raw_server(reset_on_request), "ServerDisconnectedError"),
        (lambda: raw_server(never_answer), "TimeoutError"),
    ],
    ids=["refused", "reset", "timed out"],
)
async def test_a_request_never_answered_is_an_error_of_its_own_kind(
    monkeypatch: pytest.MonkeyPatch,
    server: Callable[[], AbstractAsyncContextManager[str]],
    kind: str,
) -> None:
    monkeypatch.setattr(storm_load, "REQUEST_TIMEOUT_S", 0.2)
    async with server() as base_url:
        answers = await storm(base_url, members=2, polls=1, poll_interval_s=1.0)

    assert [answer.error for answer in answers] == [f"no answer: {kind}"] * (2 * 2)
