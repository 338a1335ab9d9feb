"""The whole app served in process (ASGI) over the fakes, for tests of how it is wired."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from gateway.app import create_app
from gateway.backends import Adapters
from gateway.cache.port import Cache
from gateway.http import GRAPHQL_RESPONSE
from gateway.settings import GatewaySettings
from tests.gateway.support import Member

SECRET = SecretStr("served-test-signing-secret-" + "s" * 20)
LOGIN = """mutation ($i: LoginInput!) { login(input: $i) {
  __typename ... on LoginSuccess { accessToken } } }"""


# Ample: a loaded test machine must not make Redis look down where a test needs it up.
REDIS_TIMEOUT_S = 2.0


def served_settings(gateway_database_path: Path, **overrides: Any) -> GatewaySettings:
    return GatewaySettings(
        jwt_secret=SECRET,
        database_url=f"sqlite+aiosqlite:///{gateway_database_path}",
        **{"redis_timeout_s": REDIS_TIMEOUT_S, **overrides},
    )


@dataclass(frozen=True, slots=True)
class Served:
    client: httpx.AsyncClient

    async def sign_in(self, member: Member) -> str:
        body = await self.graphql(LOGIN, i={"email": member.email, "password": member.password})
        token: str = body["data"]["login"]["accessToken"]
        return token

    async def graphql(self, query: str, token: str | None = None, **variables: Any) -> Any:
        """The response body of a POST that executed (status 200)."""
        headers = {"accept": GRAPHQL_RESPONSE}
        if token:
            headers["authorization"] = f"Bearer {token}"
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        return response.json()


@asynccontextmanager
async def served(
    settings: GatewaySettings, adapters: Adapters, cache: Cache | None = None
) -> AsyncIterator[Served]:
    app = create_app(settings, adapters, cache)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        yield Served(client)
