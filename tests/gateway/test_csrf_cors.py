"""Why CSRF cannot happen here, proven: bearer tokens only, no mutations over GET, CORS closed.

A cross-site request can make a browser send its cookies, never an Authorization
header; so the gateway must never accept a cookie as credentials, never change data
on a GET (a link or an <img> can make one), and let no other origin read answers
unless the `cors_origins` setting names it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest_asyncio
from pydantic import SecretStr

from gateway.app import create_app
from gateway.core.backends import Adapters
from gateway.settings import GatewaySettings
from tests.gateway.conftest import Members

PORTAL = "https://portal.example.coop"
ELSEWHERE = "https://evil.example.net"
LOGIN = (
    """mutation ($i: LoginInput!) { login(input: $i) { ... on LoginSuccess { accessToken } } }"""
)
VIEWER = "{ viewer { email } }"
REPORT = (
    'mutation { reportOutage(input: {accountNumber: "2000100", serviceLocationId: "x"})'
    " { __typename } }"
)


def settings(database_path: Path, *cors_origins: str) -> GatewaySettings:
    return GatewaySettings(
        database_url=f"sqlite+aiosqlite:///{database_path}",
        jwt_secret=SecretStr("csrf-test-signing-secret-" + "q" * 20),
        cors_origins=cors_origins,
        cache_enabled=False,
    )


@pytest_asyncio.fixture
async def closed(
    adapters: Adapters, gateway_database_path: Path, members: Members
) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway with the default settings: no CORS origins."""
    app = create_app(settings(gateway_database_path), adapters)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        yield client


async def test_a_token_in_a_cookie_is_no_credential(
    closed: httpx.AsyncClient, members: Members
) -> None:
    login = await closed.post(
        "/graphql",
        json={
            "query": LOGIN,
            "variables": {"i": {"email": members.demo.email, "password": members.demo.password}},
        },
    )
    token = login.json()["data"]["login"]["accessToken"]

    with_header = await closed.post(
        "/graphql", json={"query": VIEWER}, headers={"authorization": f"Bearer {token}"}
    )
    with_cookies = await closed.post(
        "/graphql",
        json={"query": VIEWER},
        headers={
            "cookie": f"access_token={token}; authorization=Bearer%20{token}; session={token}"
        },
    )

    assert with_header.json()["data"] == {"viewer": {"email": members.demo.email}}
    assert with_cookies.json()["data"] == {"viewer": None}
    assert "set-cookie" not in login.headers


async def test_a_mutation_over_get_is_refused_and_runs_nothing(
    closed: httpx.AsyncClient, adapters: Adapters
) -> None:
    response = await closed.get("/graphql", params={"query": REPORT})

    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert adapters.oms.calls == []  # type: ignore[attr-defined]


async def test_cors_is_closed_by_default(closed: httpx.AsyncClient) -> None:
    preflight = await closed.options(
        "/graphql",
        headers={
            "origin": PORTAL,
            "access-control-request-method": "POST",
            "access-control-request-headers": "authorization, content-type",
        },
    )
    simple = await closed.post("/graphql", json={"query": VIEWER}, headers={"origin": PORTAL})

    assert "access-control-allow-origin" not in preflight.headers
    assert preflight.status_code == 405
    assert "access-control-allow-origin" not in simple.headers


async def test_cors_opens_only_to_the_configured_origins_and_never_for_cookies(
    adapters: Adapters, gateway_database_path: Path
) -> None:
    app = create_app(settings(gateway_database_path, PORTAL), adapters)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):

        async def preflight(origin: str) -> httpx.Response:
            return await client.options(
                "/graphql",
                headers={
                    "origin": origin,
                    "access-control-request-method": "POST",
                    "access-control-request-headers": "authorization, content-type",
                },
            )

        allowed, refused = await preflight(PORTAL), await preflight(ELSEWHERE)
        simple = await client.post("/graphql", json={"query": VIEWER}, headers={"origin": PORTAL})

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == PORTAL
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in allowed.headers
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    assert simple.headers["access-control-allow-origin"] == PORTAL
