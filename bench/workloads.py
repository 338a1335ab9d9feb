"""The fixed workloads: one GraphQL request each, who sends it, and its floor plan."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import orjson

from bench import floor

Facts = dict[str, int]


@dataclass(frozen=True, slots=True)
class Workload:
    name: str
    title: str
    description: str
    operation: str  # the GraphQL operation name: the gateway's metrics label requests by it
    query: str
    variables: Mapping[str, Any]
    user: Literal["member", "staff"]
    floor: floor.FloorPlan
    floor_note: str  # why the floor's calls depend on each other as they do
    facts: Callable[[Mapping[str, Any]], Facts]  # what the answer held, from its `data`

    @property
    def body(self) -> bytes:
        return orjson.dumps(
            {
                "query": self.query,
                "variables": dict(self.variables),
                "operationName": self.operation,
            }
        )


DASHBOARD_QUERY = """\
query Dashboard($from: Date!, $to: Date!, $bills: Int!) {
  viewer {
    accounts {
      number
      balance { amountDue currentAmount pastDueAmount dueDate isPastDue }
      bills(first: $bills) {
        edges { node { billDate dueDate amount kwh servicePeriod { start end } } }
        pageInfo { hasNextPage endCursor }
      }
      usage(from: $from, to: $to, interval: DAY) {
        totalKwh startsAt kwh temperatureF estimated
      }
      serviceLocations {
        id
        outageStatus { serviceLocationId isOut event { phase cause estimatedRestoration } }
      }
    }
  }
}
"""

HOURLY_QUERY = """\
query HourlyUsageYear($number: String!, $from: Date!, $to: Date!) {
  account(number: $number) {
    ... on Account {
      number
      usage(from: $from, to: $to, interval: HOUR) {
        interval timeZone unit totalKwh startsAt kwh temperatureF estimated
      }
    }
    ... on AccountNotFound { message }
  }
}
"""

ACCOUNT_ROW = """\
fragment Row on Account {
  number
  customer { firstName lastName businessName }
  balance { amountDue isPastDue }
  outageStatus { serviceLocationId isOut }
}
"""


def account_list_query(numbers: Sequence[str]) -> str:
    fields = "\n".join(
        f'  a{index}: account(number: "{number}") {{ ... on Account {{ ...Row }} '
        "... on AccountNotFound { number } }"
        for index, number in enumerate(numbers)
    )
    return f"query StaffAccountList {{\n{fields}\n}}\n{ACCOUNT_ROW}"


def _dashboard_facts(data: Mapping[str, Any]) -> Facts:
    accounts = data["viewer"]["accounts"]
    return {
        "accounts": len(accounts),
        "bills": sum(len(a["bills"]["edges"]) for a in accounts),
        "usage days": sum(len(a["usage"]["kwh"]) for a in accounts),
        "service locations": sum(len(a["serviceLocations"]) for a in accounts),
    }


def _hourly_facts(data: Mapping[str, Any]) -> Facts:
    return {"points": len(data["account"]["usage"]["kwh"])}


def _account_list_facts(data: Mapping[str, Any]) -> Facts:
    rows = list(data.values())
    return {
        "accounts": sum(1 for row in rows if "customer" in row),
        "not found": sum(1 for row in rows if "customer" not in row),
    }


def build_workloads(
    *,
    as_of: date,
    zone: ZoneInfo,
    member_accounts: Sequence[str],
    listed_accounts: Sequence[str],
) -> list[Workload]:
    """The workloads over the seeded co-op: usage up to the day before its `as_of`."""
    last_day = as_of - timedelta(days=1)
    month_from = last_day - timedelta(days=29)
    year_from = last_day - timedelta(days=364)
    bills = 13
    hourly_account = member_accounts[0]
    return [
        Workload(
            name="dashboard",
            title="Member dashboard",
            description=(
                f"The demo member's {len(member_accounts)} accounts, each with its balance,"
                f" the last {bills} bills, {(last_day - month_from).days + 1} days of daily"
                " usage with temperature, and the outage status of every service location."
            ),
            operation="Dashboard",
            query=DASHBOARD_QUERY,
            variables={
                "from": month_from.isoformat(),
                "to": last_day.isoformat(),
                "bills": bills,
            },
            user="member",
            floor=floor.dashboard_plan(
                member_accounts, start=month_from, end=last_day, bills=bills
            ),
            floor_note=(
                'The CIS has no "list bills": the dates of the bills follow from the'
                " service locations' billing cycle, so the bills (13, and one more to know"
                " whether there is a next page) wait for the locations. Outage status is"
                " asked per service location, and temperature needs the weather station of"
                " the first location, so both wait for the locations too; the daily reads"
                " need the account's meter numbers. The balance depends on nothing."
            ),
            facts=_dashboard_facts,
        ),
        Workload(
            name="hourly-year",
            title="A year of hourly usage",
            description=(
                f"Account {hourly_account} (all its meters summed): every hour from"
                f" {year_from.isoformat()} to {last_day.isoformat()} with temperature."
            ),
            operation="HourlyUsageYear",
            query=HOURLY_QUERY,
            variables={
                "number": hourly_account,
                "from": year_from.isoformat(),
                "to": last_day.isoformat(),
            },
            user="member",
            floor=floor.hourly_usage_plan(hourly_account, start=year_from, end=last_day, zone=zone),
            floor_note=(
                "The hourly reads need the account's meter numbers (CIS), then one query for"
                " every meter; the temperature needs the first service location (CIS), its"
                " weather station, then the station's daily weather."
            ),
            facts=_hourly_facts,
        ),
        Workload(
            name="staff-list",
            title="Staff account list",
            description=(
                f"A staff user's list of {len(listed_accounts)} accounts (aliased"
                " `account(number:)` fields in one query): name, balance and outage status."
            ),
            operation="StaffAccountList",
            query=account_list_query(listed_accounts),
            variables={},
            user="staff",
            floor=floor.account_list_plan(listed_accounts),
            floor_note=(
                'The CIS has no "get account": an account\'s customer (and name) and its'
                " service locations (for outage status) come from its service locations;"
                " the balance depends on nothing. Customers with several listed accounts"
                " are asked for once. A hundred accounts means hundreds of SOAP calls at"
                " once: the stand-ins' and the adapters' CPU, not the latency, set this floor."
            ),
            facts=_account_list_facts,
        ),
    ]
