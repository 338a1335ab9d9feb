"""A system that is down costs only the fields that need it; bugs are masked."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date

import pytest

from adapters.cis.fake import FakeCis
from adapters.cis.port import Balance, Bill, CisFault, CisUnavailable
from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from simulators.cis.fake_from_world import cis_data_from_world
from simulators.world import World
from tests.gateway.conftest import Members
from tests.gateway.support import codes, execute

EVERYTHING = """
query ($n: String!) { account(number: $n) { ... on Account {
  number
  customer { lastName }
  balance { amountDue }
  bills(first: 2) { edges { cursor } }
  serviceLocations { id outageStatus { isOut } }
  outageStatus { isOut }
  usage(from: "2026-10-01", to: "2026-10-02", interval: DAY) { kwh }
} } }
"""


class BillsDown(FakeCis):
    async def get_bill(self, account_number: str, bill_date: date) -> Bill:
        self._record("get_bill", account_number, bill_date)
        raise CisUnavailable("GetBillingDetail: connect timeout to 10.9.8.7:443")


class BalanceBroken(FakeCis):
    async def get_balance(self, account_number: str) -> Balance:
        raise RuntimeError("pool exhausted; dsn=postgresql://gw:hunter2@db/cis")


class BalanceFault(FakeCis):
    async def get_balance(self, account_number: str) -> Balance:
        raise CisFault("GetPayableItemsList failed: Object reference not set")


async def test_billing_system_down_for_bills_costs_only_the_bills(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    broken = replace(adapters, cis=BillsDown.from_data(cis_data_from_world(world)))
    result = await execute(
        broken, gateway_store, EVERYTHING, members.demo, n=members.demo.account_numbers[0]
    )
    assert result.data is not None
    account = result.data["account"]
    assert account["bills"] is None
    assert account["customer"] == {"lastName": "Baca"}
    assert account["balance"]["amountDue"]
    assert account["usage"]["kwh"]
    assert result.errors is not None
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.message == "The billing system is not available right now."
    assert error.path == ["account", "bills"]
    assert error.extensions is not None
    assert (error.extensions["code"], error.extensions["system"]) == ("BACKEND_UNAVAILABLE", "cis")
    assert "10.9.8.7" not in str(error.formatted)


async def test_outage_system_down_costs_only_outage_fields(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    adapters.oms.down = True  # type: ignore[attr-defined]
    result = await execute(
        adapters, gateway_store, EVERYTHING, members.demo, n=members.demo.account_numbers[0]
    )
    assert result.data is not None
    account = result.data["account"]
    assert account["outageStatus"] is None
    assert all(loc["outageStatus"] is None for loc in account["serviceLocations"])
    assert account["bills"]["edges"]
    assert account["balance"]
    assert account["usage"]
    assert set(codes(result)) == {"BACKEND_UNAVAILABLE"}
    assert {e.message for e in result.errors or ()} == {
        "The outage system is not available right now."
    }


async def test_an_unexpected_error_is_masked_and_logged_with_a_request_id(
    world: World,
    adapters: Adapters,
    gateway_store: GatewayStore,
    members: Members,
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = replace(adapters, cis=BalanceBroken.from_data(cis_data_from_world(world)))
    with caplog.at_level(logging.ERROR, logger="gateway.core.errors"):
        result = await execute(
            broken, gateway_store, EVERYTHING, members.demo, n=members.demo.account_numbers[0]
        )
    assert result.data is not None
    assert result.data["account"]["balance"] is None
    assert result.data["account"]["customer"] == {"lastName": "Baca"}
    [error] = result.errors or []
    assert error.message == "Internal error"
    assert error.extensions is not None
    assert error.extensions["code"] == "INTERNAL_SERVER_ERROR"
    request_id = error.extensions["requestId"]
    assert "hunter2" not in str(error.formatted)
    [record] = [r for r in caplog.records if r.name == "gateway.core.errors"]
    assert request_id in record.getMessage()
    assert record.exc_info is not None


async def test_a_backend_fault_is_reported_without_its_text(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    broken = replace(adapters, cis=BalanceFault.from_data(cis_data_from_world(world)))
    query = (
        "query ($n: String!) { account(number: $n) { ... on Account { balance { amountDue } } } }"
    )
    result = await execute(
        broken, gateway_store, query, members.demo, n=members.demo.account_numbers[0]
    )
    [error] = result.errors or []
    assert error.message == "The billing system could not answer this request."
    assert error.extensions is not None
    assert error.extensions["code"] == "BACKEND_ERROR"


async def test_bad_usage_arguments_are_bad_user_input_and_cost_only_that_field(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    query = """query ($n: String!) { account(number: $n) { ... on Account {
      number
      long: usage(from: "2025-01-01", to: "2026-06-30", interval: HOUR) { kwh }
      backwards: usage(from: "2026-02-02", to: "2026-02-01", interval: DAY) { kwh }
      usageComparison(month: "October") { current { kwh } }
    } } }"""
    result = await execute(
        adapters, gateway_store, query, members.demo, n=members.demo.account_numbers[0]
    )
    assert result.data == {
        "account": {
            "number": members.demo.account_numbers[0],
            "long": None,
            "backwards": None,
            "usageComparison": None,
        }
    }
    assert codes(result) == ["BAD_USER_INPUT"] * 3
    assert adapters.meters.calls == []  # type: ignore[attr-defined]


async def test_request_errors_keep_their_message_and_get_a_code(
    adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    usage = "usage(from: $from, to: $from, interval: DAY) { kwh }"
    cases = {
        "{ viewer { ": "GRAPHQL_PARSE_FAILED",
        "{ viewer { password } }": "GRAPHQL_VALIDATION_FAILED",
        f'query ($from: Date!) {{ account(number: "1") {{ ... on Account {{ {usage} }} }} }}': (
            "BAD_USER_INPUT"
        ),
    }
    for query, code in cases.items():
        result = await execute(
            adapters, gateway_store, query, members.demo, **{"from": "2026-13-01"}
        )
        [error] = result.errors or []
        assert (error.extensions or {}).get("code") == code, query
        assert error.message != "Internal error"
