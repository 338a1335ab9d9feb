"""GraphQL over HTTP through the real app (ASGI in process), with the fakes behind it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import pytest_asyncio
from graphql import GraphQLError
from pydantic import SecretStr
from strawberry.types import ExecutionResult

from gateway.api.http import GRAPHQL_RESPONSE, response_for
from gateway.app import create_app
from gateway.core.backends import Adapters
from gateway.identity.tables import Role
from gateway.identity.tokens import TokenIssuer
from gateway.settings import GatewaySettings
from tests.gateway.conftest import Members

SECRET = "http-test-signing-secret-" + "y" * 20
ACCEPT = {"accept": f"{GRAPHQL_RESPONSE}, application/json;q=0.9"}
LOGIN = """mutation ($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    __typename
    ... on LoginSuccess { accessToken tokenType expiresAt }
    ... on LoginFailed { message }
  }
}"""
ACCOUNT = "query ($n: String!) { account(number: $n) { __typename ... on Account { number } } }"


def settings(gateway_database_path: Path, **overrides: Any) -> GatewaySettings:
    return GatewaySettings(
        jwt_secret=SecretStr(SECRET),
        database_url=f"sqlite+aiosqlite:///{gateway_database_path}",
        **overrides,
    )


@pytest_asyncio.fixture
async def client(
    adapters: Adapters, gateway_database_path: Path, members: Members
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings(gateway_database_path), adapters)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client


async def post(
    client: httpx.AsyncClient, query: str, token: str | None = None, **variables: Any
) -> httpx.Response:
    headers = dict(ACCEPT)
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


async def sign_in(client: httpx.AsyncClient, email: str, password: str) -> dict[str, Any]:
    response = await post(client, LOGIN, email=email, password=password)
    assert response.status_code == 200
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    login: dict[str, Any] = response.json()["data"]["login"]
    return login


async def test_sign_in_then_read_your_account(client: httpx.AsyncClient, members: Members) -> None:
    login = await sign_in(client, members.demo.email, members.demo.password)
    assert login["__typename"] == "LoginSuccess"
    assert login["tokenType"] == "Bearer"
    expires = datetime.fromisoformat(login["expiresAt"])
    assert expires.utcoffset() in {timedelta(hours=-7), timedelta(hours=-6)}
    assert timedelta(minutes=14) < expires - datetime.now(UTC) <= timedelta(minutes=15)
    number = members.demo.account_numbers[0]
    response = await post(client, ACCOUNT, login["accessToken"], n=number)
    assert response.json() == {
        "data": {"account": {"__typename": "Account", "number": number}},
        "extensions": {"cost": {"requested": 1, "limit": 20_000}},
    }


async def test_wrong_password_and_unknown_email_answer_the_same(
    client: httpx.AsyncClient, members: Members
) -> None:
    wrong = await sign_in(client, members.demo.email, "not-the-password")
    unknown = await sign_in(client, "stranger@example.com", "not-the-password")
    assert (
        wrong
        == unknown
        == {"__typename": "LoginFailed", "message": "The email or password is not right."}
    )


async def test_expired_and_forged_tokens_are_unauthenticated(
    client: httpx.AsyncClient, members: Members
) -> None:
    number = members.demo.account_numbers[0]
    expired = TokenIssuer(
        SecretStr(SECRET),
        ttl=timedelta(minutes=15),
        clock=lambda: datetime.now(UTC) - timedelta(hours=1),
    ).issue(user_id=members.demo.user_id, role=Role.MEMBER, session_id="0" * 32)
    forged = TokenIssuer(
        SecretStr("someone-elses-secret-" + "z" * 20), ttl=timedelta(minutes=15)
    ).issue(user_id=members.staff.user_id, role=Role.ADMIN, session_id="0" * 32)
    for token, hint in ((expired.token, "expired"), (forged.token, "not valid")):
        response = await post(client, ACCOUNT, token, n=number)
        assert response.status_code == 200
        body = response.json()
        assert body["data"] is None
        [error] = body["errors"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert hint in error["message"]


async def test_a_member_cannot_read_another_members_account(
    client: httpx.AsyncClient, members: Members
) -> None:
    login = await sign_in(client, members.neighbor.email, members.neighbor.password)
    theirs = members.demo.account_numbers[0]
    response = await post(client, ACCOUNT, login["accessToken"], n=theirs)
    assert response.json()["data"] == {"account": {"__typename": "AccountNotFound"}}


async def test_queries_over_get_and_mutations_only_over_post(
    client: httpx.AsyncClient, members: Members
) -> None:
    ok = await client.get("/graphql", params={"query": "{ viewer { email } }"}, headers=ACCEPT)
    assert ok.status_code == 200
    assert ok.json()["data"] == {"viewer": None}
    mutation = await client.get(
        "/graphql",
        params={"query": LOGIN, "variables": '{"email": "a@b.c", "password": "x"}'},
        headers=ACCEPT,
    )
    assert mutation.status_code == 405
    assert mutation.headers["allow"] == "POST"
    assert "POST" in mutation.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"json": {"query": "{ viewer { "}}, 400),  # syntax
        ({"json": {"query": "{ viewer { password } }"}}, 400),  # validation
        ({"json": {"query": ACCOUNT, "variables": {"n": 5}}}, 400),  # variable type
        ({"json": {"query": ACCOUNT, "variables": {}}}, 400),  # missing variable
        ({"json": {"variables": {}}}, 400),  # no query
        ({"json": ["not", "an", "object"]}, 400),
        ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 400),
        ({"content": b"query=x", "headers": {"content-type": "text/plain"}}, 415),
        ({"json": {"query": "{ viewer { email } }", "operationName": "Nope"}}, 400),
    ],
)
async def test_requests_that_never_execute_are_4xx(
    client: httpx.AsyncClient, request_kwargs: dict[str, Any], status: int
) -> None:
    headers = {**ACCEPT, **request_kwargs.pop("headers", {})}
    response = await client.post("/graphql", headers=headers, **request_kwargs)
    assert response.status_code == status
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"]


async def test_legacy_json_clients_get_200_for_graphql_errors(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        json={"query": "{ viewer { password } }"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["errors"]


async def test_clients_that_name_no_media_type_get_json(client: httpx.AsyncClient) -> None:
    # GraphQL over HTTP: "if the client does not supply an Accept header, the server
    # SHOULD treat the request as if it had Accept: application/json"; and `*/*` (what
    # fetch, curl and httpx send unless told otherwise) is answered the same way
    # (graphql-http's audits 47DE and 80D8). The new media type only when it is named.
    invalid = {"query": "{ viewer { password } }"}
    for accept in ("", "*/*", "application/*", "application/json, */*;q=0.5"):
        response = await client.post("/graphql", json=invalid, headers={"accept": accept})
        assert response.status_code == 200, accept
        assert response.headers["content-type"] == "application/json", accept
        assert response.json()["errors"], accept
    for accept in (GRAPHQL_RESPONSE, f"*/*, {GRAPHQL_RESPONSE}", f"{GRAPHQL_RESPONSE};q=0.2"):
        response = await client.post("/graphql", json=invalid, headers={"accept": accept})
        assert response.status_code == 400, accept
        assert response.headers["content-type"] == GRAPHQL_RESPONSE, accept


@pytest.mark.parametrize("extensions", ['"persisted"', "3", "true", "[]"])
async def test_extensions_that_are_not_an_object_are_refused(
    client: httpx.AsyncClient, extensions: str
) -> None:
    posted = await client.post(
        "/graphql",
        content=f'{{"query": "{{ __typename }}", "extensions": {extensions}}}',
        headers={"content-type": "application/json", **ACCEPT},
    )
    got = await client.get(
        "/graphql", params={"query": "{ __typename }", "extensions": extensions}, headers=ACCEPT
    )
    for response in (posted, got):
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["message"] == "`extensions` must be a JSON object."


async def test_empty_get_parameters_count_as_not_given(client: httpx.AsyncClient) -> None:
    response = await client.get(
        "/graphql",
        params={"query": "{ __typename }", "variables": "", "extensions": ""},
        headers=ACCEPT,
    )
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"__typename": "Query"}


async def test_unacceptable_media_type_is_406(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ viewer { email } }"}, headers={"accept": "text/csv"}
    )
    assert response.status_code == 406


async def test_a_browser_never_gets_a_page_from_a_cdn(client: httpx.AsyncClient) -> None:
    # GraphiQL is off by default (tests/gateway/api/test_graphiql.py has it on).
    response = await client.get("/graphql", headers={"accept": "text/html,application/xhtml+xml"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/plain")
    assert "COOP_GRAPHIQL" in response.text


async def test_healthz_and_readyz(client: httpx.AsyncClient, adapters: Adapters) -> None:
    assert (await client.get("/healthz")).status_code == 200
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "systems": {"cis": "up", "oms": "up", "meters": "up", "gateway_store": "up"},
        "cache": "up",  # informational: the gateway serves without its cache
        "payments": "up",  # informational too: reads are served without the processor
    }
    adapters.oms.down = True  # type: ignore[attr-defined]
    down = await client.get("/readyz")
    assert down.status_code == 503
    assert down.json()["status"] == "unavailable"
    assert down.json()["systems"]["oms"] == "down"
    assert down.json()["systems"]["cis"] == "up"
    assert "not answering" not in down.text  # the adapter's message stays in the log


async def test_a_processor_that_is_down_is_reported_but_keeps_the_gateway_ready(
    client: httpx.AsyncClient, adapters: Adapters
) -> None:
    adapters.payments.down = True  # type: ignore[union-attr]
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert ready.json()["payments"] == "down"
    adapters.payments.down = False  # type: ignore[union-attr]
    assert (await client.get("/readyz")).json()["payments"] == "up"


async def test_cors_is_closed_unless_origins_are_configured(
    adapters: Adapters, gateway_database_path: Path, client: httpx.AsyncClient
) -> None:
    preflight = {
        "origin": "https://portal.example.coop",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
    }
    closed = await client.options("/graphql", headers=preflight)
    assert "access-control-allow-origin" not in closed.headers
    app = create_app(
        settings(gateway_database_path, cors_origins=("https://portal.example.coop",)), adapters
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway"
        ) as open_client,
    ):
        allowed = await open_client.options("/graphql", headers=preflight)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://portal.example.coop"


async def test_a_masked_error_carries_the_callers_request_id(
    client: httpx.AsyncClient,
    adapters: Adapters,
    members: Members,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async def broken(account_number: str) -> None:
        raise RuntimeError("internal detail")

    monkeypatch.setattr(adapters.cis, "get_balance", broken)
    token = (await sign_in(client, members.demo.email, members.demo.password))["accessToken"]
    query = (
        "query ($n: String!) { account(number: $n) { ... on Account { balance { amountDue } } } }"
    )
    variables = {"n": members.demo.account_numbers[0]}
    ids = []
    for given in ("trace-0001-abcd", "no"):
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={**ACCEPT, "authorization": f"Bearer {token}", "x-request-id": given},
        )
        assert response.status_code == 200
        [error] = response.json()["errors"]
        assert error["message"] == "Internal error"
        assert "internal detail" not in response.text
        ids.append(error["extensions"]["requestId"])
    assert ids[0] == "trace-0001-abcd"
    assert ids[1] != "no"  # too short to be an id: a fresh one is made


def test_a_server_failure_without_a_path_is_not_blamed_on_the_request() -> None:
    # The audit log refusing a write withholds the data with an error that has no
    # path, like a bad variable's; only the bad variable is the client's fault.
    withheld = ExecutionResult(
        data=None,
        errors=[GraphQLError("Internal error", extensions={"code": "INTERNAL_SERVER_ERROR"})],
    )
    bad_variable = ExecutionResult(
        data=None, errors=[GraphQLError("Bad date", extensions={"code": "BAD_USER_INPUT"})]
    )

    served = response_for(GRAPHQL_RESPONSE, withheld)
    refused = response_for(GRAPHQL_RESPONSE, bad_variable)

    assert served.status_code == 200
    assert orjson.loads(served.body)["data"] is None
    assert refused.status_code == 400
    assert "data" not in orjson.loads(refused.body)
