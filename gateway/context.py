"""What every resolver gets: who is asking, and fresh loaders for this request only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from strawberry import Info

from adapters.cis.port import Balance, Bill, CisNotFound, Customer, Meter, ServiceLocation
from adapters.email.fake import FakeEmailSender
from adapters.email.port import EmailSender
from adapters.meters.port import DailyRead, DailyWeather, IntervalRead
from adapters.oms.port import LocationOutageStatus
from gateway import loaders
from gateway.auth.policy import AccountAccess
from gateway.auth.throttle import LoginThrottle
from gateway.auth.tokens import TokenIssuer
from gateway.auth.viewer import Authentication
from gateway.backends import Adapters
from gateway.cache.port import Cache, CacheStats
from gateway.invalidation import Invalidation
from gateway.loaders import (
    BillKey,
    DailyReadRange,
    HourlyReadRange,
    Loader,
    LoaderOptions,
    WeatherRange,
)
from gateway.settings import DEFAULT_PUBLIC_BASE_URL
from gateway.store.members import GatewayStore


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

    customer: Loader[str, Customer]
    service_locations: Loader[str, Sequence[ServiceLocation]]
    meters: Loader[str, Sequence[Meter]]
    bill: Loader[BillKey, Bill]
    balance: Loader[str, Balance]
    outage_status: Loader[str, LocationOutageStatus]
    weather_station: Loader[str, str]
    daily_weather: Loader[WeatherRange, Sequence[DailyWeather]]
    daily_reads: Loader[DailyReadRange, Sequence[DailyRead]]
    hourly_reads: Loader[HourlyReadRange, Sequence[IntervalRead]]


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
    login_throttle: LoginThrottle | None = None,
    email: EmailSender | None = None,
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL,
) -> GatewayContext:
    """`cache` None: the loaders go straight to the adapters (as in unit tests)."""
    options = LoaderOptions(cache=cache, batching=batching, zone=zone, stats=cache_stats)
    service_locations = loaders.service_locations_loader(adapters.cis, options)
    customer = loaders.customer_loader(adapters.cis, options)
    balance = loaders.balance_loader(adapters.cis, options)
    outage_status = loaders.outage_status_loader(adapters.oms, options)

    async def account_exists(account_number: str) -> bool:
        try:
            return bool(await service_locations.load(account_number))
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
        ),
        store=store,
        tokens=tokens,
        # The app passes its one long-lived throttle; a fresh one only prunes more often.
        login_throttle=login_throttle or LoginThrottle(store),
        adapters=adapters,
        cache=cache,
        invalidate=Invalidation(
            cache, customer=customer, balance=balance, outage_status=outage_status
        ),
        # The app passes its sender; contexts made in-process keep their mail in memory.
        email=email or FakeEmailSender(),
        public_base_url=public_base_url,
        customer=customer,
        service_locations=service_locations,
        meters=loaders.meters_loader(adapters.cis, options),
        bill=loaders.bill_loader(adapters.cis, options),
        balance=balance,
        outage_status=outage_status,
        weather_station=loaders.weather_station_loader(adapters.meters, options),
        daily_weather=loaders.daily_weather_loader(adapters.meters, options),
        daily_reads=loaders.daily_reads_loader(adapters.meters, options),
        hourly_reads=loaders.hourly_reads_loader(adapters.meters, options),
    )
