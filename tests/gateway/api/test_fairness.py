"""The rate limit over HTTP, through the real app: 429 and Retry-After, nothing executed,
and one client's limit never another's."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette

from gateway.api.http import GRAPHQL_RESPONSE, JSON
from gateway.app import create_app
from gateway.core.backends import Adapters
from gateway.core.errors import RATE_LIMITED
from tests.fixtures.redis import RedisServer
from tests.gateway.conftest import Members
from tests.gateway.served import LOGIN, served_settings
from tests.gateway.support import Member

HOME, OFFICE, ELSEWHERE = "203.0.113.10", "198.51.100.20", "192.0.2.30"
# Costs 2 + 10 accounts x (2 + first): `first` sets it. Over 36 (three years of bills)
# the field is refused as it executes, after the charge, without asking the CIS.
BILLS = """query Bills($n: Int!) {
  viewer { accounts { bills(first: $n) { edges { node { billDate } } } } } }"""
EMAIL = "query Email { viewer { email } }"
DASHBOARD = """query Dashboard {
  viewer { email accounts { number
    balance { amountDue dueDate isPastDue }
    bills(first: 3) { edges { node { billDate amount kwh dueDate } } }
    usageComparison { current { billDate kwh cost averageTemperatureF }
      compareTo { billDate kwh cost } change { kwh kwhPercent cost } }
    usage(from: "2025-11-01", to: "2025-11-30", interval: DAY) {
      startsAt kwh temperatureF estimated }
    outageStatus { serviceLocationId isOut event { phase cause estimatedRestoration } }
  } }
}"""
HOURLY_YEAR = """query HourlyYear($n: String!) { account(number: $n) { ... on Account {
  usage(from: "2025-11-01", to: "2026-10-31", interval: HOUR) { startsAt kwh temperatureF } } } }"""


class Client:
    """One client of the app: its own address, and its access token once signed in."""

    def __init__(self, app: Starlette, address: str, *, accept: str = GRAPHQL_RESPONSE) -> None:
        self.http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=(address, 40000)),
            base_url="http://gateway",
            headers={"accept": accept},
        )
        self.token: str | None = None

    async def post(self, query: str, **variables: Any) -> httpx.Response:
        headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )

    async def sign_in(self, member: Member) -> None:
        response = await self.post(LOGIN, i={"email": member.email, "password": member.password})
        assert response.status_code == 200, response.text
        self.token = response.json()["data"]["login"]["accessToken"]


Serve = Callable[..., AbstractAsyncContextManager[Callable[..., Client]]]


@pytest.fixture
def serve(adapters: Adapters, gateway_database_path: Path) -> Serve:
    """The app under settings of the test's choosing, and clients of it by address."""

    @asynccontextmanager
    async def run(**overrides: Any) -> AsyncIterator[Callable[..., Client]]:
        app = create_app(served_settings(gateway_database_path, **overrides), adapters)
        made: list[Client] = []

        def client(address: str, **options: Any) -> Client:
            made.append(Client(app, address, **options))
            return made[-1]

        async with app.router.lifespan_context(app):
            try:
                yield client
            finally:
                for each in made:
                    await each.http.aclose()

    return run


# Small buckets, so that a few requests reach them: 1,000 per login at 10 a second,
# the address's out of the way unless a test says otherwise.
SMALL_LOGIN = {"rate_limit_login_capacity": 1_000, "rate_limit_login_refill_per_s": 10.0}


def error_codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json().get("errors", ())]


