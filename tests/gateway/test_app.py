"""The app wired from settings alone: real SOAP adapters against the stand-ins, SQLite meters."""

from __future__ import annotations

from pathlib import Path

import httpx
from pydantic import SecretStr

from gateway.app import create_app
from gateway.http import GRAPHQL_RESPONSE
from gateway.settings import GatewaySettings
from simulators.soap import MultiSpeakCredentials
from tests.gateway.conftest import Members

QUERY = """
query ($n: String!) { account(number: $n) { ... on Account {
  customer { lastName }
  balance { amountDue }
  bills(first: 2) { edges { cursor node { amount } } }
  outageStatus { isOut }
  usage(from: "2026-10-01", to: "2026-10-07", interval: DAY) { kwh temperatureF }
} } }
"""


async def test_the_lifespan_opens_the_real_adapters_and_serves_through_them(
    cis_url: str,
    cis_credentials: MultiSpeakCredentials,
    oms_url: str,
    oms_credentials: MultiSpeakCredentials,
    meters_sqlite_url: str,
    gateway_database_path: Path,
    members: Members,
) -> None:
    settings = GatewaySettings(
        cis_url=cis_url,
        cis_user=SecretStr(cis_credentials.user_id),
        cis_password=SecretStr(cis_credentials.password),
        oms_url=oms_url,
        oms_user=SecretStr(oms_credentials.user_id),
        oms_password=SecretStr(oms_credentials.password),
        meters_database_url=meters_sqlite_url,
        database_url=f"sqlite+aiosqlite:///{gateway_database_path}",
        jwt_secret=SecretStr("app-test-signing-secret-" + "w" * 20),
    )
    app = create_app(settings)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        ready = await client.get("/readyz")
        assert ready.status_code == 200, ready.text
        login = await client.post(
            "/graphql",
            json={
                "query": "mutation ($i: LoginInput!) { login(input: $i) {"
                " ... on LoginSuccess { accessToken } } }",
                "variables": {
                    "i": {"email": members.demo.email, "password": members.demo.password}
                },
            },
        )
        token = login.json()["data"]["login"]["accessToken"]
        response = await client.post(
            "/graphql",
            json={"query": QUERY, "variables": {"n": members.demo.account_numbers[0]}},
            headers={"authorization": f"Bearer {token}", "accept": GRAPHQL_RESPONSE},
        )
    body = response.json()
    assert "errors" not in body, body
    account = body["data"]["account"]
    assert account["customer"] == {"lastName": "Baca"}
    assert len(account["bills"]["edges"]) == 2
    assert account["balance"]["amountDue"]
    assert len(account["usage"]["kwh"]) == 7
    assert None not in account["usage"]["temperatureF"]
    assert all(status["isOut"] is False for status in account["outageStatus"])
