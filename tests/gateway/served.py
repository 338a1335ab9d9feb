"""The whole app served in process (ASGI), for tests of how it is wired: over the fakes,
or over the SOAP stand-ins and the meter store as a deployment's settings reach them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from starlette.applications import Starlette

from gateway.api.http import GRAPHQL_RESPONSE
from gateway.app import create_app
from gateway.core.backends import Adapters
from gateway.core.cache.port import Cache
from gateway.settings import GatewaySettings
from simulators.soap import MultiSpeakCredentials
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
class StandIns:
    """Where the shared CIS and OMS stand-ins and the meter store are, and how to sign in."""

    cis_url: str
    cis_credentials: MultiSpeakCredentials
    oms_url: str
    oms_credentials: MultiSpeakCredentials
    meters_database_url: str

    def settings(self, *, cis_url: str | None = None, **overrides: Any) -> GatewaySettings:
        """Settings that reach them as a deployment's do (or a CIS of its own at `cis_url`)."""
        return GatewaySettings(
            cis_url=cis_url or self.cis_url,
            cis_user=SecretStr(self.cis_credentials.user_id),
            cis_password=SecretStr(self.cis_credentials.password),
            oms_url=self.oms_url,
            oms_user=SecretStr(self.oms_credentials.user_id),
            oms_password=SecretStr(self.oms_credentials.password),
            meters_database_url=self.meters_database_url,
            **overrides,
        )

    def environment(self) -> dict[str, str]:
        """The same as COOP_* variables, for a gateway in a process of its own."""
        return {
            "COOP_CIS_URL": self.cis_url,
            "COOP_CIS_USER": self.cis_credentials.user_id,
            "COOP_CIS_PASSWORD": self.cis_credentials.password,
            "COOP_OMS_URL": self.oms_url,
            "COOP_OMS_USER": self.oms_credentials.user_id,
            "COOP_OMS_PASSWORD": self.oms_credentials.password,
            "COOP_METERS_DATABASE_URL": self.meters_database_url,
        }


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
    settings: GatewaySettings, adapters: Adapters | None = None, cache: Cache | None = None
) -> AsyncIterator[Served]:
    """The app and an HTTP client of it; without `adapters`, the app opens its own."""
    app = create_app(settings, adapters, cache)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        yield Served(client)


class Device:
    """One client of the app: its own address and user agent, and the tokens it holds."""

    def __init__(self, app: Starlette, address: str, user_agent: str) -> None:
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(address, 40000)),
            base_url="http://gateway",
            headers={"user-agent": user_agent, "accept": GRAPHQL_RESPONSE},
        )
        self.access_token: str | None = None
        self.refresh_token: str | None = None
        self.session_id: str | None = None

    async def post(self, query: str, **variables: Any) -> dict[str, Any]:
        """The whole response body, errors included (the status must be 200)."""
        headers = {"authorization": f"Bearer {self.access_token}"} if self.access_token else {}
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def keep(self, answer: Mapping[str, Any]) -> None:
        """Hold the tokens of a `LoginSuccess` or a `RefreshSessionSuccess`."""
        self.access_token = answer["accessToken"]
        self.refresh_token = answer["refreshToken"]
        self.session_id = answer["sessionId"]

    async def aclose(self) -> None:
        await self.http.aclose()
