"""The one place that opens what the gateway runs on, from settings, and closes it.

Both entrypoints start here: `gateway.app` (the ASGI app behind `coop-gateway serve`)
and `gateway.worker` (`coop-gateway worker`, the background loops). Nothing is opened
at import time: `open_gateway` opens the store, the adapters (wrapped once so that every
call is guarded by its system's timeout and breaker, and counted in the metrics), the
shared cache, the rate limit's buckets and the email sender, and closes what it opened,
in reverse order, when its block ends.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Collection
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from adapters.email.port import EmailSender
from adapters.payments.port import MethodKind, PaymentProcessor
from adapters.sms.port import SmsSender
from gateway.core.backends import Adapters
from gateway.core.cache import create_cache
from gateway.core.cache.background import BackgroundWrites
from gateway.core.cache.near import NearCache, WithNearCache
from gateway.core.cache.port import Cache
from gateway.core.instrumented import instrument
from gateway.core.metrics import GatewayMetrics
from gateway.core.payment_rules import ConvenienceFee, PaymentRules
from gateway.core.rate_limit import Rate, RateLimiter, RateLimits, create_rate_limiter
from gateway.core.resilience.policy import BackendPolicies
from gateway.core.response_cache.follow import AnswersFollowEntities
from gateway.core.response_cache.memory import MemoryAnswers
from gateway.core.response_cache.near import NearAnswers, WithNearAnswers
from gateway.core.response_cache.port import AnswerStore, HeardDrops
from gateway.core.response_cache.redis import RedisAnswers
from gateway.core.response_cache.tags import login_tag
from gateway.core.signed_links import LinkSigner, derived_key
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.open import open_store
from gateway.identity.held import HeldSessions
from gateway.identity.throttle import LoginThrottle, ThrottleLimits
from gateway.identity.tokens import TokenIssuer
from gateway.settings import GatewaySettings

logger = logging.getLogger("gateway.bootstrap")

# Seconds the payment guard waits past the processor adapter's own timeout.
PAYMENTS_GUARD_GRACE_S = 0.5


@dataclass(frozen=True, slots=True)
class Gateway:
    """Everything long-lived that requests and jobs share, opened once per process."""

    settings: GatewaySettings
    adapters: Adapters
    store: GatewayStore
    tokens: TokenIssuer
    login_throttle: LoginThrottle
    cache: Cache | None  # the shared cache; None when switched off
    email: EmailSender
    metrics: GatewayMetrics
    rate_limiter: RateLimiter | None = None  # None when switched off
    # Requests' cache writes, made after their answers; None: each before its answer.
    cache_writes: BackgroundWrites | None = None
    # Whole answers (`gateway.api.answers`); None when the cache or it is switched off.
    answers: AnswerStore | None = None
    # Sign-in facts held in process (`gateway.identity.held`); None: read per request.
    held_sessions: HeldSessions | None = None


@asynccontextmanager
async def open_gateway(
    settings: GatewaySettings,
    *,
    metrics: GatewayMetrics,
    adapters: Adapters | None = None,
    cache: Cache | None = None,
) -> AsyncIterator[Gateway]:
    """`adapters` and `cache` given are used as they are and not closed (a `cache` only
    while `settings.cache_enabled`); the rest comes from the settings."""
    async with AsyncExitStack() as stack:
        store = open_store(settings.database_url)
        stack.push_async_callback(store.aclose)
        backends = instrument(
            adapters or await open_real_adapters(settings, stack),
            metrics,
            backend_policies(settings),
        )
        if cache is None:
            shared = open_cache(settings, stack)
        else:
            shared = cache if settings.cache_enabled else None
        answers = None
        held_sessions = None
        if shared is not None and settings.response_cache_enabled:
            answers = await open_answers(settings, stack, entities=shared)
            shared = follow_answers(shared, answers)
            announce_login_changes(store, answers)
            held_sessions = hold_sessions(settings, answers)
        cache_writes = BackgroundWrites(metrics) if shared is not None else None
        if cache_writes is not None:
            # Pushed after the cache: the writes still pending finish before it closes.
            stack.push_async_callback(cache_writes.drain)
        yield Gateway(
            settings=settings,
            adapters=backends,
            store=store,
            tokens=TokenIssuer(
                settings.jwt_secret,
                ttl=settings.access_token_ttl,
                refresh_ttl=settings.refresh_token_ttl,
                session_max_age=settings.session_max_age,
            ),
            login_throttle=LoginThrottle(
                store,
                ThrottleLimits(
                    failures_per_email_and_address=settings.login_failures_per_email_and_address,
                    failures_per_email=settings.login_failures_per_email,
                    failures_per_address=settings.login_failures_per_address,
                    window=settings.login_throttle_window,
                ),
            ),
            cache=shared,
            email=open_email_sender(settings, stack),
            metrics=metrics,
            rate_limiter=open_rate_limiter(settings, stack, metrics=metrics),
            cache_writes=cache_writes,
            answers=answers,
            held_sessions=held_sessions,
        )


def link_signer(settings: GatewaySettings) -> LinkSigner:
    """Signs the links that carry their own authority (downloads, unsubscribing) with
    their own key, or one derived from the token key. The web process verifies what the
    worker signed, so both make it here."""
    if settings.document_link_secret is not None:
        return LinkSigner(settings.document_link_secret.get_secret_value().encode())
    return LinkSigner(derived_key(settings.jwt_secret.get_secret_value().encode()))


def payment_rules(settings: GatewaySettings) -> PaymentRules:
    """What one payment may be, with what, and at what fee, from the settings."""
    return PaymentRules(
        min_amount=settings.payment_min_amount,
        max_amount=settings.payment_max_amount,
        methods=settings.payment_methods,
        schedule_days_ahead=settings.payment_schedule_days_ahead,
        fees={
            MethodKind.CARD: ConvenienceFee(
                flat=settings.card_fee_flat, percent=settings.card_fee_percent
            ),
            MethodKind.BANK_ACCOUNT: ConvenienceFee(
                flat=settings.bank_fee_flat, percent=settings.bank_fee_percent
            ),
        },
    )


def backend_policies(settings: GatewaySettings) -> BackendPolicies:
    """Each backend's timeout and the breaker and retry rules, from the settings."""
    return BackendPolicies(
        cis_timeout_s=settings.cis_timeout_s,
        oms_timeout_s=settings.oms_timeout_s,
        meters_timeout_s=settings.meters_timeout_s,
        # A little past the processor adapter's own timeout, so that the adapter, which
        # knows whether the request went out, answers first; the guard's is the backstop.
        payments_timeout_s=settings.payments_timeout_s + PAYMENTS_GUARD_GRACE_S,
        failure_threshold=settings.backend_failure_threshold,
        cool_down_s=settings.backend_cool_down_s,
        retry_jitter_s=settings.backend_retry_jitter_s,
    )


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
    # SoapCis speaks the payment half of the CIS too.
    return Adapters(
        cis=cis,
        oms=oms,
        meters=meters,
        cis_payments=cis,
        payments=open_payment_processor(settings, stack),
        sms=open_sms_sender(settings, stack),
    )


