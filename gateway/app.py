"""The one place the gateway is wired together: settings in, a Starlette app out.

Nothing is opened at import time or in `create_app`: the lifespan opens the store
and (unless given) the real adapters and the cache when the server starts, and closes
what it opened when the server stops. The adapters are wrapped once, here, so that
every call to them is counted in the metrics served at `/metrics`.

With the cache on, a background task follows the CIS's change feed and drops what
the CIS changed from the cache (`gateway.cache.refresher`; `cis_change_poll_s`).

`/readyz` reports the cache (`"cache": "up" | "down" | "off"`) but does not depend on
it: with Redis down the gateway still serves, from the backends.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.email.port import EmailSender
from adapters.errors import AdapterError
from gateway.auth.throttle import LoginThrottle, ThrottleLimits
from gateway.auth.tokens import TokenIssuer
from gateway.auth.viewer import authenticate
from gateway.backends import Adapters
from gateway.cache import create_cache
from gateway.cache.near import NearCache, WithNearCache
from gateway.cache.port import Cache, CacheUnavailable
from gateway.cache.refresher import CisChangeRefresher
from gateway.context import GatewayContext, create_context
from gateway.http import GraphQLEndpoint
from gateway.instrumented import instrument
from gateway.metrics import CONTENT_TYPE, GatewayMetrics
from gateway.runtime import tune_garbage_collector
from gateway.schema import schema
from gateway.settings import GatewaySettings
from gateway.store.members import GatewayStore
from gateway.store.open import open_store

__all__ = ["Adapters", "create_app", "create_app_from_environment"]

logger = logging.getLogger("gateway.app")

READINESS_TIMEOUT_S = 5.0


@dataclass(slots=True)
class _Running:
    adapters: Adapters
    store: GatewayStore
    tokens: TokenIssuer
    cache: Cache | None
    login_throttle: LoginThrottle
    email: EmailSender


async def open_real_adapters(settings: GatewaySettings, stack: AsyncExitStack) -> Adapters:
    """The SOAP and SQL adapters named by the settings (closed when `stack` closes)."""
    from adapters.cis.soap import SoapCis
    from adapters.meters.sql import SqlMeterData
    from adapters.multispeak import MultiSpeakEndpoint
    from adapters.oms.soap import SoapOms

    def endpoint(url: str, user: str, password: str, timeout_s: float) -> MultiSpeakEndpoint:
        return MultiSpeakEndpoint(
            url=url,
            user_id=user,
            password=password,
            app_name=settings.multispeak_app_name,
            company=settings.multispeak_company,
            timeout_s=timeout_s,
        )

    cis = await SoapCis.create(
        endpoint=endpoint(
            settings.cis_url,
            settings.cis_user.get_secret_value(),
            settings.cis_password.get_secret_value(),
            settings.cis_timeout_s,
        )
    )
    stack.push_async_callback(cis.aclose)
    oms = await SoapOms.create(
        endpoint=endpoint(
            settings.oms_url,
            settings.oms_user.get_secret_value(),
            settings.oms_password.get_secret_value(),
            settings.oms_timeout_s,
        )
    )
    stack.push_async_callback(oms.aclose)
    meters = SqlMeterData.from_url(settings.meters_database_url)
    stack.push_async_callback(meters.aclose)
    return Adapters(cis=cis, oms=oms, meters=meters)


def open_cache(settings: GatewaySettings, stack: AsyncExitStack) -> Cache | None:
    """The shared cache the settings ask for, or None when it is switched off."""
    if not settings.cache_enabled:
        return None
    url = settings.redis_url.get_secret_value() if settings.redis_url else None
    cache: Cache = create_cache(url, redis_timeout_s=settings.redis_timeout_s)
    if settings.cache_near_ttl_s > 0:
        cache = WithNearCache(cache, NearCache(ttl_s=settings.cache_near_ttl_s))
    stack.push_async_callback(cache.aclose)
    return cache


def open_email_sender(settings: GatewaySettings, stack: AsyncExitStack) -> EmailSender:
    """SMTP when a host is set; otherwise every message becomes a file in `outbox_dir`."""
    from adapters.email.directory import DirectoryEmailSender
    from adapters.email.smtp import SmtpEmailSender, SmtpSettings

    sender: EmailSender
    if settings.smtp_host is None:
        logger.info("no SMTP host set: emails are written to %s", settings.outbox_dir)
        sender = DirectoryEmailSender(settings.outbox_dir, sender=settings.mail_from)
    else:
        password = settings.smtp_password
        sender = SmtpEmailSender(
            SmtpSettings(
                host=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_user,
                password=password.get_secret_value() if password else None,
                start_tls=settings.smtp_starttls,
                sender=settings.mail_from,
            )
        )
    stack.push_async_callback(sender.aclose)
    return sender


def create_app(
    settings: GatewaySettings, adapters: Adapters | None = None, cache: Cache | None = None
) -> Starlette:
    """The gateway as an ASGI app; `adapters` and `cache` given are used as they are and
    not closed (a `cache` only while `settings.cache_enabled`)."""
    running: _Running | None = None
    metrics = GatewayMetrics(multiprocess_dir=settings.prometheus_multiproc_dir)

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        nonlocal running
        async with AsyncExitStack() as stack:
            store = open_store(settings.database_url)
            stack.push_async_callback(store.aclose)
            backends = instrument(adapters or await open_real_adapters(settings, stack), metrics)
            tokens = TokenIssuer(
                settings.jwt_secret,
                ttl=settings.access_token_ttl,
                refresh_ttl=settings.refresh_token_ttl,
                session_max_age=settings.session_max_age,
            )
            throttle = LoginThrottle(
                store,
                ThrottleLimits(
                    failures_per_email=settings.login_failures_per_email,
                    failures_per_address=settings.login_failures_per_address,
                    window=settings.login_throttle_window,
                ),
            )
            if cache is None:
                shared = open_cache(settings, stack)
            else:
                shared = cache if settings.cache_enabled else None
            if shared is not None and settings.cis_change_poll_s > 0:
                refresher = CisChangeRefresher(
                    backends.cis, shared, interval_s=settings.cis_change_poll_s, stats=metrics
                )
                refresher.start()
                # Stopped before the adapters and the cache it uses are closed.
                stack.push_async_callback(refresher.stop)
            email = open_email_sender(settings, stack)
            running = _Running(backends, store, tokens, shared, throttle, email)
            try:
                yield
            finally:
                running = None

    def current() -> _Running:
        if running is None:
            raise RuntimeError("the gateway is not running (its lifespan has not started)")
        return running

    async def context(request: Request, request_id: str) -> GatewayContext:
        now = current()
        return create_context(
            adapters=now.adapters,
            store=now.store,
            tokens=now.tokens,
            zone=settings.zone,
            authentication=authenticate(request.headers.get("authorization"), now.tokens),
            request_id=request_id,
            client_address=request.client.host if request.client else None,
            user_agent=request.headers.get("user-agent"),
            cache=now.cache,
            batching=settings.batching_enabled,
            cache_stats=metrics,
            login_throttle=now.login_throttle,
            email=now.email,
            public_base_url=settings.public_base_url,
        )

    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> JSONResponse:
        now = current()
        checks: dict[str, Callable[[], Awaitable[object]]] = {
            "cis": now.adapters.cis.get_methods,
            "oms": now.adapters.oms.get_methods,
            "meters": now.adapters.meters.ping,
            "gateway_store": now.store.ping,
        }
        answers, cache_state = await asyncio.gather(
            asyncio.gather(*(_answers(name, check) for name, check in checks.items())),
            _cache_state(now.cache),
        )
        systems = dict(zip(checks, answers, strict=True))
        down = sorted(name for name, ok in systems.items() if not ok)
        body = {
            "status": "unavailable" if down else "ready",
            "systems": {name: "up" if ok else "down" for name, ok in systems.items()},
            "cache": cache_state,
        }
        return JSONResponse(body, status_code=503 if down else 200)

    async def metrics_text(_: Request) -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    graphql = GraphQLEndpoint(schema=schema, context=context, metrics=metrics)
    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "Content-Type", "Accept"],
                max_age=600,
            )
        )
    return Starlette(
        debug=settings.debug,
        routes=[
            Route("/graphql", graphql.handle, methods=["GET", "POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics_text, methods=["GET"]),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )


async def _answers(name: str, check: Callable[[], Awaitable[object]]) -> bool:
    try:
        await asyncio.wait_for(check(), timeout=READINESS_TIMEOUT_S)
    except (AdapterError, TimeoutError) as error:
        logger.warning("readiness: %s is down: %s", name, error)
        return False
    except Exception:
        logger.exception("readiness: %s check failed", name)
        return False
    return True


async def _cache_state(cache: Cache | None) -> str:
    """Informational only: without the cache requests go to the backends and succeed."""
    if cache is None:
        return "off"
    try:
        await cache.ping()
    except CacheUnavailable as error:
        logger.warning("readiness: the cache is down: %s", error)
        return "down"
    return "up"


def create_app_from_environment() -> Starlette:
    """For `uvicorn --factory`: the settings come from COOP_* variables."""
    settings = GatewaySettings()  # type: ignore[call-arg]  # jwt_secret: from env
    app = create_app(settings)
    tune_garbage_collector(settings.gc_gen0_threshold)
    return app
