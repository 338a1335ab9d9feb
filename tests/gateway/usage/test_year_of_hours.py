"""A year of hourly usage the fast way is the plain way's answer, point for point.

The fast way: the SQL store's reads as columns (SQLite's own cursor, PostgreSQL's
arrays), through the entity cache and back, completed by the gateway's executor in
bulk and, asked again, from what it made of the same local hours before. The plain way:
the fake store built from the same world, completed item by item by graphql-core.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import orjson
import pytest
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from adapters.meters.sql import SqlMeterData
from gateway.core.backends import Adapters
from gateway.core.cache.memory import MemoryCache
from gateway.core.cache.port import Cache
from gateway.core.store.gateway_store import GatewayStore
from gateway.schema import GatewaySchema, build_schema, schema
from simulators.world import World
from tests.gateway.conftest import Members
from tests.gateway.support import context_for

YEAR_OF_HOURS = """
query ($n: String!, $from: Date!, $to: Date!) {
  account(number: $n) { ... on Account {
    usage(from: $from, to: $to, interval: HOUR) {
      interval from to timeZone unit totalKwh startsAt kwh temperatureF estimated
    }
  } }
}
"""

PLAIN_SCHEMA = build_schema(execution_context_class=StrawberryGraphQLCoreExecutionContext)


@pytest.fixture(params=["sqlite", "postgres"])
def sql_meters_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(f"meters_{request.param}_url")
    return url


@pytest.fixture
async def sql_meters(sql_meters_url: str) -> AsyncIterator[SqlMeterData]:
    store = SqlMeterData.from_url(sql_meters_url)
    try:
        yield store
    finally:
        await store.aclose()


async def answer(
    gateway_schema: GatewaySchema,
    adapters: Adapters,
    store: GatewayStore,
    members: Members,
    variables: dict[str, Any],
    cache: Cache | None = None,
) -> bytes:
    result = await gateway_schema.execute(
        YEAR_OF_HOURS,
        variable_values=variables,
        context_value=context_for(adapters, store, members.demo, cache=cache),
    )
    assert result.errors is None, result.errors
    return orjson.dumps(result.data)  # as answered: 1.0 and 1, or a tuple, would show


async def test_a_year_of_hours_the_fast_way_is_the_plain_answer(
    world: World,
    adapters: Adapters,
    gateway_store: GatewayStore,
    members: Members,
    sql_meters: SqlMeterData,
) -> None:
    number = members.demo.account_numbers[0]
    variables = {
        "n": number,
        "from": (world.as_of - timedelta(days=364)).isoformat(),
        "to": world.as_of.isoformat(),
    }
    plain = await answer(PLAIN_SCHEMA, adapters, gateway_store, members, variables)
    fast = replace(adapters, meters=sql_meters)
    cache = MemoryCache()

    read = await answer(schema, fast, gateway_store, members, variables, cache)
    cached = await answer(schema, fast, gateway_store, members, variables, cache)

    series = orjson.loads(plain)["account"]["usage"]
    assert len(series["startsAt"]) >= 364 * 24  # the whole year: nothing left out
    assert any(series["estimated"])
    assert read == plain
    assert cached == plain
