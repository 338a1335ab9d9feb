"""The SMS provider stand-in: a Messages API over HTTP shaped like the common providers'.

    POST /v1/Accounts/{sid}/Messages        send: JSON {to, from?, body, status_callback?}
                                            and an Idempotency-Key header; 201, or 200
                                            with the message the key already names
    GET  /v1/Accounts/{sid}/Messages        ?idempotency_key=...&to=...: newest first
    GET  /v1/Accounts/{sid}/Messages/{id}
    POST /v1/_inbound, /v1/_faults          test mode only: a member's text, faults
    GET  /outbox, /outbox.html              every text sent, newest first, to read
    POST /outbox/reply                      test mode only: the page's reply form

The API takes HTTP basic auth, the account SID and auth token, and answers 401
otherwise; the outbox is open, as the stand-in serves loopback only. Status callbacks
and inbound texts are POSTed as JSON signed with the auth token and retried until
taken. The sandbox's numbers (`adapters.sms.sandbox`) are refused, fail or go
undelivered. State is kept in memory and lost when the process stops.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hmac
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from adapters.sms.port import InboundMessage
from adapters.sms.signature import inbound_json, status_callback_json
from simulators.faults import Faults
from simulators.sms.callbacks import CallbackSender, Retries
from simulators.sms.outbox_page import render_outbox
from simulators.sms.store import ApiError, Json, MessageStore, invalid

Handler = Callable[[Request], Awaitable[Response]]
Act = Callable[[Request], Awaitable[tuple[int, Json]]]


@dataclass(frozen=True, slots=True, kw_only=True)
class SmsStandInConfig:
    account_sid: str  # AC...
    auth_token: str = field(repr=False)  # also signs callbacks
    from_number: str  # E.164: the co-op's number, when a send names none
    status_callback_url: str | None = None  # when a send names none
    inbound_url: str | None = None  # where members' texts are POSTed
    step_s: float = 1.0  # queued -> sent -> delivered, one step each
    latency_ms: float = 0.0
    test_mode: bool = True  # serves /v1/_inbound and /v1/_faults
    callback_retry_base_s: float = 1.0
    callback_max_attempts: int = 8
    tick_s: float = 0.2  # how often due steps are taken


class LostAnswer(Response):
    """The status line and headers of an answer whose body never comes.

    ASGI cannot close a connection outright; returning with the body still owed makes
    uvicorn close it, so the caller sees a connection dropped mid-answer.
    """

    def __init__(self) -> None:
        super().__init__(status_code=201, media_type="application/json")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 201,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"512")],
            }
        )


def create_sms_app(config: SmsStandInConfig) -> Starlette:
    store = MessageStore(
        account_sid=config.account_sid,
        now=lambda: datetime.now(UTC),
        step=timedelta(seconds=config.step_s),
    )
    faults = Faults(latency_ms=config.latency_ms)
    sender = CallbackSender(
        Retries(
            secret=config.auth_token,
            retry_base_s=config.callback_retry_base_s,
            max_attempts=config.callback_max_attempts,
        )
    )

    def progress() -> None:
        for due in store.progress():
            sender.send(due.url, status_callback_json(due.update))

    def api(act: Act) -> Handler:
        async def endpoint(request: Request) -> Response:
            if faults.latency_ms > 0:
                await asyncio.sleep(faults.latency_ms / 1000)
            if faults.down:
                return _error(ApiError(503, "unavailable", "the provider is unavailable"))
            return await _authorized(config, request, act)

        return endpoint

    async def send(request: Request) -> tuple[int, Json]:
        status, message = store.send(
            await _body(request),
            idempotency_key=request.headers.get("idempotency-key", ""),
            default_from=config.from_number,
            default_callback=config.status_callback_url,
        )
        progress()
        return status, message

    async def send_endpoint(request: Request) -> Response:
        response = await inner_send(request)
        if response.status_code in (200, 201) and faults.take_drop():
            return LostAnswer()
        return response

    inner_send = api(send)

    async def listing(request: Request) -> tuple[int, Json]:
        found = store.find(
            idempotency_key=request.query_params.get("idempotency_key"),
            to=request.query_params.get("to"),
        )
        return 200, {"messages": found}

    async def one(request: Request) -> tuple[int, Json]:
        return 200, store.get(request.path_params["id"])

    def text_in(fields: Json) -> Json:
        """A member's text to the co-op, POSTed signed to the inbound URL."""
        sender_number, text = fields.get("from"), fields.get("body")
        to = fields.get("to", config.from_number)
        if not all(isinstance(value, str) for value in (sender_number, text, to)):
            raise invalid("from, to and body: strings")
        if config.inbound_url is None:
            raise invalid("no inbound URL is configured (--inbound-url)")
        message = InboundMessage(
            id=store.new_id(),
            from_=str(sender_number),
            to=str(to),
            body=str(text),
        )
        payload = inbound_json(message)
        sender.send(config.inbound_url, payload)
        return payload

    async def inbound(request: Request) -> tuple[int, Json]:
        return 202, text_in(await _body(request))

    async def reply_from_page(request: Request) -> Response:
        """The outbox page's reply form: a person texting back (STOP, HELP) in the demo.

        Open like the page, as the stand-in serves loopback only, and in test mode only.
        """
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        try:
            text_in({name: values[0] for name, values in form.items()})
        except ApiError as error:
            return _error(error)
        return RedirectResponse("/outbox.html", status_code=303)

    async def set_faults(request: Request) -> tuple[int, Json]:
        try:
            faults.update(await _body(request))
        except ValueError as error:
            raise invalid(str(error)) from None
        return 200, faults.as_json()

    async def outbox(request: Request) -> Response:
        return JSONResponse({"messages": store.find(idempotency_key=None, to=None)})

    async def outbox_page(request: Request) -> Response:
        return HTMLResponse(
            render_outbox(store.find(idempotency_key=None, to=None), reply_action=reply_action)
        )

    # The page offers a reply form only where a reply can go somewhere.
    reply_action = "/outbox/reply" if config.test_mode and config.inbound_url else None

    messages = "/v1/Accounts/{sid}/Messages"
    routes = [
        Route(messages, send_endpoint, methods=["POST"]),
        Route(messages, api(listing), methods=["GET"]),
        Route(messages + "/{id}", api(one), methods=["GET"]),
        Route("/outbox", outbox, methods=["GET"]),
        Route("/outbox.html", outbox_page, methods=["GET"]),
    ]
    if config.test_mode:
        # Not behind `api`'s faults: a test must be able to switch `down` off again.
        routes += [
            Route("/v1/_inbound", _test_only(config, inbound), methods=["POST"]),
            Route("/v1/_faults", _test_only(config, set_faults), methods=["POST"]),
            Route("/outbox/reply", reply_from_page, methods=["POST"]),
        ]

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async def tick() -> None:
            while True:
                await asyncio.sleep(config.tick_s)
                progress()

        ticker = asyncio.create_task(tick())
        try:
            yield
        finally:
            ticker.cancel()
            await asyncio.gather(ticker, return_exceptions=True)
            await sender.aclose()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.store = store
    app.state.faults = faults
    app.state.callbacks = sender
    return app


def _test_only(config: SmsStandInConfig, act: Act) -> Handler:
    async def endpoint(request: Request) -> Response:
        return await _authorized(config, request, act)

    return endpoint


async def _authorized(config: SmsStandInConfig, request: Request, act: Act) -> Response:
    sid = request.path_params.get("sid", config.account_sid)
    if sid != config.account_sid or not _basic_auth_is(request, config):
        return _error(ApiError(401, "unauthorized", "the account SID and auth token, please"))
    try:
        status, body = await act(request)
    except ApiError as error:
        return _error(error)
    return JSONResponse(body, status_code=status)


def _basic_auth_is(request: Request, config: SmsStandInConfig) -> bool:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        supplied = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return False
    expected = f"{config.account_sid}:{config.auth_token}".encode()
    return bool(config.auth_token) and hmac.compare_digest(supplied, expected)


async def _body(request: Request) -> Json:
    try:
        body: Any = json.loads(await request.body() or b"{}")
    except ValueError:
        raise invalid("the body must be JSON") from None
    if not isinstance(body, dict):
        raise invalid("the body must be a JSON object")
    return body


def _error(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body, status_code=error.status)