def open_payment_processor(
    settings: GatewaySettings, stack: AsyncExitStack
) -> PaymentProcessor | None:
    """The processor's HTTP adapter, or None when no processor URL is set."""
    from adapters.payments.http import HttpPaymentProcessor, PaymentsEndpoint

    if settings.payments_url is None or settings.payments_secret_key is None:
        logger.info("no payment processor set: payments are not accepted")
        return None
    processor = HttpPaymentProcessor(
        PaymentsEndpoint(
            base_url=settings.payments_url,
            secret_key=settings.payments_secret_key.get_secret_value(),
            timeout_s=settings.payments_timeout_s,
        )
    )
    stack.push_async_callback(processor.aclose)
    return processor


def open_sms_sender(settings: GatewaySettings, stack: AsyncExitStack) -> SmsSender | None:
    """The SMS provider's HTTP adapter, or None when no SMS URL is set."""
    from adapters.sms.http import HttpSmsSender, SmsEndpoint

    if (
        settings.sms_url is None
        or settings.sms_account_sid is None
        or settings.sms_auth_token is None
        or settings.sms_from_number is None
    ):
        logger.info("no SMS provider set: nothing is texted")
        return None
    sender = HttpSmsSender(
        SmsEndpoint(
            base_url=settings.sms_url,
            account_sid=settings.sms_account_sid,
            auth_token=settings.sms_auth_token.get_secret_value(),
            from_number=settings.sms_from_number,
            timeout_s=settings.sms_timeout_s,
        )
    )
    stack.push_async_callback(sender.aclose)
    return sender


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


