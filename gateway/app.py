"""The one place the gateway is wired together: settings in, a Starlette app out.

Nothing is opened at import time or in `create_app`: the lifespan opens everything
through `gateway.bootstrap` when the server starts and closes it when the server stops,
unless it is handed a `Gateway` that is already open (the demo shares one between the
app and its worker). The one file `create_app` reads is the trusted documents manifest
(`COOP_TRUSTED_DOCUMENTS_PATH`): it is configuration, like the settings, so a manifest
that fails its check stops the server before it accepts a connection. Background loops
(the CIS change feed, the outbox) never run here, once per web process: they run in
`gateway.worker`.

`/readyz` reports the cache (`"cache": "up" | "down" | "off"`) but does not depend on
it: with Redis down the gateway still serves, from the backends. The payment processor
(`"payments"`) is reported the same way, for the same reason. It answers within a
second whatever the backends do: every check runs at once under a deadline shorter
than that, a hung system shows as down, and one whose breaker is open shows as down
without being called.

Every GraphQL request runs under `settings.request_deadline_s`: no backend call it
makes waits past it (`gateway.core.resilience.deadline`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from adapters.errors import AdapterError
from adapters.payments.port import PaymentProcessor
from gateway.api.answers.serve import AnswerCache
from gateway.api.context import GatewayContext, create_context
from gateway.api.graphiql import GraphiQLSite, StarterTab, graphiql_off
from gateway.api.http import GraphQLEndpoint
from gateway.api.limits import QueryLimits
from gateway.api.trusted_documents import load_trusted_documents
from gateway.api.web_apps import BrowserPayments, WebApps
from gateway.audit.reads import write_account_reads
from gateway.bootstrap import Gateway, link_signer, open_gateway, payment_rules
from gateway.core.backends import Adapters
from gateway.core.cache.after_response import CacheWritesAfterResponse
from gateway.core.cache.port import Cache, CacheUnavailable
from gateway.core.metrics import CONTENT_TYPE, GatewayMetrics
from gateway.core.resilience.deadline import request_deadline
from gateway.core.resilience.readiness_log import ReadinessLog
from gateway.core.runtime import tune_garbage_collector
from gateway.core.signed_links import LinkHolder
from gateway.core.store.busy import StoreBusy
from gateway.documents.coop import CoopIdentity
from gateway.documents.routes import document_routes
from gateway.identity.tables import Role
from gateway.identity.viewer import Authentication, Viewer, authenticate
from gateway.members.emails import (
    ACCEPT_INVITATION_PATH,
    CONFIRM_EMAIL_PATH,
    RESET_PASSWORD_PATH,
)
from gateway.notifications.sending import MANAGE_PATH
from gateway.notifications.sms_routes import sms_callback_routes
from gateway.notifications.unsubscribe_routes import unsubscribe_routes
from gateway.payments.webhook_route import payments_webhook_route
from gateway.schema import build_schema
from gateway.settings import GatewaySettings

__all__ = ["Adapters", "create_app", "create_app_from_environment"]

logger = logging.getLogger("gateway.app")

# Each check's deadline: the checks run concurrently, so /readyz answers within a second.
READINESS_DEADLINE_S = 0.8
# The reference /readyz looks up at the processor: no payment is ever made with it.
READINESS_PAYMENT_REFERENCE = "readiness-check"
# For checks no guard bounds (the gateway's own store, the cache): a little later still.
READINESS_TIMEOUT_S = 0.9
# Where the links in members' emails go: the portal's page opens the screen for each.
PORTAL_LINKS = (CONFIRM_EMAIL_PATH, RESET_PASSWORD_PATH, ACCEPT_INVITATION_PATH, MANAGE_PATH)


def create_app(
    settings: GatewaySettings,
    adapters: Adapters | None = None,
    cache: Cache | None = None,
    *,
    gateway: Gateway | None = None,
    graphiql_tabs: Sequence[StarterTab] = (),
    server_process: bool = False,
) -> Starlette:
    """The gateway as an ASGI app; `adapters` and `cache` given are used as they are and
    not closed (a `cache` only while `settings.cache_enabled`). With `gateway`, the app
    uses that open one and neither opens nor closes anything. GraphiQL, when
    `settings.graphiql_enabled`, opens with `graphiql_tabs`. `server_process`: the
    process serves only this app, whose garbage collector is tuned once it has started."""
    running: Gateway | None = gateway
    metrics = (
        gateway.metrics
        if gateway
        else GatewayMetrics(multiprocess_dir=settings.prometheus_multiproc_dir)
    )

    answer_cache: AnswerCache | None = None

    def answers_of(opened: Gateway) -> AnswerCache | None:
        if opened.answers is None:
            return None
        return AnswerCache(
            store=opened.answers,
            schema=schema._schema,
            zone=settings.zone,
            write_reads=write_account_reads,
            writes=opened.cache_writes,
            stats=metrics,
        )

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        nonlocal running, answer_cache
        if gateway is not None:
            answer_cache = answers_of(gateway)
            yield
            return
        async with open_gateway(
            settings, metrics=metrics, adapters=adapters, cache=cache
        ) as opened:
            running, answer_cache = opened, answers_of(opened)
            if server_process:
                # Now, not before: opening parsed the WSDLs (zeep keeps some 40,000
                # objects of them) and filled the pools, all of it alive until the end.
                tune_garbage_collector(settings.gc_gen0_threshold)
            try:
                yield
            finally:
                running, answer_cache = None, None

    def current() -> Gateway:
        if running is None:
            raise RuntimeError("the gateway is not running (its lifespan has not started)")
        return running

    async def context(request: Request, request_id: str) -> GatewayContext:
        now = current()
        return _context(
            request,
            request_id,
            authenticate(request.headers.get("authorization"), now.tokens),
        )

    async def link_context(request: Request, holder: LinkHolder) -> GatewayContext:
        # The link's login, as its token would name it; the store has the final word
        # on the role and on whether the session still runs.
        viewer = Viewer(holder.user_id, token_role=Role.MEMBER, session_id=holder.session_id)
        return _context(request, uuid.uuid4().hex, Authentication(viewer))

    def _context(
        request: Request, request_id: str, authentication: Authentication
    ) -> GatewayContext:
        now = current()
        return create_context(
            adapters=now.adapters,
            store=now.store,
            tokens=now.tokens,
            zone=settings.zone,
            authentication=authentication,
            request_id=request_id,
            client_address=request.client.host if request.client else None,
            user_agent=request.headers.get("user-agent"),
            cache=now.cache,
            batching=settings.batching_enabled,
            cache_stats=metrics,
            cache_writes=now.cache_writes,
            login_throttle=now.login_throttle,
            email=now.email,
            public_base_url=settings.public_base_url,
            rate_limiter=now.rate_limiter,
            payment_rules=rules_of_payments,
            # Links start with the address this request came to (the proxy's, when
            # the forwarding settings say it may be believed).
            document_links=links.for_origin(str(request.base_url)),
            held_sessions=now.held_sessions,
        )

    links = link_signer(settings)
    readiness_log = ReadinessLog(logger)
    rules_of_payments = payment_rules(settings)

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
        answers, cache_state, payments_state = await asyncio.gather(
            asyncio.gather(
                *(_answers(name, check, readiness_log) for name, check in checks.items())
            ),
            _cache_state(now.cache, readiness_log),
            _payments_state(now.adapters.payments, readiness_log),
        )
        systems = dict(zip(checks, answers, strict=True))
        down = sorted(name for name, ok in systems.items() if not ok)
        body = {
            "status": "unavailable" if down else "ready",
            "systems": {name: "up" if ok else "down" for name, ok in systems.items()},
            "cache": cache_state,
            "payments": payments_state,
        }
        return JSONResponse(body, status_code=503 if down else 200)

    async def metrics_text(_: Request) -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    limits = QueryLimits.of(settings)
    schema = build_schema(limits)
    trusted_documents = (
        load_trusted_documents(settings.trusted_documents_path)
        if settings.trusted_documents_path is not None
        else None
    )
    if trusted_documents is not None:
        logger.info(
            "trusted documents: %d from %s%s",
            len(trusted_documents),
            settings.trusted_documents_path,
            ", trusted-only mode" if settings.trusted_documents_only else "",
        )
    graphiql = (
        GraphiQLSite(build_dir=settings.web_build_dir, tabs=graphiql_tabs)
        if settings.graphiql_enabled
        else None
    )
    graphql = GraphQLEndpoint(
        schema=schema,
        context=context,
        metrics=metrics,
        limits=limits,
        trusted_documents=trusted_documents,
        trusted_only=settings.trusted_documents_only,
        browser_page=graphiql.page if graphiql else graphiql_off,
        answers=lambda: answer_cache,
    )

    async def graphql_within_deadline(request: Request) -> Response:
        # Here rather than in the endpoint: the deadline belongs to the backend calls,
        # and the contextvar is reset when the request ends, whatever task it ran in.
        with request_deadline(settings.request_deadline_s):
            return await graphql.handle(request)

    routes: list[BaseRoute] = [
        Route("/graphql", graphql_within_deadline, methods=["GET", "POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/metrics", metrics_text, methods=["GET"]),
        payments_webhook_route(
            secret=settings.payments_webhook_secret, store=lambda: current().store
        ),
        *document_routes(links=links, context_for=link_context, coop=coop_identity(settings)),
        *sms_callback_routes(secret=settings.sms_signing_secret, store=lambda: current().store),
        *unsubscribe_routes(
            links=links,
            store=lambda: current().store,
            coop_name=settings.coop_name,
            manage_url=f"{settings.public_base_url}{MANAGE_PATH}",
        ),
    ]
    if graphiql is not None:
        routes.extend(graphiql.routes())
    if settings.web_apps_enabled:
        web_apps = WebApps(
            build_dir=settings.web_build_dir,
            payments=(
                BrowserPayments(settings.payments_browser_url, settings.payments_publishable_key)
                if settings.payments_browser_url and settings.payments_publishable_key
                else None
            ),
            portal_links=PORTAL_LINKS,
        )
        routes.extend(web_apps.routes(serve_assets=graphiql is None))
    # Outermost: the cache writes of a request start once everything else is done.
    middleware = [Middleware(CacheWritesAfterResponse)]
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
    store_busy = StoreBusy()
    return Starlette(
        debug=settings.debug,
        routes=routes,
        middleware=middleware,
        exception_handlers={store_busy.exception: store_busy},
        lifespan=lifespan,
    )


def coop_identity(settings: GatewaySettings) -> CoopIdentity:
    return CoopIdentity(
        name=settings.coop_name,
        address=settings.coop_address,
        phone=settings.coop_phone,
        mask_account=settings.documents_mask_account,
    )


async def _answers(
    name: str, check: Callable[[], Awaitable[object]], readiness_log: ReadinessLog
) -> bool:
    """Whether `name` answered in time; a backend's guard refuses at once while its
    breaker is open, and gives up at the deadline (without counting that against it)."""
    try:
        with request_deadline(READINESS_DEADLINE_S):
            await asyncio.wait_for(check(), timeout=READINESS_TIMEOUT_S)
    except (AdapterError, TimeoutError) as error:
        readiness_log.record(name, up=False, reason=str(error) or type(error).__name__)
        return False
    except Exception:
        logger.exception("readiness: %s check failed", name)
        readiness_log.record(name, up=False, reason="the check failed")
        return False
    readiness_log.record(name, up=True)
    return True


async def _cache_state(cache: Cache | None, readiness_log: ReadinessLog) -> str:
    """Informational only: without the cache requests go to the backends and succeed."""
    if cache is None:
        return "off"
    try:
        await asyncio.wait_for(cache.ping(), timeout=READINESS_TIMEOUT_S)
    except (CacheUnavailable, TimeoutError) as error:
        readiness_log.record("cache", up=False, reason=str(error) or type(error).__name__)
        return "down"
    readiness_log.record("cache", up=True)
    return "up"


async def _payments_state(processor: PaymentProcessor | None, readiness_log: ReadinessLog) -> str:
    """Informational only, like the cache: without the processor every read still
    works, `payBill` answers that payments are unavailable, and queued payments wait
    in the outbox. Taking the gateway out of rotation for it would cost members
    everything else for one third party's outage. The check is a lookup that moves no
    money, through the processor's guard: an open breaker shows "down" uncalled."""
    if processor is None:
        return "off"
    up = await _answers(
        "payments", lambda: processor.find_charge(READINESS_PAYMENT_REFERENCE), readiness_log
    )
    return "up" if up else "down"


def create_app_from_environment() -> Starlette:
    """For `uvicorn --factory`: the settings come from COOP_* variables."""
    settings = GatewaySettings()  # type: ignore[call-arg]  # jwt_secret: from env
    return create_app(settings, server_process=True)
