"""The payment processor stand-in: a JSON API over HTTP shaped like the common processors'.

    POST   /v1/tokens                  card or bank account from the browser (publishable key, CORS)
    POST   /v1/payment_methods         a reusable method from a token, for a customer
    GET    /v1/payment_methods?customer=...   a customer's methods
    GET    /v1/payment_methods/{id}    DELETE too
    POST   /v1/charges                 card payments: succeeded (200) or declined (402)
    POST   /v1/debits                  bank (ACH WEB) debits: pending, then settled or returned
    POST   /v1/refunds
    GET    /v1/charges/{id}, /v1/debits/{id}, /v1/charges?reference=..., /v1/debits?reference=...
    POST   /v1/_faults, /v1/_clock     test mode only: switch faults, move the clock on

Everything but tokenization takes the secret key (`Authorization: Bearer sk_...`);
calls that move money take an `Idempotency-Key` header. Amounts are integer cents.
State is kept in memory and lost when the process stops.
"""

from __future__ import annotations

import asyncio
import hmac
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from simulators.faults import Faults
from simulators.payments.clock import SimulatedClock
from simulators.payments.store import ApiError, Json, PaymentStore, fingerprint, invalid
from simulators.payments.webhooks import Delivery, WebhookSender

Key = Literal["secret", "publishable"]
Handler = Callable[[Request], Awaitable[Response]]


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentsStandInConfig:
    secret_key: str = field(repr=False)  # sk_test_...
    publishable_key: str  # pk_test_...: the browser's, not a secret
    webhook_url: str | None = None
    webhook_secret: str = field(repr=False, default="")
    allowed_origins: tuple[str, ...] = ()  # the member portal's, for tokenization
    settle_after_s: float = 60.0
    return_after_s: float = 60.0
    latency_ms: float = 0.0
    test_mode: bool = True  # serves /v1/_faults and /v1/_clock
    webhook_retry_base_s: float = 1.0
    webhook_max_attempts: int = 8
    tick_s: float = 0.5  # how often due debits are settled


class LostAnswer(Response):
    """The status line and headers of an answer whose body never comes.

    ASGI cannot close a connection outright; returning with the body still owed makes
    the server (uvicorn) close it, so the caller sees a connection dropped mid-answer
    and never learns what happened.
    """

    def __init__(self) -> None:
        super().__init__(status_code=200, media_type="application/json")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"512")],
            }
        )