async def test_over_its_limit_a_login_gets_429_retry_after_and_nothing_runs(
    serve: Serve, adapters: Adapters, members: Members
) -> None:
    async with serve(**SMALL_LOGIN) as client:
        member = client(HOME)
        await member.sign_in(members.demo)
        for _ in range(2):
            allowed = await member.post(BILLS, n=36)
            assert allowed.status_code == 200
            assert "errors" not in allowed.json()
            assert allowed.json()["extensions"]["cost"]["requested"] == 382
        assert adapters.cis.calls  # an allowed request reaches the CIS...
        adapters.cis.calls.clear()

        refused = await member.post(BILLS, n=36)

    assert adapters.cis.calls == []  # ...a refused one does not: no resolver ran
    assert refused.status_code == 429
    assert refused.headers["content-type"] == GRAPHQL_RESPONSE
    body = refused.json()
    assert "data" not in body
    [error] = body["errors"]
    assert error["extensions"]["code"] == RATE_LIMITED
    # 236 tokens left of 1,000 after two charges of 382: 146 short at 10 a second.
    assert error["extensions"]["retryAfterSeconds"] == int(refused.headers["retry-after"])
    assert int(refused.headers["retry-after"]) == 15
    assert "sign-in" in error["message"]
    assert body["extensions"]["cost"] == {"requested": 382, "limit": 20_000}


async def test_clients_that_accept_only_json_get_429_too(serve: Serve, members: Members) -> None:
    async with serve(**SMALL_LOGIN) as client:
        member = client(HOME, accept=JSON)
        await member.sign_in(members.demo)
        assert (await member.post(BILLS, n=95)).status_code == 200
        refused = await member.post(BILLS, n=95)
    assert refused.status_code == 429
    assert refused.headers["content-type"] == JSON
    assert int(refused.headers["retry-after"]) >= 1
    assert error_codes(refused) == [RATE_LIMITED]


async def test_a_limited_login_holds_back_no_other_member_and_follows_its_own_token(
    serve: Serve, members: Members
) -> None:
    async with serve(**SMALL_LOGIN) as client:
        attacker, neighbor = client(HOME), client(OFFICE)
        await attacker.sign_in(members.demo)
        await neighbor.sign_in(members.neighbor)
        assert (await attacker.post(BILLS, n=95)).status_code == 200
        assert (await attacker.post(BILLS, n=95)).status_code == 429

        # Another member at another address: nothing of the attacker's limit.
        for _ in range(3):
            answer = await neighbor.post(EMAIL)
            assert answer.status_code == 200
            assert answer.json()["data"]["viewer"]["email"] == members.neighbor.email
        assert (await neighbor.post(BILLS, n=95)).status_code == 200

        # The same token from another address is still the same login's bucket.
        moved = client(ELSEWHERE)
        moved.token = attacker.token
        assert (await moved.post(BILLS, n=95)).status_code == 429
        # ...while that address itself is not held back for anyone else.
        assert (await client(ELSEWHERE).post("{ __typename }")).status_code == 200


async def test_anonymous_requests_are_limited_by_their_address_invalid_ones_included(
    serve: Serve,
) -> None:
    tight_address = {"rate_limit_address_capacity": 5, "rate_limit_address_refill_per_s": 0.01}
    async with serve(**tight_address) as client:
        stranger = client(HOME)
        for _ in range(3):
            assert (await stranger.post("{ __typename }")).status_code == 200
        for _ in range(2):  # refused by validation, and still charged one each
            assert error_codes(await stranger.post("{ noSuchField }")) == [
                "GRAPHQL_VALIDATION_FAILED"
            ]
        refused = await stranger.post("{ __typename }")
        assert refused.status_code == 429
        assert "network address" in refused.json()["errors"][0]["message"]
        assert int(refused.headers["retry-after"]) == 100  # one token at 0.01 a second
        assert (await client(OFFICE).post("{ __typename }")).status_code == 200


async def test_long_documents_are_charged_their_length_even_when_validation_refuses_them(
    serve: Serve,
) -> None:
    # Validating a long document is work, run or not: 600 characters are 60 units.
    tight_address = {"rate_limit_address_capacity": 100, "rate_limit_address_refill_per_s": 0.01}
    long_and_invalid = "{ noSuchField }".ljust(600)
    async with serve(**tight_address) as client:
        stranger = client(HOME)
        first = await stranger.post(long_and_invalid)
        assert error_codes(first) == ["GRAPHQL_VALIDATION_FAILED"]
        refused = await stranger.post(long_and_invalid)
        assert refused.status_code == 429
        # 40 units are left of 100: 20 more at 0.01 a second.
        assert int(refused.headers["retry-after"]) == 2000


