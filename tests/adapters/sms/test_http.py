"""The HTTP adapter's wire details and error mapping, over httpx's MockTransport."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import httpx
import pytest

from adapters.sms.http import HttpSmsSender, SmsEndpoint
from adapters.sms.port import (
    MessageStatus,
    RejectReason,
    SmsError,
    SmsNotFound,
    SmsOutcomeUnknown,
    SmsRejected,
    SmsUnavailable,
)

SID = "AC42"
TOKEN = "very-secret-token"
ENDPOINT = SmsEndpoint(
    base_url="https://sms.example/", account_sid=SID, auth_token=TOKEN, from_number="+15005550100"
)
MESSAGE = {
    "sid": "SM1",
    "to": "+15055550142",
    "from": "+15005550100",
    "body": "Hi",
    "status": "queued",
    "num_segments": 1,
    "idempotency_key": "k-1",
    "error_code": None,
}


def sender(handle: Callable[[httpx.Request], httpx.Response]) -> HttpSmsSender:
    return HttpSmsSender(ENDPOINT, transport=httpx.MockTransport(handle))


async def send(handle: Callable[[httpx.Request], httpx.Response]) -> None:
    await sender(handle).send(to="+15055550142", body="Hi", idempotency_key="k-1")


async def test_a_send_posts_json_with_basic_auth_and_the_key() -> None:
    seen: list[httpx.Request] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json=MESSAGE)

    message = await sender(handle).send(
        to="+15055550142", body="Hi", idempotency_key="k-1", status_callback_url="https://g/cb"
    )

    [request] = seen
    assert request.url == "https://sms.example/v1/Accounts/AC42/Messages"
    assert request.headers["Idempotency-Key"] == "k-1"
    assert (
        request.headers["Authorization"]
        == "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
    )
    assert json.loads(request.content) == {
        "to": "+15055550142",
        "from": "+15005550100",
        "body": "Hi",
        "status_callback": "https://g/cb",
    }
    assert (message.id, message.status, message.segments) == ("SM1", MessageStatus.QUEUED, 1)


async def test_find_by_key_asks_the_list_and_answers_none_for_nothing() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        key = request.url.params["idempotency_key"]
        return httpx.Response(200, json={"messages": [MESSAGE] if key == "k-1" else []})

    found = await sender(handle).find_by_key("k-1")

    assert found is not None
    assert found.id == "SM1"
    assert await sender(handle).find_by_key("k-2") is None


@pytest.mark.parametrize("reason", list(RejectReason))
async def test_a_refusal_carries_its_reason(reason: RejectReason) -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": {"code": reason.value, "message": "no"}})

    with pytest.raises(SmsRejected) as refused:
        await send(handle)

    assert refused.value.reason is reason


@pytest.mark.parametrize(
    ("handle", "error"),
    [
        (lambda r: httpx.Response(503, json={}), SmsUnavailable),
        (lambda r: httpx.Response(500, json={}), SmsOutcomeUnknown),
        (lambda r: httpx.Response(502, text="bad gateway"), SmsOutcomeUnknown),
        (lambda r: httpx.Response(401, json={}), SmsUnavailable),
        (lambda r: httpx.Response(400, json={"error": {"code": "odd"}}), SmsUnavailable),
        (lambda r: httpx.Response(201, text="not json"), SmsUnavailable),
    ],
    ids=["503", "500", "502", "401", "unknown-400", "not-json"],
)
async def test_status_codes_map_to_the_port_errors(
    handle: Callable[[httpx.Request], httpx.Response], error: type[SmsError]
) -> None:
    with pytest.raises(error):
        await send(handle)


def raising(exception: Exception) -> Callable[[httpx.Request], httpx.Response]:
    def handle(request: httpx.Request) -> httpx.Response:
        raise exception

    return handle


async def test_a_send_never_made_is_unavailable_and_one_unanswered_is_unknown() -> None:
    with pytest.raises(SmsUnavailable):
        await send(raising(httpx.ConnectError("refused")))
    with pytest.raises(SmsOutcomeUnknown) as lost:
        await send(raising(httpx.ReadError("reset")))
    assert lost.value.idempotency_key == "k-1"


async def test_a_read_that_gets_no_answer_is_unavailable() -> None:
    with pytest.raises(SmsUnavailable):
        await sender(raising(httpx.ReadError("reset"))).get_message("SM1")


async def test_an_unknown_message_is_not_found() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"error": {"code": "not_found", "message": "no SM9"}})

    with pytest.raises(SmsNotFound):
        await sender(handle).get_message("SM9")


async def test_the_token_never_shows() -> None:
    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"message": "bad"}})

    with pytest.raises(SmsUnavailable) as refused:
        await send(handle)

    assert TOKEN not in str(refused.value)
    assert TOKEN not in repr(ENDPOINT)