def create_payments_app(
    config: PaymentsStandInConfig, *, clock: SimulatedClock | None = None
) -> Starlette:
    clock = clock or SimulatedClock()
    store = PaymentStore(
        now=clock.now,
        settle_after=timedelta(seconds=config.settle_after_s),
        return_after=timedelta(seconds=config.return_after_s),
    )
    faults = Faults(latency_ms=config.latency_ms)
    sender = WebhookSender(
        None
        if config.webhook_url is None
        else Delivery(
            url=config.webhook_url,
            secret=config.webhook_secret,
            retry_base_s=config.webhook_retry_base_s,
            max_attempts=config.webhook_max_attempts,
        )
    )
    sent = 0

    def flush() -> None:
        nonlocal sent
        for event in store.events[sent:]:
            sender.send(event)
        sent = len(store.events)

    def api(key: Key, handle: Callable[[Request], Awaitable[tuple[int, Json]]]) -> Handler:
        async def endpoint(request: Request) -> Response:
            if faults.latency_ms > 0:
                await asyncio.sleep(faults.latency_ms / 1000)
            if faults.down:
                return _error(ApiError(503, "api_error", "the processor is unavailable"))
            expected = config.secret_key if key == "secret" else config.publishable_key
            if not _bearer_is(request, expected):
                return _error(ApiError(401, "authentication_error", f"a valid {key} key, please"))
            try:
                status, body = await handle(request)
            except ApiError as error:
                return _error(error)
            return JSONResponse(body, status_code=status)

        return endpoint

    def moving_money(act: Callable[[Json], tuple[int, Json]]) -> Handler:
        async def handle(request: Request) -> tuple[int, Json]:
            body = await _body(request)
            key = request.headers.get("idempotency-key", "")
            answer = store.once(key, fingerprint(request.url.path, body), lambda: act(body))
            flush()
            return answer

        async def endpoint(request: Request) -> Response:
            response = await inner(request)
            if response.status_code in (200, 402) and faults.take_drop():
                return LostAnswer()
            return response

        inner = api("secret", handle)
        return endpoint

    async def tokens(request: Request) -> tuple[int, Json]:
        return 200, store.tokenize(await _body(request))

    async def create_method(request: Request) -> tuple[int, Json]:
        return 200, store.create_method(await _body(request))

    async def methods_of(request: Request) -> tuple[int, Json]:
        customer = request.query_params.get("customer")
        if not customer:
            raise invalid("customer: required (GET /v1/payment_methods?customer=...)")
        return 200, {"object": "list", "data": store.methods_of(customer)}

    async def method(request: Request) -> tuple[int, Json]:
        method_id = request.path_params["id"]
        if request.method == "DELETE":
            return 200, store.delete_method(method_id)
        return 200, store.method(method_id)

    def listing(kind: str) -> Callable[[Request], Awaitable[tuple[int, Json]]]:
        async def handle(request: Request) -> tuple[int, Json]:
            reference = request.query_params.get("reference")
            if not reference:
                raise invalid("reference: required (GET /v1/{kind}?reference=...)")
            return 200, {"object": "list", "data": store.by_reference(kind, reference)}

        return handle

    def one(kind: str) -> Callable[[Request], Awaitable[tuple[int, Json]]]:
        async def handle(request: Request) -> tuple[int, Json]:
            return 200, store.lookup(kind, request.path_params["id"])

        return handle

    async def set_faults(request: Request) -> tuple[int, Json]:
        try:
            faults.update(await _body(request))
        except ValueError as error:
            raise invalid(str(error)) from None
        return 200, faults.as_json()

    async def advance_clock(request: Request) -> tuple[int, Json]:
        seconds = (await _body(request)).get("advance_s")
        if isinstance(seconds, bool) or not isinstance(seconds, int | float) or seconds < 0:
            raise invalid("advance_s: a number of seconds, at least 0")
        clock.advance(timedelta(seconds=seconds))
        store.progress()
        flush()
        return 200, {"now": clock.now().timestamp()}

    routes = [
        Route("/v1/tokens", api("publishable", tokens), methods=["POST"]),
        Route("/v1/payment_methods", api("secret", create_method), methods=["POST"]),
        Route("/v1/payment_methods", api("secret", methods_of), methods=["GET"]),
        Route("/v1/payment_methods/{id}", api("secret", method), methods=["GET", "DELETE"]),
        Route("/v1/charges", moving_money(store.charge), methods=["POST"]),
        Route("/v1/charges", api("secret", listing("charges")), methods=["GET"]),
        Route("/v1/charges/{id}", api("secret", one("charges")), methods=["GET"]),
        Route("/v1/debits", moving_money(store.debit), methods=["POST"]),
        Route("/v1/debits", api("secret", listing("debits")), methods=["GET"]),
        Route("/v1/debits/{id}", api("secret", one("debits")), methods=["GET"]),
        Route("/v1/refunds", moving_money(store.refund), methods=["POST"]),
    ]
    if config.test_mode:
        # Not behind `api`: a test must be able to switch `down` off again.
        routes += [
            Route("/v1/_faults", _test_only(config, set_faults), methods=["POST"]),
            Route("/v1/_clock", _test_only(config, advance_clock), methods=["POST"]),
        ]

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async def tick() -> None:
            while True:
                await asyncio.sleep(config.tick_s)
                store.progress()
                flush()

        ticker = asyncio.create_task(tick())
        try:
            yield
        finally:
            ticker.cancel()
            await asyncio.gather(ticker, return_exceptions=True)
            await sender.aclose()

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=list(config.allowed_origins),
                allow_methods=["POST"],
                allow_headers=["Authorization", "Content-Type"],
                max_age=600,
            )
        ],
    )
    app.state.store = store
    app.state.clock = clock
    app.state.faults = faults
    app.state.webhooks = sender
    return app


def _test_only(
    config: PaymentsStandInConfig, handle: Callable[[Request], Awaitable[tuple[int, Json]]]
) -> Handler:
    async def endpoint(request: Request) -> Response:
        if not _bearer_is(request, config.secret_key):
            return _error(ApiError(401, "authentication_error", "a valid secret key, please"))
        try:
            status, body = await handle(request)
        except ApiError as error:
            return _error(error)
        return JSONResponse(body, status_code=status)

    return endpoint


def _bearer_is(request: Request, key: str) -> bool:
    supplied = request.headers.get("authorization", "")
    return bool(key) and hmac.compare_digest(supplied.encode(), f"Bearer {key}".encode())


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
