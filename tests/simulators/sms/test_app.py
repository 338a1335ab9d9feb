"""The SMS stand-in over loopback: auth, idempotency, segments, signed and retried
callbacks, inbound injection, the outbox and faults."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import httpx
import pytest

from adapters.sms import sandbox
from adapters.sms.port import InboundMessage, MessageStatus, StatusUpdate
from adapters.sms.signature import verify
from simulators.server import serve_asgi
from simulators.sms.app import create_sms_app
from tests.fixtures.sms import ACCOUNT_SID, AUTH_TOKEN, TEST_CONFIG, SmsStandIn, serve_sms

MESSAGES = f"/v1/Accounts/{ACCOUNT_SID}/Messages"
MEMBER = "+15055550142"


async def post(
    stand_in: SmsStandIn, body: dict[str, str], key: str = "k-1", **headers: str
) -> httpx.Response:
    async with stand_in.client() as client:
        return await client.post(MESSAGES, json=body, headers={"Idempotency-Key": key, **headers})


@pytest.mark.parametrize(
    ("auth", "path"),
    [
        (None, MESSAGES),
        (httpx.BasicAuth(ACCOUNT_SID, "wrong"), MESSAGES),
        (httpx.BasicAuth("AC-other", AUTH_TOKEN), MESSAGES),
        (httpx.BasicAuth(ACCOUNT_SID, AUTH_TOKEN), "/v1/Accounts/AC-other/Messages"),
    ],
    ids=["none", "wrong-token", "wrong-sid", "other-account-path"],
)
async def test_the_api_wants_the_account_sid_and_token(
    sms_stand_in: SmsStandIn, auth: httpx.BasicAuth | None, path: str
) -> None:
    async with httpx.AsyncClient(base_url=sms_stand_in.url, auth=auth) as client:
        response = await client.post(
            path, json={"to": MEMBER, "body": "Hi"}, headers={"Idempotency-Key": "k"}
        )

    assert response.status_code == 401
    assert AUTH_TOKEN not in response.text
    assert sms_stand_in.app.state.store.messages == {}


async def test_a_send_needs_an_idempotency_key(sms_stand_in: SmsStandIn) -> None:
    async with sms_stand_in.client() as client:
        response = await client.post(MESSAGES, json={"to": MEMBER, "body": "Hi"})

    assert response.status_code == 400


async def test_the_same_key_answers_the_first_message_and_texts_once(
    sms_stand_in: SmsStandIn,
) -> None:
    first = await post(sms_stand_in, {"to": MEMBER, "body": "Bill ready"})
    again = await post(sms_stand_in, {"to": MEMBER, "body": "Bill ready"})

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["sid"] == first.json()["sid"]
    async with httpx.AsyncClient(base_url=sms_stand_in.url) as reader:
        outbox = (await reader.get("/outbox")).json()["messages"]
    assert [m["sid"] for m in outbox] == [first.json()["sid"]]


async def test_segments_are_counted(sms_stand_in: SmsStandIn) -> None:
    long_gsm = await post(sms_stand_in, {"to": MEMBER, "body": "a" * 161}, key="a")
    emoji = await post(sms_stand_in, {"to": MEMBER, "body": "⚡" * 71}, key="b")

    assert long_gsm.json()["num_segments"] == 2
    assert emoji.json()["num_segments"] == 2


async def test_status_callbacks_are_signed_and_retried_until_taken() -> None:
    async with serve_sms(fail_first_callbacks=2) as stand_in:
        answer = await post(
            stand_in,
            {"to": MEMBER, "body": "Hi", "status_callback": stand_in.status_callback_url},
        )
        receiver = stand_in.receiver
        callbacks = await receiver.wait_for(receiver.status, 2)

    now = datetime.now(UTC)
    updates = {verify(AUTH_TOKEN, c.signature, c.body, now=now) for c in callbacks}
    sid = answer.json()["sid"]
    assert updates == {
        StatusUpdate(message_id=sid, status=MessageStatus.SENT),
        StatusUpdate(message_id=sid, status=MessageStatus.DELIVERED),
    }
    assert receiver.attempts == 4  # two refused, then each taken


async def test_a_send_without_a_callback_url_calls_nobody(sms_stand_in: SmsStandIn) -> None:
    answer = await post(sms_stand_in, {"to": sandbox.FAILING_NUMBER, "body": "Hi"})
    sid = answer.json()["sid"]
    async with sms_stand_in.client() as client:
        for _ in range(200):
            message = (await client.get(f"{MESSAGES}/{sid}")).json()
            if message["status"] == "failed":
                break
            await asyncio.sleep(0.02)

    assert message["error_code"] == sandbox.ERROR_FAILED
    assert sms_stand_in.receiver.status == []


async def test_an_injected_inbound_text_is_posted_signed(sms_stand_in: SmsStandIn) -> None:
    answer = await sms_stand_in.test_control("/v1/_inbound", {"from": MEMBER, "body": "HELP"})
    receiver = sms_stand_in.receiver
    [inbound] = await receiver.wait_for(receiver.inbound, 1)

    received = verify(AUTH_TOKEN, inbound.signature, inbound.body, now=datetime.now(UTC))

    assert received == InboundMessage(
        id=answer["id"], from_=MEMBER, to=sandbox.FROM_NUMBER, body="HELP"
    )


async def test_inbound_injection_is_for_the_account_only(sms_stand_in: SmsStandIn) -> None:
    async with httpx.AsyncClient(base_url=sms_stand_in.url) as anyone:
        response = await anyone.post("/v1/_inbound", json={"from": MEMBER, "body": "STOP"})

    assert response.status_code == 401


async def test_the_outbox_lists_texts_newest_first_as_json_and_as_a_page(
    sms_stand_in: SmsStandIn,
) -> None:
    await post(sms_stand_in, {"to": MEMBER, "body": "first"}, key="a")
    await post(sms_stand_in, {"to": "+15055550199", "body": "<b>second</b>"}, key="b")
    await post(sms_stand_in, {"to": MEMBER, "body": "third"}, key="c")

    async with httpx.AsyncClient(base_url=sms_stand_in.url) as reader:
        data = (await reader.get("/outbox")).json()["messages"]
        page = await reader.get("/outbox.html")

    assert [m["body"] for m in data] == ["third", "<b>second</b>", "first"]
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert html.index(MEMBER) < html.index("third") < html.index("first")
    assert html.index("first") < html.index("+15055550199")
    assert "&lt;b&gt;second&lt;/b&gt;" in html
    assert "<b>second" not in html


async def test_down_answers_503_and_sends_nothing(sms_stand_in: SmsStandIn) -> None:
    await sms_stand_in.test_control("/v1/_faults", {"down": True})

    answer = await post(sms_stand_in, {"to": MEMBER, "body": "Hi"})

    assert answer.status_code == 503
    assert sms_stand_in.app.state.store.messages == {}


async def test_latency_slows_every_call(sms_stand_in: SmsStandIn) -> None:
    await sms_stand_in.test_control("/v1/_faults", {"latency_ms": 200})
    started = time.monotonic()

    await post(sms_stand_in, {"to": MEMBER, "body": "Hi"})

    assert time.monotonic() - started >= 0.2


async def test_a_dropped_answer_still_sends(sms_stand_in: SmsStandIn) -> None:
    await sms_stand_in.test_control("/v1/_faults", {"drop_next": 1})

    with pytest.raises(httpx.RemoteProtocolError):
        await post(sms_stand_in, {"to": MEMBER, "body": "Hi"})

    [message] = sms_stand_in.app.state.store.messages.values()
    assert message["idempotency_key"] == "k-1"


async def test_bad_faults_are_refused(sms_stand_in: SmsStandIn) -> None:
    async with sms_stand_in.client() as client:
        response = await client.post("/v1/_faults", json={"latency_ms": -1})

    assert response.status_code == 400


async def test_inbound_injection_needs_an_inbound_url() -> None:
    async with serve_asgi(create_sms_app(TEST_CONFIG)) as url:
        client = httpx.AsyncClient(base_url=url, auth=(ACCOUNT_SID, AUTH_TOKEN))
        async with client:
            response = await client.post("/v1/_inbound", json={"from": MEMBER, "body": "HELP"})

    assert response.status_code == 400
    assert "--inbound-url" in response.json()["error"]["message"]


async def test_the_outbox_page_replies_from_a_number_as_a_signed_inbound_text(
    sms_stand_in: SmsStandIn,
) -> None:
    await post(sms_stand_in, {"to": MEMBER, "body": "Your code is 123456"})
    async with httpx.AsyncClient(base_url=sms_stand_in.url) as person:
        page = (await person.get("/outbox.html")).text
        replied = await person.post(
            "/outbox/reply", data={"from": MEMBER, "body": "stop"}, follow_redirects=False
        )
    receiver = sms_stand_in.receiver
    [inbound] = await receiver.wait_for(receiver.inbound, 1)

    received = verify(AUTH_TOKEN, inbound.signature, inbound.body, now=datetime.now(UTC))

    assert 'action="/outbox/reply"' in page
    assert f'name="from" value="{MEMBER}"' in page
    assert replied.status_code == 303
    assert replied.headers["location"] == "/outbox.html"
    assert (received.from_, received.to, received.body) == (MEMBER, sandbox.FROM_NUMBER, "stop")


async def test_a_reply_without_a_body_is_refused_and_nothing_is_texted_in(
    sms_stand_in: SmsStandIn,
) -> None:
    async with httpx.AsyncClient(base_url=sms_stand_in.url) as person:
        response = await person.post("/outbox/reply", data={"from": MEMBER})

    assert response.status_code == 400
    assert sms_stand_in.receiver.inbound == []


async def test_the_page_offers_no_reply_where_no_reply_can_go() -> None:
    async with (
        serve_asgi(create_sms_app(TEST_CONFIG)) as url,
        httpx.AsyncClient(base_url=url) as person,
    ):
        page = (await person.get("/outbox.html")).text
        response = await person.post("/outbox/reply", data={"from": MEMBER, "body": "STOP"})

    assert "<form" not in page
    assert response.status_code == 400
