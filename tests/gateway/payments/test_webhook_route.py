"""POST /webhooks/payments: a genuine event is kept once with its outbox entry; a bad
signature, an old timestamp or a body too large is refused and nothing is written."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest
import pytest_asyncio
from pydantic import SecretStr
from starlette.applications import Starlette

from adapters.payments.webhook import SIGNATURE_HEADER, signature_header
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments.webhook_route import (
    MAX_BODY_BYTES,
    WEBHOOK_PATH,
    payments_webhook_route,
)
from tests.gateway.core.store.databases import store_on_each_backend
from tests.gateway.payments.webhook_support import kept_events, queued_events

store = store_on_each_backend()
SECRET = "whsec_route_test_0123456789"
_serial = itertools.count(1)


def event_body(event_id: str, *, kind: str = "debit.returned") -> bytes:
    event = {
        "id": event_id,
        "object": "event",
        "type": kind,
        "created": int(time.time()),
        "data": {"id": "db_000001abcd", "object": "debit", "reference": "pay_0123"},
    }
    return json.dumps(event, separators=(",", ":")).encode()


def new_event_id() -> str:
    return f"evt_route{next(_serial):06d}{time.time_ns() % 10**6:06d}"


@pytest_asyncio.fixture
async def client(store: GatewayStore) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=[payments_webhook_route(secret=SecretStr(SECRET), store=lambda: store)])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gw") as http:
        yield http


async def post(
    client: httpx.AsyncClient, body: bytes, *, secret: str = SECRET, at: int | None = None
) -> httpx.Response:
    signed = signature_header(secret, int(time.time()) if at is None else at, body)
    return await client.post(
        WEBHOOK_PATH,
        content=body,
        headers={SIGNATURE_HEADER: signed, "Content-Type": "application/json"},
    )


async def test_a_signed_event_is_kept_with_its_outbox_entry(
    client: httpx.AsyncClient, store: GatewayStore
) -> None:
    event_id = new_event_id()

    response = await post(client, event_body(event_id))

    assert response.status_code == 200
    assert (await kept_events(store, event_id), await queued_events(store, event_id)) == (1, 1)


async def test_the_same_event_twice_is_kept_once_and_both_answered_200(
    client: httpx.AsyncClient, store: GatewayStore
) -> None:
    event_id = new_event_id()
    body = event_body(event_id)

    first = await post(client, body)
    # A replay: the same event, signed again a moment later, as a retry would be.
    again = await post(client, body, at=int(time.time()) + 1)

    assert (first.status_code, again.status_code) == (200, 200)
    assert again.json() == {"status": "seen before"}
    assert (await kept_events(store, event_id), await queued_events(store, event_id)) == (1, 1)


@pytest.mark.parametrize(
    ("secret", "age_s"),
    [
        ("whsec_someone_else_0123456", 0),  # signed with another secret
        (SECRET, 301),  # older than five minutes: a replay of a captured request
        (SECRET, -301),  # from the future
    ],
)
async def test_a_bad_signature_or_timestamp_is_refused_and_nothing_written(
    client: httpx.AsyncClient, store: GatewayStore, secret: str, age_s: int
) -> None:
    event_id = new_event_id()

    response = await post(client, event_body(event_id), secret=secret, at=int(time.time()) - age_s)

    assert response.status_code == 400
    assert (await kept_events(store, event_id), await queued_events(store, event_id)) == (0, 0)


async def test_a_body_changed_after_signing_is_refused(
    client: httpx.AsyncClient, store: GatewayStore
) -> None:
    event_id = new_event_id()
    body = event_body(event_id)
    signed = signature_header(SECRET, int(time.time()), body)

    response = await client.post(
        WEBHOOK_PATH,
        content=body.replace(b"debit.returned", b"debit.settled"),
        headers={SIGNATURE_HEADER: signed},
    )

    assert response.status_code == 400
    assert await kept_events(store, event_id) == 0


async def test_no_signature_header_is_refused(
    client: httpx.AsyncClient, store: GatewayStore
) -> None:
    event_id = new_event_id()

    response = await client.post(WEBHOOK_PATH, content=event_body(event_id))

    assert response.status_code == 400
    assert await kept_events(store, event_id) == 0


async def test_a_body_over_the_limit_is_refused_unread(
    client: httpx.AsyncClient, store: GatewayStore
) -> None:
    event_id = new_event_id()
    event = json.loads(event_body(event_id))
    event["data"]["padding"] = "x" * MAX_BODY_BYTES
    body = json.dumps(event).encode()

    response = await post(client, body)

    assert response.status_code == 413
    assert await kept_events(store, event_id) == 0


async def test_without_a_secret_every_event_is_refused(store: GatewayStore) -> None:
    app = Starlette(routes=[payments_webhook_route(secret=None, store=lambda: store)])
    event_id = new_event_id()
    body = event_body(event_id)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gw"
    ) as http:
        response = await post(http, body)

    assert response.status_code == 503
    assert await kept_events(store, event_id) == 0


async def test_an_event_about_no_object_is_kept_for_the_record(
    client: httpx.AsyncClient, store: GatewayStore
) -> None:
    event_id = new_event_id()
    body = json.dumps(
        {"id": event_id, "type": "account.updated", "created": int(time.time()), "data": {}}
    ).encode()

    response = await post(client, body)

    assert response.status_code == 200
    assert await kept_events(store, event_id) == 1


async def test_an_event_id_longer_than_the_processors_is_refused(
    client: httpx.AsyncClient, store: GatewayStore
) -> None:
    event_id = "evt_" + "x" * 80

    response = await post(client, event_body(event_id))

    assert response.status_code == 400
    assert await kept_events(store, event_id) == 0
