"""The CIS stand-in's change feed in raw SOAP: sessions, paging and resuming.

A stand-in of each test's own, over a fresh database, answering at most two objects
per GetModifiedXXX call, so that three changes take two pages.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest_asyncio
import zeep
from lxml import etree

from simulators.cis.app import SERVICE_PATH, create_cis_app
from simulators.server import serve_asgi
from simulators.soap import MultiSpeakCredentials
from simulators.world import World
from tests.fixtures.cis import load_cis_database
from tests.simulators.cis.cb_wire import CbWire, SoapAnswer, children, text
from tests.simulators.multispeak_wire import NS

PAGE_SIZE = 2


@dataclass(frozen=True)
class FeedAnswer:
    object_ids: list[str]
    session_id: str
    objects_remaining: int
    last_sent: str | None


class Feed:
    """Raw GetModifiedXXX calls, with the paging attributes in the request header."""

    def __init__(self, wire: CbWire, messages: zeep.Client) -> None:
        self.wire = wire
        self._messages = messages

    async def send(self, operation: str, *, session: str | None = None, **args: Any) -> SoapAnswer:
        header = {
            "UserID": self.wire.credentials.user_id,
            "Pwd": self.wire.credentials.password,
            "AppName": self.wire.app_name,
        }
        if session is not None:
            header["SessionID"] = session
        envelope: etree._Element = self._messages.create_message(  # type: ignore[no-untyped-call]
            self._messages.service, operation, _soapheaders={"MultiSpeakMsgHeader": header}, **args
        )
        self.wire.assert_valid(envelope)
        return await self.wire.post(envelope, operation)

    async def page(
        self,
        operation: str,
        *,
        previous: str | None = None,
        session: str | None = None,
        last_received: str = "",
    ) -> FeedAnswer:
        answer = await self.send(
            operation, session=session, previousSessionID=previous, lastReceived=last_received
        )
        result = answer.result(operation)
        noun = "customer" if operation == "GetModifiedCustomers" else "serviceLocation"
        ids = [] if result is None else [o.get("objectID", "") for o in children(result, noun)]
        header = answer.envelope.find("soap:Header/ms:MultiSpeakMsgHeader", NS)
        assert header is not None
        return FeedAnswer(
            object_ids=ids,
            session_id=header.get("SessionID", ""),
            objects_remaining=int(header.get("ObjectsRemaining", "-1")),
            last_sent=header.get("LastSent"),
        )

    async def change_email(self, customer_id: str, email: str) -> None:
        change = {
            "objectID": customer_id,
            "contactInfo": {"eMailList": {"eMailAddress": [{"eMail": email}]}},
        }
        result = await self.wire.result(
            "ModifyCBDataForCustomer", customerData={"customer": [change]}
        )
        assert result is None or children(result, "errorObject") == []

    async def change_location(self, location_id: str, **fields: str) -> SoapAnswer:
        change = {"objectID": location_id, **fields}
        return await self.wire.send(
            "ModifyCBDataForServiceLocation", serviceLocationData={"serviceLocation": [change]}
        )


@pytest_asyncio.fixture
async def feed(
    world: World,
    cis_credentials: MultiSpeakCredentials,
    cis_database_dir: Path,
    cb_messages: zeep.Client,
    cb_wire_to: Callable[[str], CbWire],
    tmp_path: Path,
) -> AsyncIterator[Feed]:
    database_url = await load_cis_database(world, tmp_path / "cis.db")
    app = create_cis_app(
        database_url=database_url, credentials=cis_credentials, change_page_size=PAGE_SIZE
    )
    async with serve_asgi(app) as base_url:
        yield Feed(cb_wire_to(base_url + SERVICE_PATH), cb_messages)


def customer_ids(world: World, count: int) -> list[str]:
    return sorted(c.customer_id for c in world.customers)[:count]


async def test_a_cis_nobody_changed_reports_nothing_modified(feed: Feed) -> None:
    answer = await feed.page("GetModifiedCustomers")

    assert answer == FeedAnswer([], "0", 0, None)


async def test_modified_customers_come_in_pages_of_one_session(feed: Feed, world: World) -> None:
    first, second, third = customer_ids(world, 3)
    for customer_id in (third, first, second):
        await feed.change_email(customer_id, f"{customer_id.lower()}@example.org")

    page_one = await feed.page("GetModifiedCustomers")
    # Changed while the session is paged: not part of it.
    await feed.change_email(first, "again@example.org")
    page_two = await feed.page(
        "GetModifiedCustomers", session=page_one.session_id, last_received=page_one.last_sent or ""
    )

    assert page_one == FeedAnswer([first, second], page_one.session_id, 1, second)
    assert page_two == FeedAnswer([third], page_one.session_id, 0, third)


async def test_the_next_session_resumes_after_the_last_one_received_whole(
    feed: Feed, world: World
) -> None:
    first, second = customer_ids(world, 2)
    await feed.change_email(first, "one@example.org")
    session = (await feed.page("GetModifiedCustomers")).session_id
    await feed.change_email(second, "two@example.org")
    await feed.change_email(second, "three@example.org")

    resumed = await feed.send("GetModifiedCustomers", previousSessionID=session, lastReceived="")
    result = resumed.result("GetModifiedCustomers")
    assert result is not None
    customers = children(result, "customer")
    # Changed twice, sent once, as it is now.
    assert [c.get("objectID") for c in customers] == [second]
    assert text(customers[0], "contactInfo/eMailList/eMailAddress/eMail") == "three@example.org"
    later = (await feed.page("GetModifiedCustomers", previous=session)).session_id
    assert await feed.page("GetModifiedCustomers", previous=later) == FeedAnswer([], later, 0, None)


async def test_a_changed_service_location_is_in_its_own_feed_only(feed: Feed, world: World) -> None:
    location = world.locations[0]

    answer = await feed.change_location(
        location.location_id, servAddr1=" 9 New Rd ", servStatus="Inactive"
    )

    result = answer.result("ModifyCBDataForServiceLocation")
    assert result is None or children(result, "errorObject") == []
    modified = await feed.send("GetModifiedServiceLocations", lastReceived="")
    found = modified.result("GetModifiedServiceLocations")
    assert found is not None
    locations = children(found, "serviceLocation")
    assert [loc.get("objectID") for loc in locations] == [location.location_id]
    assert text(locations[0], "servAddr1") == "9 New Rd"
    assert text(locations[0], "servStatus") == "Inactive"
    assert text(locations[0], "accountNumber") == location.account_number
    assert (await feed.page("GetModifiedCustomers")).object_ids == []


async def test_a_refused_location_change_changes_nothing(feed: Feed, world: World) -> None:
    location = world.locations[0]

    answer = await feed.change_location(location.location_id, servCity=" ")
    unknown = await feed.change_location("L-NOPE", servCity="Placitas")

    for refused in (answer, unknown):
        result = refused.result("ModifyCBDataForServiceLocation")
        assert result is not None
        assert len(children(result, "errorObject")) == 1
    assert (await feed.page("GetModifiedServiceLocations")).object_ids == []


async def test_sessions_the_server_never_issued_are_faults(feed: Feed) -> None:
    ahead = await feed.send("GetModifiedCustomers", previousSessionID="99", lastReceived="")
    garbage = await feed.send("GetModifiedCustomers", previousSessionID="abc", lastReceived="")
    unpaged = await feed.send("GetModifiedCustomers", lastReceived="C100001")
    bad_session = await feed.send("GetModifiedCustomers", session="7", lastReceived="C100001")

    assert ahead.status_code == garbage.status_code == unpaged.status_code == 500
    assert "not a session this server issued" in ahead.fault[1]
    assert "not a session this server issued" in garbage.fault[1]
    assert "send its SessionID" in unpaged.fault[1]
    assert "not a session this server issued" in bad_session.fault[1]
