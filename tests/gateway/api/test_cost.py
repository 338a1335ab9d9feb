"""The cost model over the gateway's schema, without executing anything."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import get_introspection_query, parse

from gateway.api.cost import ASSUMED_LIST_LENGTH, operation_cost
from gateway.schema import COST_ESTIMATES, schema


def cost(query: str, operation_name: str | None = None, **variables: Any) -> int | None:
    return operation_cost(
        schema._schema,
        parse(query),
        operation_name=operation_name,
        variables=variables,
        estimates=COST_ESTIMATES,
    )


def test_objects_cost_one_and_scalars_nothing() -> None:
    assert cost('{ account(number: "1") { __typename ... on Account { number } } }') == 1
    assert cost('{ account(number: "1") { ... on Account { balance { amountDue } } } }') == 2


def test_a_connection_costs_its_page() -> None:
    bills = '{{ account(number: "1") {{ ... on Account {{ bills{args} {{ edges {{ node {{ amount }} }} pageInfo {{ hasNextPage }} }} }} }} }}'  # noqa: E501
    # account, bills, edges, pageInfo, and a node per bill
    assert cost(bills.format(args="(first: 3)")) == 1 + 1 + 1 + 1 + 3
    assert cost(bills.format(args="")) == 4 + 12  # the resolver's default
    variable = "query ($n: Int!) " + bills.format(args="(first: $n)")
    assert cost(variable, n=36) == 4 + 36


def test_lists_without_a_page_size_are_assumed_short() -> None:
    query = "{ viewer { accounts { balance { amountDue } } } }"
    assert cost(query) == 1 + 1 + ASSUMED_LIST_LENGTH * 1


def test_usage_costs_its_points() -> None:
    query = """query ($from: Date!, $to: Date!, $interval: UsageInterval!) {
      account(number: "1") { ... on Account { usage(from: $from, to: $to, interval: $interval) {
        kwh } } } }"""
    year = {"from": "2025-11-15", "to": "2026-11-14"}
    assert cost(query, interval="HOUR", **year) == 1 + 365 * 24
    assert cost(query, interval="DAY", **year) == 1 + 365
    assert cost(query, interval="MONTH", **year) == 1 + 13
    assert cost(query, interval="HOUR", **{"from": "2024-01-01", "to": "2024-12-31"}) == 1 + 8_784


def test_a_series_arrays_asked_again_under_aliases_cost_its_points_again() -> None:
    usage = (
        '{{ account(number: "1") {{ ... on Account {{ usage(from: "2025-11-15",'
        ' to: "2026-11-14", interval: HOUR) {{ {fields} }} }} }} }}'
    )
    hours = 365 * 24
    assert cost(usage.format(fields="startsAt kwh temperatureF estimated totalKwh")) == 1 + hours
    assert cost(usage.format(fields="startsAt a: startsAt b: kwh c: kwh")) == 1 + 3 * hours
    spread = usage.format(fields="startsAt ... on UsageSeries { again: startsAt }")
    assert cost(spread) == 1 + 2 * hours
    aliases = " ".join(f"t{n}: startsAt" for n in range(199))
    assert cost(usage.format(fields=aliases)) == 1 + 199 * hours


def test_fragments_and_aliases_all_count() -> None:
    query = """{ a: account(number: "1") { ...Row } b: account(number: "2") { ...Row } }
    fragment Row on Account { balance { amountDue } customer { lastName } }"""
    assert cost(query) == 2 * 3


def test_bad_variables_leave_the_cost_unknown() -> None:
    query = "query ($n: Int!) { viewer { accounts { bills(first: $n) { edges { cursor } } } } }"
    assert cost(query, n="many") is None


@pytest.mark.parametrize("name", ["A", "B"])
def test_the_named_operation_is_the_one_costed(name: str) -> None:
    query = """query A { viewer { email } }
    query B { account(number: "1") { ... on Account { balance { amountDue } } } }"""
    assert cost(query, name) == {"A": 1, "B": 2}[name]


def test_introspection_is_cheap() -> None:
    assert cost(get_introspection_query()) == 1
