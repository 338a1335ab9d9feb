"""Outage status per location, and members reporting an outage."""

from __future__ import annotations

from typing import Any

from gateway.core.backends import Adapters
from gateway.core.store.gateway_store import GatewayStore
from simulators.world import World
from tests.gateway.conftest import Members
from tests.gateway.support import codes, execute

STATUS = """
query ($n: String!) { account(number: $n) { ... on Account {
  outageStatus { serviceLocationId isOut event {
    id phase cause customersAffected crew startedAt estimatedRestoration } }
  serviceLocations { id outageStatus { isOut event { id } } }
} } }
"""

REPORT = """
mutation ($input: ReportOutageInput!) {
  reportOutage(input: $input) {
    __typename
    ... on ReportOutageSuccess {
      eventId joinedExistingEvent
      status { serviceLocationId isOut event { id phase } }
    }
    ... on ValidationError { field message }
    ... on AccountNotFound { number }
  }
}
"""


def out_now(world: World) -> dict[str, str]:
    return {
        loc: event.event_id
        for event in world.outage_events
        if event.restored_at is None
        for loc in event.location_ids
    }


async def test_an_account_in_an_outage_shows_the_event_in_local_time(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    outages = out_now(world)
    number = next(
        n for n in members.demo.account_numbers if any(loc.startswith(n) for loc in outages)
    )
    result = await execute(adapters, gateway_store, STATUS, members.demo, n=number)
    assert result.errors is None
    assert result.data is not None
    statuses = result.data["account"]["outageStatus"]
    out = [s for s in statuses if s["isOut"]]
    assert out
    assert all(s["event"]["id"] == outages[s["serviceLocationId"]] for s in out)
    event = out[0]["event"]
    assert event["phase"] in {"REPORTED", "DISPATCHED", "ON_SITE"}
    assert event["startedAt"][-6:] in {"-07:00", "-06:00"}
    per_location = {
        loc["id"]: loc["outageStatus"]["isOut"]
        for loc in result.data["account"]["serviceLocations"]
    }
    assert per_location == {s["serviceLocationId"]: s["isOut"] for s in statuses}


async def report(
    adapters: Adapters, store: GatewayStore, who: Any, **fields: Any
) -> dict[str, Any]:
    result = await execute(adapters, store, REPORT, who, input=fields)
    assert result.errors is None, result.errors
    assert result.data is not None
    outcome: dict[str, Any] = result.data["reportOutage"]
    return outcome


async def test_a_report_at_a_location_with_power_puts_it_in_an_event(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    outages = out_now(world)
    location = next(loc for loc in world.locations if loc.location_id not in outages)
    number = location.account_number
    outcome = await report(
        adapters,
        gateway_store,
        members.staff,
        accountNumber=number,
        serviceLocationId=location.location_id,
        contactPhone="(505) 555-0142",
        comment="  Lights flickered, then out  ",
    )
    assert outcome["__typename"] == "ReportOutageSuccess"
    assert outcome["status"]["isOut"] is True
    assert outcome["status"]["event"]["id"] == outcome["eventId"]
    call = next(args[0] for name, args in adapters.oms.calls if name == "report_outage")  # type: ignore[attr-defined]
    assert (call.phone, call.comment, call.account_number) == (
        "5055550142",
        "Lights flickered, then out",
        number,
    )
    assert call.reported_at.tzinfo is not None


async def test_invalid_reports_name_the_field_and_reach_no_oms(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    mine = members.neighbor.account_numbers[0]
    location = next(loc for loc in world.locations if loc.account_number == mine).location_id
    elsewhere = next(loc for loc in world.locations if loc.account_number != mine).location_id
    cases = [
        ({"serviceLocationId": location, "contactPhone": "555-0142"}, "contactPhone"),
        ({"serviceLocationId": location, "contactPhone": "(123) 555-0142"}, "contactPhone"),
        ({"serviceLocationId": location, "comment": "x" * 501}, "comment"),
        ({"serviceLocationId": elsewhere}, "serviceLocationId"),
    ]
    for fields, field in cases:
        outcome = await report(
            adapters, gateway_store, members.neighbor, accountNumber=mine, **fields
        )
        assert outcome["__typename"] == "ValidationError"
        assert outcome["field"] == field
    assert not any(name == "report_outage" for name, _ in adapters.oms.calls)  # type: ignore[attr-defined]


async def test_reporting_on_someone_elses_account_is_not_found(
    world: World, adapters: Adapters, gateway_store: GatewayStore, members: Members
) -> None:
    theirs = members.demo.account_numbers[0]
    location = next(loc for loc in world.locations if loc.account_number == theirs).location_id
    outcome = await report(
        adapters,
        gateway_store,
        members.neighbor,
        accountNumber=theirs,
        serviceLocationId=location,
    )
    assert outcome == {"__typename": "AccountNotFound", "number": theirs}
    anonymous = await execute(
        adapters,
        gateway_store,
        REPORT,
        None,
        input={"accountNumber": theirs, "serviceLocationId": location},
    )
    assert anonymous.data == {"reportOutage": None}
    assert codes(anonymous) == ["UNAUTHENTICATED"]
    assert not any(name == "report_outage" for name, _ in adapters.oms.calls)  # type: ignore[attr-defined]