async def test_refusals_are_counted_by_the_bucket_that_refused(
    serve: Serve, members: Members
) -> None:
    async with serve(**SMALL_LOGIN) as client:
        member = client(HOME)
        await member.sign_in(members.demo)
        for _ in range(4):
            await member.post(BILLS, n=95)
        scraped = await member.http.get("/metrics")
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(scraped.text)
        for sample in family.samples
    }
    assert samples[("gateway_rate_limited_total", (("bucket", "login"),))] == 3.0
    assert ("gateway_rate_limited_total", (("bucket", "address"),)) not in samples


async def test_switched_off_nothing_is_limited(serve: Serve, members: Members) -> None:
    async with serve(**SMALL_LOGIN, rate_limit_enabled=False) as client:
        member = client(HOME)
        await member.sign_in(members.demo)
        statuses = {(await member.post(BILLS, n=95)).status_code for _ in range(5)}
    assert statuses == {200}


async def test_the_defaults_let_a_member_session_through_and_hold_back_the_most_costly_loop(
    serve: Serve, members: Members
) -> None:
    async with serve() as client:
        member, attacker, neighbor = client(HOME), client(OFFICE), client(OFFICE)
        await member.sign_in(members.demo)
        costs: dict[str, int] = {}
        # A member's visit, twice over, back to back: the dashboard and a year of hours
        # for each of two accounts, 36,068 in all.
        for _ in range(2):
            dashboard = await member.post(DASHBOARD)
            assert dashboard.status_code == 200, dashboard.text
            assert "errors" not in dashboard.json()
            costs["dashboard"] = dashboard.json()["extensions"]["cost"]["requested"]
            for number in members.demo.account_numbers:
                year = await member.post(HOURLY_YEAR, n=number)
                assert year.status_code == 200, year.text
                costs["hourly year"] = year.json()["extensions"]["cost"]["requested"]
        assert costs == {"dashboard": 512, "hourly year": 8_761}

        # A member sending documents of nearly the most a document may cost, in a loop:
        # two from a full bucket, then refused for about 4 s each (5,000 a second).
        await attacker.sign_in(members.neighbor)
        answers = [await attacker.post(BILLS, n=1_995) for _ in range(3)]
        assert answers[0].json()["extensions"]["cost"]["requested"] == 19_972
        assert [answer.status_code for answer in answers] == [200, 200, 429]
        assert int(answers[2].headers["retry-after"]) == 4
        # Meanwhile a small request from the attacker's own office goes through.
        await neighbor.sign_in(members.staff)
        assert (await neighbor.post(EMAIL)).status_code == 200


async def test_processes_sharing_redis_share_each_login_bucket(
    serve: Serve, members: Members, clean_redis: str
) -> None:
    shared = {**SMALL_LOGIN, "redis_url": clean_redis}
    async with serve(**shared) as first_process, serve(**shared) as second_process:
        on_first, on_second = first_process(HOME), second_process(HOME)
        await on_first.sign_in(members.demo)
        on_second.token = on_first.token
        assert (await on_first.post(BILLS, n=36)).status_code == 200
        assert (await on_second.post(BILLS, n=36)).status_code == 200
        assert (await on_first.post(BILLS, n=36)).status_code == 429
        assert (await on_second.post(BILLS, n=36)).status_code == 429


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A Redis of this test's own, which it may stop."""
    with RedisServer(tmp_path) as server:
        yield server


async def test_with_redis_stopped_requests_never_fail_and_are_still_limited(
    serve: Serve, members: Members, own_redis: RedisServer
) -> None:
    async with serve(**SMALL_LOGIN, redis_url=own_redis.url) as client:
        member = client(HOME)
        await member.sign_in(members.demo)
        own_redis.stop()
        statuses = [(await member.post(BILLS, n=36)).status_code for _ in range(3)]
        small = await member.post("{ __typename }")
    # This process's buckets stand in: the same limit, and no 5xx for Redis's sake.
    assert statuses == [200, 200, 429]
    assert small.status_code == 200
