"""What every resolver gets: who is asking, and fresh loaders for this request only."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from strawberry import Info

from adapters.cis.port import CisNotFound
from adapters.email.fake import FakeEmailSender
from adapters.email.port import EmailSender
from gateway.core.backends import Adapters
from gateway.core.cache.background import BackgroundWrites
from gateway.core.cache.port import Cache, CacheStats
from gateway.core.invalidation import Invalidation
from gateway.core.loaders import DataLoaders, LoaderOptions
from gateway.core.payment_rules import PaymentRules
from gateway.core.rate_limit import RateLimiter
from gateway.core.response_cache.sources import AnswerSources
from gateway.core.signed_links import LinkSigner
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.held import HeldSessions
from gateway.identity.policy import AccountAccess
from gateway.identity.store import viewer_in_session
from gateway.identity.throttle import LoginThrottle
from gateway.identity.tokens import TokenIssuer
from gateway.identity.viewer import Authentication
from gateway.settings import DEFAULT_PUBLIC_BASE_URL


@dataclass(frozen=True, slots=True)
class GatewayContext:
    request_id: str
    zone: ZoneInfo
    # Where the request came from (the proxy-resolved peer address) and with what
    # client; for throttling, session lists and the audit log. None in direct calls.
    client_address: str | None
    user_agent: str | None
    authentication: Authentication
    access: AccountAccess
    store: GatewayStore
    tokens: TokenIssuer
    login_throttle: LoginThrottle
    # For write services only (they call the port, then `invalidate` what they made
    # stale); every read goes through the loaders below.
    adapters: Adapters
    cache: Cache | None  # the shared cache; None when switched off
    invalidate: Invalidation
    # Mail to members, and where the links in it point (the portal, no trailing slash).
    email: EmailSender
    public_base_url: str
    # Charged each request's cost before it executes (`gateway.api.fairness`); None:
    # no limit (switched off, or a context made in-process).
    rate_limiter: RateLimiter | None

    loaders: DataLoaders
    # What the answer is built from, noted by the loaders for the response cache.
    sources: AnswerSources = field(default_factory=AnswerSources)
    # What one payment may be, with what, at what fee (the settings'; defaults in-process).
    payment_rules: PaymentRules = field(default_factory=PaymentRules)
    # Signs download links (bill PDFs, Green Button); in-process contexts get a key of
    # their own, good for links followed in the same process only.
    document_links: LinkSigner = field(default_factory=lambda: _process_links())


GatewayInfo = Info[GatewayContext, None]


def create_context(
    *,
    adapters: Adapters,
    store: GatewayStore,
    tokens: TokenIssuer,
    zone: ZoneInfo,
    authentication: Authentication,
    request_id: str | None = None,
    client_address: str | None = None,
    user_agent: str | None = None,
    cache: Cache | None = None,
    batching: bool = True,
    cache_stats: CacheStats | None = None,
    cache_writes: BackgroundWrites | None = None,
    login_throttle: LoginThrottle | None = None,
    email: EmailSender | None = None,
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL,
    rate_limiter: RateLimiter | None = None,
    payment_rules: PaymentRules | None = None,
    document_links: LinkSigner | None = None,
    held_sessions: HeldSessions | None = None,
) -> GatewayContext:
    """`cache` None: the loaders go straight to the adapters (as in unit tests);
    `held_sessions` None: the session's facts are read from the store."""
    sources = AnswerSources()
    options = LoaderOptions(
        cache=cache,
        batching=batching,
        zone=zone,
        stats=cache_stats,
        writes=cache_writes,
        sources=sources,
    )
    request_loaders = DataLoaders.create(
        cis=adapters.cis,
        oms=adapters.oms,
        meters=adapters.meters,
        options=options,
        cis_payments=adapters.cis_payments,
    )

    async def account_exists(account_number: str) -> bool:
        try:
            return bool(await request_loaders.service_locations.load(account_number))
        except CisNotFound:
            return False

    return GatewayContext(
        request_id=request_id or uuid.uuid4().hex,
        zone=zone,
        client_address=client_address,
        user_agent=user_agent,
        authentication=authentication,
        access=AccountAccess(
            authentication=authentication,
            store=store,
            account_exists=account_exists,
            clock=tokens.now,
            read_viewer=(held_sessions.viewer_in_session if held_sessions else viewer_in_session),
        ),
        store=store,
        tokens=tokens,
        # The app passes its one long-lived throttle; a fresh one only prunes more often.
        login_throttle=login_throttle or LoginThrottle(store),
        adapters=adapters,
        cache=cache,
        invalidate=Invalidation(cache, loaders=request_loaders),
        # The app passes its sender; contexts made in-process keep their mail in memory.
        email=email or FakeEmailSender(),
        public_base_url=public_base_url,
        rate_limiter=rate_limiter,
        loaders=request_loaders,
        sources=sources,
        payment_rules=payment_rules or PaymentRules(),
        document_links=document_links or _process_links(),
    )


def _process_links() -> LinkSigner:
    return LinkSigner(secrets.token_bytes(32))
