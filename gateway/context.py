"""What every resolver gets: who is asking, and fresh loaders for this request only."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from strawberry import Info

from adapters.cis.port import Balance, Bill, CisNotFound, Customer, Meter, ServiceLocation
from adapters.meters.port import DailyRead, DailyWeather, IntervalRead
from adapters.oms.port import LocationOutageStatus
from gateway import loaders
from gateway.auth.policy import AccountAccess
from gateway.auth.tokens import TokenIssuer
from gateway.auth.viewer import Authentication
from gateway.backends import Adapters
from gateway.loaders import BillKey, DailyReadRange, HourlyReadRange, Loader, WeatherRange
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
    # For write services only (they call the port, then clear the loaders they made
    # stale); every read goes through the loaders below.
    adapters: Adapters

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
) -> GatewayContext:
    service_locations = loaders.service_locations_loader(adapters.cis)

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
            authentication=authentication, store=store, account_exists=account_exists
        ),
        store=store,
        tokens=tokens,
        adapters=adapters,
        customer=loaders.customer_loader(adapters.cis),
        service_locations=service_locations,
        meters=loaders.meters_loader(adapters.cis),
        bill=loaders.bill_loader(adapters.cis),
        balance=loaders.balance_loader(adapters.cis),
        outage_status=loaders.outage_status_loader(adapters.oms),
        weather_station=loaders.weather_station_loader(adapters.meters),
        daily_weather=loaders.daily_weather_loader(adapters.meters),
        daily_reads=loaders.daily_reads_loader(adapters.meters),
        hourly_reads=loaders.hourly_reads_loader(adapters.meters),
    )