async def open_answers(
    settings: GatewaySettings, stack: AsyncExitStack, *, entities: Cache
) -> AnswerStore:
    """The answer store beside the entity cache: in Redis when a URL is set, with a near
    layer that hears every process's drops (and tells the entity cache's near layer)."""
    answers: AnswerStore
    if settings.redis_url is None:
        answers = MemoryAnswers()
    else:
        shared = RedisAnswers.from_url(
            settings.redis_url.get_secret_value(), socket_timeout_s=settings.redis_timeout_s
        )
        if settings.cache_near_ttl_s > 0:
            near = WithNearAnswers(
                shared,
                NearAnswers(ttl_s=settings.cache_near_ttl_s),
                entity_near_forget=(
                    entities.near.forget if isinstance(entities, WithNearCache) else None
                ),
            )
            near.start()
            answers = near
        else:
            answers = shared
    stack.push_async_callback(answers.aclose)
    return answers


def announce_login_changes(store: GatewayStore, answers: AnswerStore) -> None:
    """A change to a login's sign-in facts drops its answers and its held facts, in
    every process that hears the answer store's drops."""

    async def drop_logins(user_ids: Collection[int]) -> None:
        await answers.drop([login_tag(user_id) for user_id in user_ids])

    store.announce_login_changes(drop_logins)


def hold_sessions(settings: GatewaySettings, answers: AnswerStore) -> HeldSessions | None:
    """Sign-in facts held in this process, when it hears every drop (an in-process
    store, or Redis with a near layer subscribed); otherwise None: read per request."""
    if settings.session_hold_s <= 0 or not isinstance(answers, HeardDrops):
        return None
    held = HeldSessions(hold_s=settings.session_hold_s)
    answers.follow(held)
    return held


def follow_answers(entities: Cache, answers: AnswerStore) -> Cache:
    """`entities`, whose deletes also drop the answers built from them; a near layer
    stays outermost, where the loaders look for it."""
    if isinstance(entities, WithNearCache):
        return WithNearCache(AnswersFollowEntities(entities.shared, answers), entities.near)
    return AnswersFollowEntities(entities, answers)


def open_rate_limiter(
    settings: GatewaySettings, stack: AsyncExitStack, *, metrics: GatewayMetrics
) -> RateLimiter | None:
    """The per-client rate limit, in Redis when a URL is set (whether or not the cache
    is on), or None when it is switched off."""
    if not settings.rate_limit_enabled:
        return None
    limiter = create_rate_limiter(
        settings.redis_url.get_secret_value() if settings.redis_url else None,
        limits=RateLimits(
            per_login=Rate(
                capacity=settings.rate_limit_login_capacity,
                refill_per_s=settings.rate_limit_login_refill_per_s,
            ),
            per_address=Rate(
                capacity=settings.rate_limit_address_capacity,
                refill_per_s=settings.rate_limit_address_refill_per_s,
            ),
        ),
        redis_timeout_s=settings.redis_timeout_s,
        counter=metrics,
    )
    stack.push_async_callback(limiter.aclose)
    return limiter


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
