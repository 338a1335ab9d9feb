"""The request limits through the real app (ASGI in process, over the fakes): each one
refuses an over-limit request with HTTP 400 and its code before any backend is asked,
and the portal's and the staff console's own documents pass under the defaults."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import pytest_asyncio
from graphql import DocumentNode, get_introspection_query

from bench.workloads import DASHBOARD_QUERY, HOURLY_QUERY, account_list_query
from gateway.api import documents, validation
from gateway.api.http import GRAPHQL_RESPONSE
from gateway.app import create_app
from gateway.core.backends import Adapters
from simulators.world import World
from tests.fixtures.world import TEST_AS_OF
from tests.gateway.api.test_http import settings, sign_in
from tests.gateway.conftest import Members

ACCEPT = {"accept": GRAPHQL_RESPONSE}
LAST_DAY = TEST_AS_OF - timedelta(days=1)
YEAR = {"from": (LAST_DAY - timedelta(days=364)).isoformat(), "to": LAST_DAY.isoformat()}
MONTH = {"from": (LAST_DAY - timedelta(days=29)).isoformat(), "to": LAST_DAY.isoformat()}

# The member dashboard as the README shows it.
README_DASHBOARD = """query Dashboard {
  viewer { email accounts { number
    balance { amountDue dueDate isPastDue }
    bills(first: 3) { edges { node { billDate amount kwh dueDate } } }
    usageComparison { current { billDate kwh cost averageTemperatureF } compareTo { billDate kwh cost } change { kwh kwhPercent cost } }
    usage(from: "2026-10-01", to: "2026-10-31", interval: DAY) { startsAt kwh temperatureF estimated }
    outageStatus { serviceLocationId isOut event { phase cause estimatedRestoration } }
  } }
}"""  # noqa: E501
BALANCE = "query ($n: String!) { account(number: $n) { ... on Account { balance { amountDue } } } }"
YEAR_OF_HOURS = """a{i}: account(number: $n) { ... on Account {
  usage(from: $from, to: $to, interval: HOUR) { kwh } } }"""
ACCOUNTS_AND_BILLS = (
    "a{i}: viewer { accounts { balance { amountDue } bills { edges { node { amount } } } } }"
)


def backend_calls(adapters: Adapters) -> list[tuple[str, tuple[object, ...]]]:
    fakes: tuple[Any, ...] = (adapters.cis, adapters.oms, adapters.meters)
    return [call for fake in fakes for call in fake.calls]


def forget_calls(adapters: Adapters) -> None:
    fakes: tuple[Any, ...] = (adapters.cis, adapters.oms, adapters.meters)
    for fake in fakes:
        fake.calls.clear()


def aliased(template: str, count: int, variables: str = "") -> str:
    fields = "\n".join(template.replace("{i}", str(i)) for i in range(count))
    return f"query {variables} {{\n{fields}\n}}"


@asynccontextmanager
async def app_client(
    adapters: Adapters, database: Path, **overrides: Any
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings(database, **overrides), adapters)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        yield client


@pytest_asyncio.fixture
async def client(
    adapters: Adapters, gateway_database_path: Path, members: Members
) -> AsyncIterator[httpx.AsyncClient]:
    async with app_client(adapters, gateway_database_path) as client:
        yield client


@pytest_asyncio.fixture
async def member_token(client: httpx.AsyncClient, members: Members, adapters: Adapters) -> str:
    token: str = (await sign_in(client, members.demo.email, members.demo.password))["accessToken"]
    forget_calls(adapters)
    return token


async def post(
    client: httpx.AsyncClient, query: str, token: str | None = None, **variables: Any
) -> httpx.Response:
    headers = dict(ACCEPT)
    if token:
        headers["authorization"] = f"Bearer {token}"
    return await client.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )


def refused(response: httpx.Response, code: str) -> dict[str, Any]:
    """The body of a request refused before execution with `code`."""
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == GRAPHQL_RESPONSE
    body: dict[str, Any] = response.json()
    assert "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == [code] * len(body["errors"])
    return body


# --- what real clients send passes, and reports its cost


async def test_the_dashboard_passes_and_reports_its_cost(
    client: httpx.AsyncClient, member_token: str
) -> None:
    response = await post(client, DASHBOARD_QUERY, member_token, bills=13, **MONTH)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body
    assert body["data"]["viewer"]["accounts"]
    cost = body["extensions"]["cost"]
    assert cost["limit"] == 20_000
    # Ten assumed accounts, each: balance, 13 bills (node, period), 30 days, locations.
    assert 500 < cost["requested"] < 2_000


async def test_the_readme_dashboard_passes(client: httpx.AsyncClient, member_token: str) -> None:
    response = await post(client, README_DASHBOARD, member_token)
    assert response.status_code == 200, response.text
    assert "errors" not in response.json()
    assert response.json()["extensions"]["cost"]["requested"] > 0


async def test_a_year_of_hourly_usage_passes(
    client: httpx.AsyncClient, member_token: str, members: Members
) -> None:
    number = members.demo.account_numbers[0]
    response = await post(client, HOURLY_QUERY, member_token, number=number, **YEAR)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body
    assert len(body["data"]["account"]["usage"]["kwh"]) > 8_000
    # The account, and 365 days of 24 points.
    assert body["extensions"]["cost"]["requested"] == 1 + 365 * 24


async def test_the_staff_list_of_a_hundred_accounts_passes(
    client: httpx.AsyncClient, members: Members, world: World
) -> None:
    token = (await sign_in(client, members.staff.email, members.staff.password))["accessToken"]
    known = [a.account_number for a in world.accounts]
    numbers = (known + [f"9{n:06d}" for n in range(100)])[:100]
    response = await post(client, account_list_query(numbers), token)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body
    assert len(body["data"]) == 100


async def test_graphiqls_introspection_passes(client: httpx.AsyncClient) -> None:
    response = await post(client, get_introspection_query())
    assert response.status_code == 200, response.text
    assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"


# --- body size


async def test_a_body_over_the_limit_is_refused_before_it_is_read(
    client: httpx.AsyncClient, member_token: str, adapters: Adapters
) -> None:
    padding = "#" + "x" * 200_000 + "\n"  # a comment: the document is otherwise fine
    response = await post(client, padding + BALANCE, member_token, n="2000100")
    body = refused(response, "REQUEST_TOO_LARGE")
    assert "100000 bytes" in body["errors"][0]["message"]
    assert backend_calls(adapters) == []


async def test_a_chunked_body_is_counted_as_it_arrives(
    client: httpx.AsyncClient, adapters: Adapters
) -> None:
    sent = 0

    async def ten_megabytes() -> AsyncIterator[bytes]:
        nonlocal sent
        yield b'{"query": "{ viewer { email } }", "padding": "'
        for _ in range(160):
            sent += 1
            yield b"x" * 65_536
        yield b'"}'

    response = await client.post(
        "/graphql",
        content=ten_megabytes(),
        headers={**ACCEPT, "content-type": "application/json"},
    )
    refused(response, "REQUEST_TOO_LARGE")
    assert backend_calls(adapters) == []


async def test_a_declared_length_over_the_limit_is_refused_unread(
    client: httpx.AsyncClient,
) -> None:
    body = orjson.dumps({"query": "{ viewer { email } }", "pad": "x" * 10_000_000})
    response = await client.post(
        "/graphql", content=body, headers={**ACCEPT, "content-type": "application/json"}
    )
    refused(response, "REQUEST_TOO_LARGE")


async def test_a_long_get_is_refused(
    adapters: Adapters, gateway_database_path: Path, members: Members
) -> None:
    query = "{ viewer { email } }" + " " * 2_000
    async with app_client(adapters, gateway_database_path, max_body_bytes=1_000) as client:
        response = await client.get("/graphql", params={"query": query}, headers=ACCEPT)
    refused(response, "REQUEST_TOO_LARGE")


# --- tokens, and one parse per request


async def test_a_document_over_the_token_limit_is_refused(
    client: httpx.AsyncClient, member_token: str, adapters: Adapters
) -> None:
    document = "{ viewer { " + "email " * 11_000 + "} }"  # 66 kB, 11,004 tokens
    body = refused(await post(client, document, member_token), "QUERY_TOO_LARGE")
    assert "10000 tokens" in body["errors"][0]["message"]
    assert backend_calls(adapters) == []


async def test_a_megabyte_document_is_refused_without_parsing_it_all(
    adapters: Adapters,
    gateway_database_path: Path,
    members: Members,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: list[int] = []
    parse = documents.parse

    def counting_parse(source: str, **options: Any) -> DocumentNode:
        read.append(len(source))
        return parse(source, **options)

    monkeypatch.setattr(documents, "parse", counting_parse)
    document = "{ viewer { " + "email " * 180_000 + "} }"  # about 1 MB
    # With the default body limit it never reaches the parser...
    async with app_client(adapters, gateway_database_path) as client:
        refused(await post(client, document), "REQUEST_TOO_LARGE")
    assert read == []
    # ...and with room for it, its tokens are counted and it never reaches the parser either.
    async with app_client(adapters, gateway_database_path, max_body_bytes=2_000_000) as client:
        refused(await post(client, document), "QUERY_TOO_LARGE")
    assert read == []
    assert backend_calls(adapters) == []


async def test_a_document_over_the_alias_limit_is_refused_before_it_is_parsed(
    adapters: Adapters,
    gateway_database_path: Path,
    members: Members,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: list[int] = []
    parse = documents.parse

    def counting_parse(source: str, **options: Any) -> DocumentNode:
        read.append(len(source))
        return parse(source, **options)

    monkeypatch.setattr(documents, "parse", counting_parse)
    document = "{ " + " ".join(f"a{n}: viewer {{ email }}" for n in range(250)) + " }"
    async with app_client(adapters, gateway_database_path) as client:
        refused(await post(client, document), "TOO_MANY_ALIASES")
        # Within the limit, it is parsed as before.
        within = "{ " + " ".join(f"a{n}: viewer {{ email }}" for n in range(200)) + " }"
        response = await post(client, within)
    assert response.status_code == 200
    assert len(read) == 1


async def test_fragments_that_double_at_every_level_are_refused(
    client: httpx.AsyncClient, member_token: str, adapters: Adapters
) -> None:
    # 2^60 fields in under a thousand tokens: counted once per fragment, never walked.
    levels = [f"fragment F{i} on Viewer {{ ...F{i + 1} ...F{i + 1} }}" for i in range(60)]
    document = "\n".join(["{ viewer { ...F0 } }", *levels, "fragment F60 on Viewer { email }"])
    body = refused(await post(client, document, member_token), "QUERY_TOO_LARGE")
    assert "20000 fields" in body["errors"][0]["message"]
    assert backend_calls(adapters) == []


async def test_each_document_is_parsed_once_per_request(
    client: httpx.AsyncClient, member_token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []
    parse = documents.parse

    def counting_parse(source: str, **options: Any) -> DocumentNode:
        parsed.append(source)
        return parse(source, **options)

    monkeypatch.setattr(documents, "parse", counting_parse)
    query = "query ParsedOnce { viewer { email } }"
    for _ in range(2):
        response = await post(client, query, member_token)
        assert response.status_code == 200
        assert response.json()["data"]["viewer"]["email"]
    assert parsed == [query]  # the endpoint's parse served Strawberry, then the next request


# --- depth


async def test_a_document_over_the_depth_limit_is_refused(
    adapters: Adapters, gateway_database_path: Path, members: Members
) -> None:
    async with app_client(adapters, gateway_database_path, max_depth=4) as client:
        token = (await sign_in(client, members.demo.email, members.demo.password))["accessToken"]
        forget_calls(adapters)
        response = await post(client, DASHBOARD_QUERY, token, bills=13, **MONTH)
        body = refused(response, "QUERY_TOO_DEEP")
        assert "depth of 4" in body["errors"][0]["message"]
        shallow = await post(client, "{ viewer { accounts { number } } }", token)
        assert shallow.status_code == 200
    assert [name for name, _ in backend_calls(adapters)] == []


async def test_nesting_deep_enough_to_exhaust_the_parser_is_refused(
    client: httpx.AsyncClient,
) -> None:
    # 3,000 tokens, within their limit (more would be refused for them before parsing).
    document = "{ viewer " * 1_000 + "}" * 1_000
    refused(await post(client, document), "QUERY_TOO_DEEP")


async def test_an_unknown_fragment_is_still_a_validation_error(client: httpx.AsyncClient) -> None:
    body = refused(await post(client, "{ viewer { ...Nope } }"), "GRAPHQL_VALIDATION_FAILED")
    assert body["errors"][0]["message"] == "Unknown fragment 'Nope'."


async def test_an_empty_selection_passes_the_depth_limit(client: httpx.AsyncClient) -> None:
    # graphql-core takes empty selections; Strawberry's depth limiter would crash on them.
    response = await post(client, "{ viewer { } }")
    assert response.status_code == 200, response.text
    assert response.json()["data"] == {"viewer": None}


# --- aliases


async def test_a_thousand_typename_aliases_are_refused(
    client: httpx.AsyncClient, member_token: str, adapters: Adapters
) -> None:
    body = refused(
        await post(client, aliased("a{i}: __typename", 1_000), member_token), "TOO_MANY_ALIASES"
    )
    assert "1000 aliases" in body["errors"][0]["message"]
    assert backend_calls(adapters) == []


async def test_a_thousand_aliases_of_accounts_and_bills_are_refused(
    client: httpx.AsyncClient, member_token: str, adapters: Adapters
) -> None:
    # A thousand of them are 22,000 tokens: the parser stops first...
    refused(await post(client, aliased(ACCOUNTS_AND_BILLS, 1_000), member_token), "QUERY_TOO_LARGE")
    # ...and three hundred, within the token limit, are too many aliases.
    body = refused(
        await post(client, aliased(ACCOUNTS_AND_BILLS, 300), member_token), "TOO_MANY_ALIASES"
    )
    assert "300 aliases" in body["errors"][0]["message"]
    assert backend_calls(adapters) == []


# --- cost


async def test_a_hundred_years_of_hours_are_too_costly(
    client: httpx.AsyncClient, member_token: str, members: Members, adapters: Adapters
) -> None:
    document = aliased(YEAR_OF_HOURS, 100, "($n: String!, $from: Date!, $to: Date!)")
    response = await post(client, document, member_token, n=members.demo.account_numbers[0], **YEAR)
    body = refused(response, "QUERY_TOO_COMPLEX")
    assert body["extensions"]["cost"] == {"requested": 100 * (1 + 365 * 24), "limit": 20_000}
    assert backend_calls(adapters) == []


async def test_a_document_over_its_cost_is_refused_without_being_validated(
    client: httpx.AsyncClient, member_token: str, members: Members, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Validating 100 aliases of a year of hours is what such a request used to cost the
    # gateway most (tens of ms): the cost refuses it first, and validation never runs.
    validated: list[object] = []
    real_validate = validation.ValidationCache.on_validate

    def counting(self: Any) -> Any:
        validated.append(self)
        return real_validate(self)

    monkeypatch.setattr(validation.ValidationCache, "on_validate", counting)
    document = aliased(YEAR_OF_HOURS, 100, "($n: String!, $from: Date!, $to: Date!, $unused: Int)")
    response = await post(client, document, member_token, n=members.demo.account_numbers[0], **YEAR)
    # Invalid too ($unused is never used), yet answered for its cost alone.
    refused(response, "QUERY_TOO_COMPLEX")
    assert validated == []
    # A document the cost cannot judge unvalidated is still validated and answered so.
    unknown = await post(client, "{ viewer { accounts { noSuchField } } }", member_token)
    refused(unknown, "GRAPHQL_VALIDATION_FAILED")
    assert len(validated) == 1


async def test_a_page_size_sent_as_a_variable_counts(
    client: httpx.AsyncClient, member_token: str, adapters: Adapters
) -> None:
    document = aliased(
        "a{i}: viewer { accounts { bills(first: $n) { edges { node { lineItems { amount } } } } }"
        " }",
        30,
        "($n: Int!)",
    )
    cheap = await post(client, document, member_token, n=1)
    assert cheap.status_code == 200, cheap.text
    forget_calls(adapters)
    refused(await post(client, document, member_token, n=36), "QUERY_TOO_COMPLEX")
    assert backend_calls(adapters) == []


async def test_the_limit_is_a_setting(
    adapters: Adapters, gateway_database_path: Path, members: Members
) -> None:
    async with app_client(adapters, gateway_database_path, max_cost=50) as client:
        token = (await sign_in(client, members.demo.email, members.demo.password))["accessToken"]
        forget_calls(adapters)
        response = await post(client, README_DASHBOARD, token)
        body = refused(response, "QUERY_TOO_COMPLEX")
        assert body["extensions"]["cost"]["limit"] == 50
    assert backend_calls(adapters) == []


# --- once executing: the deadline and the answer's size


async def test_a_request_past_its_deadline_is_stopped(
    adapters: Adapters,
    gateway_database_path: Path,
    members: Members,
    member_token: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answer = asyncio.Event()

    async def slow_balance(account_number: str) -> None:
        await answer.wait()

    monkeypatch.setattr(adapters.cis, "get_balance", slow_balance)
    # Signed in by the app with the default deadline (hashing a password takes a while).
    async with app_client(adapters, gateway_database_path, execution_timeout_s=0.2) as client:
        try:
            response = await post(client, BALANCE, member_token, n=members.demo.account_numbers[0])
        finally:
            answer.set()  # the batch load the request started runs on to its own end
    assert response.status_code == 504
    body = response.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == "QUERY_TIMED_OUT"


async def test_an_answer_over_the_size_limit_is_withheld(
    adapters: Adapters, gateway_database_path: Path, members: Members
) -> None:
    async with app_client(adapters, gateway_database_path, max_response_bytes=10_000) as client:
        token = (await sign_in(client, members.demo.email, members.demo.password))["accessToken"]
        number = members.demo.account_numbers[0]
        response = await post(client, HOURLY_QUERY, token, number=number, **YEAR)
        small = await post(client, BALANCE, token, n=number)
    body = refused(response, "RESPONSE_TOO_LARGE")
    assert len(response.content) < 10_000
    assert body["extensions"]["cost"]["requested"] == 1 + 365 * 24
    assert small.status_code == 200
