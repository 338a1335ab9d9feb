"""Whole answers from the response cache, through the app, against a real Redis.

Every way what an answer shows can change makes the next read fresh (payBill through
the worker, updateContactDetails, reportOutage, the CIS change feed, a revoked session,
notification contacts); partial answers and mutations are never kept; staff hits are
audited; members never see each other's answers; concurrent misses execute once; 304
for a client that holds the answer; and a second app instance hears drops through
Redis pub/sub, sign-in facts it holds included (a revoked session, a linked account).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
import redis
from sqlalchemy import text

from adapters.cis.port import Balance
from adapters.oms.fake import FakeOms
from adapters.oms.port import LocationOutageStatus, OmsUnavailable
from adapters.payments.fake import FakePaymentProcessor
from gateway.bootstrap import open_gateway
from gateway.core.backends import Adapters
from gateway.core.cache.refresher import CisChangeRefresher
from gateway.core.metrics import GatewayMetrics
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import Role
from gateway.identity.users import upsert_member
from gateway.members import store as members_store
from gateway.payments import store as payments_store
from gateway.payments.status import PaymentStatus
from gateway.worker import outbox_handlers, outbox_runner
from simulators.oms.fake_from_world import oms_data_from_world
from simulators.world import World
from tests.gateway.conftest import Members
from tests.gateway.served import GRAPHQL_RESPONSE, Served, served, served_settings
from tests.gateway.support import Member

BALANCE = """query Balance($n: String!) { account(number: $n) {
  ... on Account { number balance { amountDue } }
  ... on AccountNotFound { number } } }"""
CUSTOMER = """query Customer($n: String!) { account(number: $n) {
  ... on Account { customer { homePhone } serviceLocations { id serviceStatus } } } }"""
STATUS = """query Status($n: String!) { account(number: $n) { ... on Account {
  outageStatus { serviceLocationId isOut } } } }"""
MINE = "query Mine { viewer { email accounts { number balance { amountDue } } } }"
CONTACTS = "query Contacts { viewer { contacts { value } } }"
LOGIN = """mutation ($i: LoginInput!) { login(input: $i) {
  ... on LoginSuccess { accessToken sessionId } } }"""
REVOKE = """mutation ($i: RevokeSessionInput!) { revokeSession(input: $i) { __typename } }"""
UPDATE = """mutation ($n: String!, $i: ContactDetailsInput!) {
  updateContactDetails(accountNumber: $n, input: $i) { __typename } }"""
REPORT = """mutation ($i: ReportOutageInput!) { reportOutage(input: $i) { __typename } }"""
PAY = """mutation ($i: PayBillInput!) { payBill(input: $i) {
  __typename ... on PaymentAccepted { payment { id } } } }"""
ADD_CONTACT = """mutation ($v: String!) { addContact(input: {kind: EMAIL, value: $v}) {
  __typename } }"""
MAX_WORKER_PASSES = 10

T = TypeVar("T")


def stored_answers(url: str) -> list[bytes]:
    client = redis.Redis.from_url(url)
    try:
        return list(client.scan_iter("coop-answer:*"))
    finally:
        client.close()


def metric(text_: str, name: str, kind: str) -> float:
    found = re.search(rf'^{name}\{{kind="{kind}"\}} (\S+)$', text_, re.MULTILINE)
    return float(found.group(1)) if found else 0.0


async def lookups(gateway: Served, kind: str) -> float:
    """How many keys of `kind` the loaders looked up (once per execution that read one)."""
    body = (await gateway.client.get("/metrics")).text
    return metric(body, "gateway_cache_hits_total", kind) + metric(
        body, "gateway_cache_misses_total", kind
    )


async def answer_misses(gateway: Served) -> float:
    body = (await gateway.client.get("/metrics")).text
    return metric(body, "gateway_cache_misses_total", "answer")


async def post(gateway: Served, query: str, token: str, **variables: Any) -> httpx.Response:
    return await gateway.client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"authorization": f"Bearer {token}", "accept": GRAPHQL_RESPONSE},
    )


async def until(check: Callable[[], Awaitable[bool]], *, seconds: float = 5.0) -> None:
    """Checks until true: what is awaited happens in the app (or another app), which
    this test cannot be told of."""
    async with asyncio.timeout(seconds):
        while not await check():  # noqa: ASYNC110 - see above
            await asyncio.sleep(0.01)


async def fresh_within(read: Callable[[], Awaitable[T]], wanted: T) -> None:
    """Reads until the answer is `wanted` (another process hears drops a moment later)."""

    async def fresh() -> bool:
        return await read() == wanted

    await until(fresh)


@asynccontextmanager
async def app(
    gateway_database_path: Path, redis_url: str, adapters: Adapters, **settings: Any
) -> AsyncIterator[Served]:
    async with served(
        served_settings(gateway_database_path, redis_url=redis_url, **settings), adapters
    ) as gateway:
        yield gateway


async def test_a_repeated_query_is_served_without_executing_and_a_write_makes_it_fresh(
    adapters: Adapters, gateway_database_path: Path, members: Members, clean_redis: str
) -> None:
    number = members.demo.account_numbers[0]
    async with app(gateway_database_path, clean_redis, adapters) as gateway:
        token = await gateway.sign_in(members.demo)
        first = await gateway.graphql(CUSTOMER, token, n=number)
        executions = await lookups(gateway, "service_locations_by_account")
        second = await gateway.graphql(CUSTOMER, token, n=number)
        assert second == first
        assert await lookups(gateway, "service_locations_by_account") == executions
        assert len(stored_answers(clean_redis)) == 1

        updated = await gateway.graphql(UPDATE, token, n=number, i={"homePhone": "5055550199"})
        assert updated["data"]["updateContactDetails"]["__typename"] == (
            "UpdateContactDetailsSuccess"
        )
        after = await gateway.graphql(CUSTOMER, token, n=number)

    assert after["data"]["account"]["customer"]["homePhone"] == "5055550199"


async def test_a_reported_outage_makes_the_next_status_read_fresh(
    world: World,
    adapters: Adapters,
    gateway_database_path: Path,
    members: Members,
    clean_redis: str,
) -> None:
    out = {loc for e in world.outage_events if e.restored_at is None for loc in e.location_ids}
    lit = next(loc for loc in world.locations if loc.location_id not in out)
    async with app(gateway_database_path, clean_redis, adapters) as gateway:
        staff = await gateway.sign_in(members.staff)
        member = await gateway.sign_in(members.demo)
        before = await gateway.graphql(STATUS, staff, n=lit.account_number)
        assert {"serviceLocationId": lit.location_id, "isOut": False} in (
            before["data"]["account"]["outageStatus"]
        )
        # Reported by someone else: only the location's tag can drop the staff's answer.
        reported = await gateway.graphql(
            REPORT,
            member if lit.account_number in members.demo.account_numbers else staff,
            i={"accountNumber": lit.account_number, "serviceLocationId": lit.location_id},
        )
        assert reported["data"]["reportOutage"]["__typename"] == "ReportOutageSuccess"
        after = await gateway.graphql(STATUS, staff, n=lit.account_number)

    assert {"serviceLocationId": lit.location_id, "isOut": True} in (
        after["data"]["account"]["outageStatus"]
    )


async def test_a_payment_the_worker_posts_makes_the_next_balance_read_fresh(
    adapters: Adapters, gateway_database_path: Path, members: Members, clean_redis: str
) -> None:
    number = members.demo.account_numbers[0]
    settings = served_settings(gateway_database_path, redis_url=clean_redis)
    assert isinstance(adapters.payments, FakePaymentProcessor)
    card = adapters.payments.tokenize_card("4242 4242 4242 4242")
    async with served(settings, adapters) as gateway:
        token = await gateway.sign_in(members.demo)
        paid = await gateway.graphql(
            PAY,
            token,
            i={
                "accountNumber": number,
                "amount": "10.00",
                "method": {"token": card},
                "idempotencyKey": "answers-pay-1",
                "confirmDuplicate": True,
            },
        )
        assert paid["data"]["payBill"]["__typename"] == "PaymentAccepted", paid
        payment_id = paid["data"]["payBill"]["payment"]["id"]

        async def amount_due() -> Decimal:
            body = await gateway.graphql(BALANCE, token, n=number)
            return Decimal(body["data"]["account"]["balance"]["amountDue"])

        owed = await amount_due()  # kept now, before the worker posts the payment
        assert await amount_due() == owed

        async with open_gateway(settings, metrics=GatewayMetrics(), adapters=adapters) as worker:
            runner = outbox_runner(worker, outbox_handlers(worker))
            for _ in range(MAX_WORKER_PASSES):
                await runner.run_once()
                payment = await payments_store.get_payment(worker.store, payment_id)
                if payment is not None and payment.status is not PaymentStatus.PROCESSING:
                    break
        assert payment is not None
        assert payment.status is PaymentStatus.POSTED

        await fresh_within(amount_due, owed - Decimal("10.00"))


async def test_a_change_the_cis_feed_reports_makes_the_next_read_fresh(
    world: World,
    adapters: Adapters,
    gateway_database_path: Path,
    members: Members,
    clean_redis: str,
) -> None:
    number = members.demo.account_numbers[0]
    location = next(loc for loc in world.locations if loc.account_number == number)
    settings = served_settings(gateway_database_path, redis_url=clean_redis)
    async with (
        served(settings, adapters) as gateway,
        open_gateway(settings, metrics=GatewayMetrics(), adapters=adapters) as worker,
    ):
        refresher = CisChangeRefresher(worker.adapters.cis, worker.cache, interval_s=30)  # type: ignore[arg-type]
        assert (await refresher.poll_once()).ok  # takes the feed's position
        token = await gateway.sign_in(members.demo)

        async def status_of_location() -> str:
            body = await gateway.graphql(CUSTOMER, token, n=number)
            [found] = [
                loc["serviceStatus"]
                for loc in body["data"]["account"]["serviceLocations"]
                if loc["id"] == location.location_id
            ]
            return str(found)

        assert await status_of_location() != "disconnected"
        adapters.cis.change_service_location(  # type: ignore[attr-defined]
            location.location_id, service_status="DISCONNECTED"
        )
        assert await status_of_location() != "disconnected"  # still the kept answer
        assert (await refresher.poll_once()).dropped > 0

        await fresh_within(status_of_location, "disconnected")


async def sign_in_device(gateway: Served, member: Member) -> tuple[str, str]:
    body = await gateway.graphql(LOGIN, i={"email": member.email, "password": member.password})
    login = body["data"]["login"]
    return login["accessToken"], login["sessionId"]


async def test_a_revoked_session_is_refused_although_its_answer_is_kept(
    adapters: Adapters, gateway_database_path: Path, members: Members, clean_redis: str
) -> None:
    async with app(gateway_database_path, clean_redis, adapters) as gateway:
        laptop, laptop_session = await sign_in_device(gateway, members.demo)
        phone, _ = await sign_in_device(gateway, members.demo)
        assert "errors" not in await gateway.graphql(MINE, laptop)
        assert "errors" not in await gateway.graphql(MINE, laptop)  # from the cache now

        revoked = await gateway.graphql(REVOKE, phone, i={"sessionId": laptop_session})
        assert revoked["data"]["revokeSession"]["__typename"] == "SessionRevoked"
        refused = await gateway.graphql(MINE, laptop)

    assert refused["data"] == {"viewer": None}
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["UNAUTHENTICATED"]


async def test_an_added_contact_shows_at_once_as_contacts_are_never_kept(
    adapters: Adapters, gateway_database_path: Path, members: Members, clean_redis: str
) -> None:
    async with app(gateway_database_path, clean_redis, adapters) as gateway:
        token = await gateway.sign_in(members.neighbor)
        before = await gateway.graphql(CONTACTS, token)
        added = await gateway.graphql(ADD_CONTACT, token, v="answers-second@example.com")
        after = await gateway.graphql(CONTACTS, token)

    assert added["data"]["addContact"]["__typename"] in {"ContactAdded", "ContactAlreadyAdded"}
    values = [c["value"] for c in after["data"]["viewer"]["contacts"]]
    assert "answers-second@example.com" in values
    assert before != after or "answers-second@example.com" in values
    assert stored_answers(clean_redis) == []


class OmsDownFor(FakeOms):
    """An OMS that cannot answer for one location."""

    down: str
    failed = 0

    async def get_outage_status(self, location_id: str) -> LocationOutageStatus:
        if location_id == self.down:
            self.failed += 1
            raise OmsUnavailable("the OMS did not answer")
        return await super().get_outage_status(location_id)


async def test_a_partial_answer_is_never_kept(
    world: World,
    adapters: Adapters,
    gateway_database_path: Path,
    members: Members,
    clean_redis: str,
) -> None:
    number = members.demo.account_numbers[0]
    location = next(loc for loc in world.locations if loc.account_number == number)
    oms = OmsDownFor.from_data(oms_data_from_world(world))
    assert isinstance(oms, OmsDownFor)
    oms.down = location.location_id
    failing = Adapters(cis=adapters.cis, oms=oms, meters=adapters.meters)
    async with app(gateway_database_path, clean_redis, failing) as gateway:
        token = await gateway.sign_in(members.demo)
        partial = await gateway.graphql(STATUS, token, n=number)
        assert partial["errors"]
        assert partial["data"] is not None
        failed_once = oms.failed
        again = await gateway.graphql(STATUS, token, n=number)
        assert oms.failed > failed_once  # executed again: the OMS was asked again

    assert again["errors"]
    assert stored_answers(clean_redis) == []


async def test_a_mutation_is_never_kept(
    world: World,
    adapters: Adapters,
    gateway_database_path: Path,
    members: Members,
    clean_redis: str,
) -> None:
    number = members.demo.account_numbers[0]
    location = next(loc for loc in world.locations if loc.account_number == number)
    report = {"accountNumber": number, "serviceLocationId": location.location_id}
    async with app(gateway_database_path, clean_redis, adapters) as gateway:
        token = await gateway.sign_in(members.demo)
        reports = [await gateway.graphql(REPORT, token, i=report) for _ in range(2)]

    assert [r["data"]["reportOutage"]["__typename"] for r in reports] == ["ReportOutageSuccess"] * 2
    oms_calls = adapters.oms.calls  # type: ignore[attr-defined]
    assert [name for name, _ in oms_calls].count("report_outage") == 2
    assert stored_answers(clean_redis) == []


async def audit_rows(store: GatewayStore, request_ids: list[str]) -> list[tuple[str, str]]:
    async with store.engine.connect() as connection:
        rows = await connection.execute(
            text(
                "SELECT request_id, account_number FROM audit_entries WHERE request_id IN "
                "(:a, :b) ORDER BY request_id"
            ),
            {"a": request_ids[0], "b": request_ids[1]},
        )
        return [(row[0], row[1]) for row in rows]


async def test_a_staff_read_served_from_the_cache_is_audited_again(
    adapters: Adapters,
    gateway_database_path: Path,
    gateway_store: GatewayStore,
    members: Members,
    clean_redis: str,
) -> None:
    number = members.demo.account_numbers[0]
    request_ids = ["answers-audit-first", "answers-audit-second"]
    async with app(gateway_database_path, clean_redis, adapters) as gateway:
        token = await gateway.sign_in(members.staff)
        bodies = []
        for request_id in request_ids:
            response = await gateway.client.post(
                "/graphql",
                json={"query": BALANCE, "variables": {"n": number}},
                headers={"authorization": f"Bearer {token}", "x-request-id": request_id},
            )
            bodies.append(response.json())
        assert len(stored_answers(clean_redis)) == 1

    assert bodies[0] == bodies[1]
    assert await audit_rows(gateway_store, request_ids) == [
        (request_ids[0], number),
        (request_ids[1], number),
    ]


async def test_members_never_see_each_others_answers(
    adapters: Adapters, gateway_database_path: Path, members: Members, clean_redis: str
) -> None:
    theirs = members.demo.account_numbers[0]
    async with app(gateway_database_path, clean_redis, adapters) as gateway:
        demo = await gateway.sign_in(members.demo)
        neighbor = await gateway.sign_in(members.neighbor)
        for _ in range(2):
            demo_mine = await gateway.graphql(MINE, demo)
            neighbor_mine = await gateway.graphql(MINE, neighbor)
            demo_account = await gateway.graphql(BALANCE, demo, n=theirs)
            neighbor_account = await gateway.graphql(BALANCE, neighbor, n=theirs)

    assert demo_mine["data"]["viewer"]["email"] == members.demo.email
    assert neighbor_mine["data"]["viewer"]["email"] == members.neighbor.email
    assert [a["number"] for a in neighbor_mine["data"]["viewer"]["accounts"]] == sorted(
        members.neighbor.account_numbers
    )
    assert "balance" in demo_account["data"]["account"]
    assert neighbor_account["data"]["account"] == {"number": theirs}  # AccountNotFound


class BalanceBehindAGate:
    """Wraps a CIS so that balances wait until the test lets them through."""

    def __init__(self, cis: Any) -> None:
        self._cis = cis
        self.gate = asyncio.Event()
        self.balances_asked = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._cis, name)

    async def get_balance(self, account_number: str) -> Balance:
        self.balances_asked += 1
        await self.gate.wait()
        balance: Balance = await self._cis.get_balance(account_number)
        return balance


async def test_sixteen_identical_misses_at_once_execute_once(
    adapters: Adapters, gateway_database_path: Path, members: Members, clean_redis: str
) -> None:
    number = members.demo.account_numbers[0]
    cis = BalanceBehindAGate(adapters.cis)
    gated = Adapters(cis=cis, oms=adapters.oms, meters=adapters.meters)  # type: ignore[arg-type]
    async with app(gateway_database_path, clean_redis, gated) as gateway:
        token = await gateway.sign_in(members.demo)
        async with asyncio.timeout(30):
            requests = [
                asyncio.create_task(gateway.graphql(BALANCE, token, n=number)) for _ in range(16)
            ]

            async def all_missed() -> bool:
                return await answer_misses(gateway) == 16

            await until(all_missed)
            cis.gate.set()
            answers = await asyncio.gather(*requests)
        executions = await lookups(gateway, "balance")

    assert all(answer == answers[0] for answer in answers)
    assert "errors" not in answers[0]
    assert executions == 1
    assert cis.balances_asked == 1


async def test_a_client_holding_the_answer_gets_304_and_etags_differ_by_viewer(
    adapters: Adapters, gateway_database_path: Path, members: Members, clean_redis: str
) -> None:
    async with app(gateway_database_path, clean_redis, adapters) as gateway:
        demo = await gateway.sign_in(members.demo)
        neighbor = await gateway.sign_in(members.neighbor)

        async def get(token: str, etag: str | None = None) -> httpx.Response:
            headers = {"authorization": f"Bearer {token}", "accept": GRAPHQL_RESPONSE}
            if etag:
                headers["if-none-match"] = etag
            return await gateway.client.get("/graphql", params={"query": MINE}, headers=headers)

        first = await get(demo)
        etag = first.headers["etag"]
        again = await get(demo, etag)
        posted = await gateway.client.post(
            "/graphql",
            json={"query": MINE},
            headers={"authorization": f"Bearer {demo}", "if-none-match": etag},
        )
        theirs = await get(neighbor, etag)

    assert first.status_code == 200
    assert first.headers["cache-control"] == "private, no-cache"
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert posted.status_code == 304
    assert theirs.status_code == 200
    assert theirs.headers["etag"] != etag
    assert theirs.json()["data"]["viewer"]["email"] == members.neighbor.email


async def test_another_app_instance_hears_a_write_through_redis(
    adapters: Adapters, gateway_database_path: Path, members: Members, clean_redis: str
) -> None:
    number = members.demo.account_numbers[0]
    # Near layers that would keep answers a minute: only the drop's message can refresh.
    async with (
        app(gateway_database_path, clean_redis, adapters, cache_near_ttl_s=60) as writer,
        app(gateway_database_path, clean_redis, adapters, cache_near_ttl_s=60) as reader,
    ):
        writer_token = await writer.sign_in(members.demo)
        reader_token = await reader.sign_in(members.demo)

        async def home_phone() -> str:
            body = await reader.graphql(CUSTOMER, reader_token, n=number)
            return str(body["data"]["account"]["customer"]["homePhone"])

        before = await home_phone()
        assert await home_phone() == before
        changed = "5055550123" if before != "5055550123" else "5055550124"
        updated = await writer.graphql(UPDATE, writer_token, n=number, i={"homePhone": changed})
        assert updated["data"]["updateContactDetails"]["__typename"] == (
            "UpdateContactDetailsSuccess"
        )

        await fresh_within(home_phone, changed)


async def test_a_session_revoked_in_one_instance_is_refused_by_another_at_once(
    adapters: Adapters, gateway_database_path: Path, members: Members, clean_redis: str
) -> None:
    # Facts held a minute: only the drop's message can end the laptop's session there.
    async with (
        app(gateway_database_path, clean_redis, adapters, session_hold_s=60) as writer,
        app(gateway_database_path, clean_redis, adapters, session_hold_s=60) as reader,
    ):
        laptop, laptop_session = await sign_in_device(reader, members.demo)
        phone, _ = await sign_in_device(writer, members.demo)
        assert "errors" not in await reader.graphql(MINE, laptop)
        assert "errors" not in await reader.graphql(MINE, laptop)  # held, and kept

        revoked = await writer.graphql(REVOKE, phone, i={"sessionId": laptop_session})
        assert revoked["data"]["revokeSession"]["__typename"] == "SessionRevoked"

        async def refused() -> bool:
            body = await reader.graphql(MINE, laptop)
            return [e["extensions"]["code"] for e in body.get("errors", ())] == ["UNAUTHENTICATED"]

        await until(refused)
        assert "errors" not in await reader.graphql(MINE, phone)


async def test_an_account_another_process_links_shows_at_once(
    world: World,
    adapters: Adapters,
    gateway_database_path: Path,
    gateway_store: GatewayStore,
    clean_redis: str,
) -> None:
    first, second = world.accounts[-1].account_number, world.accounts[-2].account_number
    member = Member(0, "answers-linking@example.com", "answers-linking-pass", Role.MEMBER, ())
    user_id = await upsert_member(
        gateway_store.engine, email=member.email, password=member.password, account_numbers=[first]
    )
    settings = served_settings(gateway_database_path, redis_url=clean_redis, session_hold_s=60)
    async with (
        served(settings, adapters) as gateway,
        open_gateway(settings, metrics=GatewayMetrics(), adapters=adapters) as worker,
    ):
        token = await gateway.sign_in(member)

        async def numbers() -> list[str]:
            body = await gateway.graphql(MINE, token)
            return [account["number"] for account in body["data"]["viewer"]["accounts"]]

        assert await numbers() == [first]
        assert await numbers() == [first]  # held, and kept
        await members_store.link_account(
            worker.store,
            user_id=user_id,
            account_number=second,
            access=members_store.Access.HOLDER,
            now=datetime.now(UTC),
        )

        await fresh_within(numbers, sorted([first, second]))
