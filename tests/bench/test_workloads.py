"""The workloads' requests are valid against the gateway's schema and ask what they say."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

import orjson
import pytest
from graphql import build_schema, parse, validate

from bench.workloads import Workload, account_list_query, build_workloads
from gateway.schema import schema

AS_OF = date(2026, 11, 26)


@pytest.fixture
def workloads() -> dict[str, Workload]:
    built = build_workloads(
        as_of=AS_OF,
        zone=ZoneInfo("America/Denver"),
        member_accounts=["2000100", "2000113"],
        listed_accounts=[f"{2000100 + 13 * n}" for n in range(100)],
    )
    return {w.name: w for w in built}


def test_every_query_is_valid_against_the_schema(workloads: dict[str, Workload]) -> None:
    served = build_schema(schema.as_str())
    for workload in workloads.values():
        errors = validate(served, parse(workload.query))
        assert errors == [], workload.name


def test_the_body_names_its_operation_for_the_gateway_s_metrics(
    workloads: dict[str, Workload],
) -> None:
    for workload in workloads.values():
        body = orjson.loads(workload.body)
        assert body["operationName"] == workload.operation
        assert f"query {workload.operation}" in body["query"]


def test_the_dashboard_asks_for_thirty_days_up_to_the_day_before_as_of(
    workloads: dict[str, Workload],
) -> None:
    variables = workloads["dashboard"].variables
    assert variables == {"from": "2026-10-27", "to": "2026-11-25", "bills": 13}


def test_the_hourly_usage_covers_365_days(workloads: dict[str, Workload]) -> None:
    variables = workloads["hourly-year"].variables
    days = (date.fromisoformat(variables["to"]) - date.fromisoformat(variables["from"])).days + 1
    assert days == 365
    assert variables["number"] == "2000100"


def test_the_account_list_has_one_aliased_field_per_account() -> None:
    query = account_list_query(["2000100", "2000113", "2000126"])
    assert query.count("account(number:") == 3
    assert 'a2: account(number: "2000126")' in query


def test_facts_are_read_from_the_answers(workloads: dict[str, Workload]) -> None:
    dashboard = {
        "viewer": {
            "accounts": [
                {
                    "bills": {"edges": [{}, {}]},
                    "usage": {"kwh": [1.0, 2.0, 3.0]},
                    "serviceLocations": [{}, {}],
                },
                {"bills": {"edges": [{}]}, "usage": {"kwh": [1.0]}, "serviceLocations": [{}]},
            ]
        }
    }
    assert workloads["dashboard"].facts(dashboard) == {
        "accounts": 2,
        "bills": 3,
        "usage days": 4,
        "service locations": 3,
    }
    hourly = {"account": {"usage": {"kwh": [0.5] * 8760}}}
    assert workloads["hourly-year"].facts(hourly) == {"points": 8760}
    rows = {"a0": {"number": "1", "customer": None}, "a1": {"number": "2"}}
    assert workloads["staff-list"].facts(rows) == {"accounts": 1, "not found": 1}
