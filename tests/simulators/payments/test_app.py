"""The payment processor stand-in over HTTP: tokenization, keys, CORS, idempotency,
faults (a dropped answer over a real socket), settlement and signed webhooks.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import pytest

from adapters.payments import sandbox
from adapters.payments.webhook import verify
from tests.fixtures.payments import (
    PORTAL_ORIGIN,
    PUBLISHABLE_KEY,
    TEST_CONFIG,
    WEBHOOK_SECRET,
    PaymentsStandIn,
    serve_payments,
)

CARD = {"exp_month": 12, "exp_year": 2040, "cvc": "123", "postal_code": "87544"}
ACCOUNT = {
    "routing_number": sandbox.TEST_ROUTING_NUMBER,
    "account_type": "checking",
    "holder_name": "Dana Member",
}


async def _token(stand_in: PaymentsStandIn, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    async with stand_in.client(PUBLISHABLE_KEY) as browser:
        response = await browser.post("/v1/tokens", json=body)
    return response.status_code, response.json()


async def _card_token(stand_in: PaymentsStandIn, number: str = sandbox.APPROVED_CARD) -> str:
    status, body = await _token(stand_in, {"card": {"number": number, **CARD}})
    assert status == 200
    token: str = body["id"]
    return token


async def test_a_card_token_shows_brand_last4_and_expiry_but_never_the_number(
    payments_stand_in: PaymentsStandIn,
) -> None:
    status, body = await _token(
        payments_stand_in, {"card": {"number": "4242 4242 4242 4242", **CARD}}
    )

    assert status == 200
    assert body["id"].startswith("tok_")
    assert body["card"] == {"brand": "visa", "last4": "4242", "exp_month": 12, "exp_year": 2040}
    assert "4242424242424242" not in json.dumps(body)


@pytest.mark.parametrize(
    ("card", "field"),
    [
        ({"number": "4242424242424241"}, "number"),  # Luhn fails
        ({"number": "4242"}, "number"),
        ({"exp_month": 13}, "exp_month"),
        ({"exp_year": 2001}, "exp_year"),
        ({"cvc": "12"}, "cvc"),
        ({"postal_code": "8754"}, "postal_code"),
    ],
)
async def test_a_card_that_cannot_be_real_gets_no_token(
    payments_stand_in: PaymentsStandIn, card: dict[str, Any], field: str
) -> None:
    status, body = await _token(
        payments_stand_in, {"card": {"number": sandbox.APPROVED_CARD, **CARD, **card}}
    )

    assert status == 400
    assert body["error"]["message"].startswith(field)


async def test_a_bank_token_needs_a_routing_number_passing_the_aba_checksum(
    payments_stand_in: PaymentsStandIn,
) -> None:
    good = {**ACCOUNT, "account_number": sandbox.SETTLING_ACCOUNT}
    status, body = await _token(payments_stand_in, {"bank_account": good})
    assert status == 200
    assert body["bank_account"]["last4"] == "6789"
    assert sandbox.SETTLING_ACCOUNT not in json.dumps(body)

    bad = {**good, "routing_number": "110000001"}
    status, body = await _token(payments_stand_in, {"bank_account": bad})
    assert status == 400
    assert body["error"]["message"].startswith("routing_number")


async def test_each_key_opens_only_its_own_endpoints(payments_stand_in: PaymentsStandIn) -> None:
    card = {"card": {"number": sandbox.APPROVED_CARD, **CARD}}
    async with payments_stand_in.client() as server:
        assert (await server.post("/v1/tokens", json=card)).status_code == 401
    async with payments_stand_in.client(PUBLISHABLE_KEY) as browser:
        assert (await browser.get("/v1/charges/ch_1")).status_code == 401
        assert (await browser.post("/v1/charges", json={})).status_code == 401
    async with payments_stand_in.client("sk_test_wrong") as stranger:
        assert (await stranger.get("/v1/charges/ch_1")).status_code == 401


async def test_cors_preflight_is_answered_for_the_portal_only(
    payments_stand_in: PaymentsStandIn,
) -> None:
    def preflight(origin: str) -> dict[str, str]:
        return {
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        }

    async with payments_stand_in.client(PUBLISHABLE_KEY) as browser:
        allowed = await browser.options("/v1/tokens", headers=preflight(PORTAL_ORIGIN))
        refused = await browser.options("/v1/tokens", headers=preflight("https://evil.example"))
        posted = await browser.post(
            "/v1/tokens",
            json={"card": {"number": sandbox.APPROVED_CARD, **CARD}},
            headers={"Origin": PORTAL_ORIGIN},
        )

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == PORTAL_ORIGIN
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers
    assert posted.headers["access-control-allow-origin"] == PORTAL_ORIGIN


async def test_an_idempotency_key_answers_the_first_result_and_refuses_another_body(
    payments_stand_in: PaymentsStandIn,
) -> None:
    declined = await _card_token(payments_stand_in, sandbox.DECLINED_CARD)
    body = {"amount": 1230, "currency": "usd", "source": declined, "reference": "P-1"}
    async with payments_stand_in.client() as server:
        missing = await server.post("/v1/charges", json=body)
        first = await server.post("/v1/charges", json=body, headers={"Idempotency-Key": "k1"})
        again = await server.post("/v1/charges", json=body, headers={"Idempotency-Key": "k1"})
        other = await server.post(
            "/v1/charges", json={**body, "amount": 1231}, headers={"Idempotency-Key": "k1"}
        )
        listed = await server.get("/v1/charges", params={"reference": "P-1"})

    assert missing.status_code == 400
    assert (first.status_code, again.status_code) == (402, 402)
    assert again.json() == first.json()
    assert first.json()["error"]["code"] == "card_declined"
    assert other.status_code == 409
    assert other.json()["error"]["type"] == "idempotency_error"
    assert len(listed.json()["data"]) == 1


@pytest.mark.parametrize("amount", ["12.30", 12.3, 0, -100, True])
async def test_amounts_are_positive_integer_cents(
    payments_stand_in: PaymentsStandIn, amount: object
) -> None:
    token = await _card_token(payments_stand_in)
    body = {"amount": amount, "currency": "usd", "source": token, "reference": "P-2"}
    async with payments_stand_in.client() as server:
        response = await server.post("/v1/charges", json=body, headers={"Idempotency-Key": "k2"})

    assert response.status_code == 400
    assert response.json()["error"]["message"].startswith("amount")


async def test_a_dropped_answer_still_charged_and_the_charge_is_found_by_reference(
    payments_stand_in: PaymentsStandIn,
) -> None:
    token = await _card_token(payments_stand_in)
    await payments_stand_in.test_control("/v1/_faults", {"drop_next": 1})
    body = json.dumps(
        {"amount": 4200, "currency": "usd", "source": token, "reference": "P-3"}
    ).encode()
    address = urlsplit(payments_stand_in.url)
    assert address.hostname is not None
    assert address.port is not None

    reader, writer = await asyncio.open_connection(address.hostname, address.port)
    writer.write(
        b"POST /v1/charges HTTP/1.1\r\nHost: payments\r\n"
        + f"Authorization: Bearer {TEST_CONFIG.secret_key}\r\n".encode()
        + b"Idempotency-Key: k3\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(body)}\r\n\r\n".encode()
        + body
    )
    await writer.drain()
    async with asyncio.timeout(5):
        received = await reader.read()  # until the server closes the connection
    writer.close()

    head, _, rest = received.partition(b"\r\n\r\n")
    declared = next(
        int(line.split(b":")[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length")
    )
    assert len(rest) < declared  # the answer never arrived whole
    async with payments_stand_in.client() as server:
        listed = (await server.get("/v1/charges", params={"reference": "P-3"})).json()["data"]
        retried = await server.post("/v1/charges", content=body, headers={"Idempotency-Key": "k3"})
    assert [(c["status"], c["amount"]) for c in listed] == [("succeeded", 4200)]
    assert retried.status_code == 200
    assert retried.json()["id"] == listed[0]["id"]


async def test_a_processor_that_is_down_answers_503_and_moves_nothing(
    payments_stand_in: PaymentsStandIn,
) -> None:
    token = await _card_token(payments_stand_in)
    await payments_stand_in.test_control("/v1/_faults", {"down": True})
    body = {"amount": 100, "currency": "usd", "source": token, "reference": "P-4"}
    async with payments_stand_in.client() as server:
        down = await server.post("/v1/charges", json=body, headers={"Idempotency-Key": "k4"})
        await payments_stand_in.test_control("/v1/_faults", {"down": False})
        up = await server.post("/v1/charges", json=body, headers={"Idempotency-Key": "k4"})

    assert down.status_code == 503
    assert up.status_code == 200


async def test_debits_settle_on_their_own_as_time_passes() -> None:
    config = replace(TEST_CONFIG, settle_after_s=0.2, return_after_s=0.2)
    async with serve_payments(config) as stand_in:
        status, token = await _token(
            stand_in,
            {"bank_account": {**ACCOUNT, "account_number": sandbox.RETURNED_R02_ACCOUNT}},
        )
        assert status == 200
        body = {"amount": 5000, "currency": "usd", "source": token["id"], "reference": "P-5"}
        async with stand_in.client() as server:
            debit = await server.post("/v1/debits", json=body, headers={"Idempotency-Key": "k5"})
            assert debit.json()["status"] == "pending"
            webhooks = await stand_in.webhooks.wait_for(2)
            final = (await server.get(f"/v1/debits/{debit.json()['id']}")).json()

    assert [json.loads(w.body)["type"] for w in webhooks] == ["debit.settled", "debit.returned"]
    assert (final["status"], final["return_code"]) == ("returned", "R02")


async def test_webhooks_are_signed_and_retried_until_accepted() -> None:
    async with serve_payments(fail_first_webhooks=2) as stand_in:
        token = await _card_token(stand_in)
        async with stand_in.client() as server:
            charge = await server.post(
                "/v1/charges",
                json={"amount": 900, "currency": "usd", "source": token, "reference": "P-6"},
                headers={"Idempotency-Key": "k6"},
            )
            refund = await server.post(
                "/v1/refunds",
                json={"payment": charge.json()["id"], "amount": 900, "reference": "R-6"},
                headers={"Idempotency-Key": "k7"},
            )
        [webhook] = await stand_in.webhooks.wait_for(1)

    assert refund.status_code == 200
    assert stand_in.webhooks.attempts == 3
    event = verify(WEBHOOK_SECRET, webhook.signature, webhook.body, now=datetime.now(UTC))
    assert event.type == "charge.refunded"
    assert event.object_id == charge.json()["id"]
    assert event.data["amount_refunded"] == 900


async def test_faults_are_checked_and_served_in_test_mode_only() -> None:
    async with serve_payments() as stand_in, stand_in.client() as server:
        refused = await server.post("/v1/_faults", json={"latency_ms": -1})
        slow = await server.post("/v1/_faults", json={"latency_ms": 5})
    async with serve_payments(replace(TEST_CONFIG, test_mode=False)) as live, live.client() as api:
        hidden = await api.post("/v1/_faults", json={"down": True})
        clock = await api.post("/v1/_clock", json={"advance_s": 60})

    assert refused.status_code == 400
    assert slow.json() == {"latency_ms": 5.0, "down": False, "drop_next": 0}
    assert (hidden.status_code, clock.status_code) == (404, 404)
