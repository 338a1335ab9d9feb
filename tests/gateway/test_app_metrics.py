"""`GET /metrics` after real requests: the families, their labels, and what they counted."""

from __future__ import annotations

from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from gateway.api.http import GRAPHQL_RESPONSE
from gateway.core.backends import Adapters
from tests.gateway.conftest import Members
from tests.gateway.served import Served, served, served_settings

BALANCES = """query Balances { viewer { accounts {
  balance { amountDue } outageStatus { isOut } } } }"""

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(gateway: Served) -> Samples:
    response = await gateway.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def labels(**pairs: str) -> frozenset[tuple[str, str]]:
    return frozenset(pairs.items())


async def test_requests_backend_calls_and_cache_lookups_are_counted(
    adapters: Adapters, gateway_database_path: Path, members: Members
) -> None:
    accounts = len(members.demo.account_numbers)
    async with served(served_settings(gateway_database_path), adapters) as gateway:
        token = await gateway.sign_in(members.demo)
        await gateway.graphql(BALANCES, token)
        await gateway.graphql(BALANCES, token)
        await gateway.client.post(
            "/graphql", json={"query": "{ viewer {"}, headers={"accept": GRAPHQL_RESPONSE}
        )
        found = await scrape(gateway)

    requests = "gateway_requests_total"
    assert found[(requests, labels(operation="Balances", outcome="ok"))] == 2.0
    assert found[(requests, labels(operation="anonymous", outcome="error"))] == 1.0  # syntax
    assert found[("gateway_request_duration_seconds_count", labels(operation="Balances"))] == 2.0
    calls = "gateway_backend_calls_total"
    assert found[(calls, labels(system="cis", operation="get_balance"))] == accounts
    kind = labels(kind="balance")
    assert found[("gateway_cache_misses_total", kind)] == accounts
    # The second time the whole answer was kept: nothing was executed, no balance read.
    assert ("gateway_cache_hits_total", kind) not in found
    answers = labels(kind="answer")
    assert found[("gateway_cache_misses_total", answers)] == 1.0
    assert found[("gateway_cache_hits_total", answers)] == 1.0


async def test_a_backend_down_makes_a_request_partial(
    adapters: Adapters, gateway_database_path: Path, members: Members
) -> None:
    settings = served_settings(gateway_database_path, cache_enabled=False)
    async with served(settings, adapters) as gateway:
        token = await gateway.sign_in(members.demo)
        adapters.oms.down = True  # type: ignore[attr-defined]
        body = await gateway.graphql(BALANCES, token)
        found = await scrape(gateway)

    assert body["data"]
    assert body["errors"]
    assert found[("gateway_requests_total", labels(operation="Balances", outcome="partial"))] == 1
    status_calls = labels(system="oms", operation="get_outage_status")
    assert found[("gateway_backend_calls_total", status_calls)] >= 1.0
