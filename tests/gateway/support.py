"""Helpers for the gateway's tests: a signed-in (or not) request against the fakes, or
the parts of one a service takes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from strawberry.types import ExecutionResult

from adapters.cis.port import CisNotFound
from gateway.api.context import GatewayContext, create_context
from gateway.core.backends import Adapters
from gateway.core.cache.port import Cache
from gateway.core.invalidation import Invalidation
from gateway.core.loaders import DataLoaders
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.policy import AccountAccess
from gateway.identity.tables import Role
from gateway.identity.tokens import TokenIssuer
from gateway.identity.viewer import ANONYMOUS, Authentication, Viewer
from gateway.schema import schema

ZONE = ZoneInfo("America/Denver")
SECRET = SecretStr("test-signing-secret-" + "x" * 24)
TOKENS = TokenIssuer(SECRET, ttl=timedelta(minutes=15))


@dataclass(frozen=True, slots=True)
class Member:
    user_id: int
    email: str
    password: str
    role: Role
    account_numbers: tuple[str, ...]

    @property
    def authentication(self) -> Authentication:
        return Authentication(Viewer(user_id=self.user_id, token_role=self.role))


def context_for(
    adapters: Adapters,
    store: GatewayStore,
    who: Member | None = None,
    *,
    cache: Cache | None = None,
    request_id: str | None = None,
    client_address: str | None = None,
) -> GatewayContext:
    return create_context(
        adapters=adapters,
        store=store,
        tokens=TOKENS,
        zone=ZONE,
        authentication=who.authentication if who else ANONYMOUS,
        cache=cache,
        request_id=request_id,
        client_address=client_address,
    )


def loaders_for(adapters: Adapters) -> DataLoaders:
    """One request's loaders, straight to the adapters (no shared cache)."""
    return DataLoaders.create(cis=adapters.cis, oms=adapters.oms, meters=adapters.meters)


def invalidation_for(loaders: DataLoaders, cache: Cache | None = None) -> Invalidation:
    """What a write forgets, in `loaders` (those it reads back through) and in `cache`."""
    return Invalidation(cache, loaders=loaders)


def access_for(store: GatewayStore, who: Member | None, *, loaders: DataLoaders) -> AccountAccess:
    """The account policy for `who`; staff see the accounts the CIS behind `loaders` knows."""

    async def account_exists(account_number: str) -> bool:
        try:
            return bool(await loaders.service_locations.load(account_number))
        except CisNotFound:
            return False

    return AccountAccess(
        authentication=who.authentication if who else ANONYMOUS,
        store=store,
        account_exists=account_exists,
        clock=TOKENS.now,
    )


async def execute(
    adapters: Adapters,
    store: GatewayStore,
    query: str,
    who: Member | None = None,
    **variables: Any,
) -> ExecutionResult:
    return await schema.execute(
        query, variable_values=variables, context_value=context_for(adapters, store, who)
    )


def codes(result: ExecutionResult) -> list[str]:
    return [str((e.extensions or {}).get("code")) for e in result.errors or ()]
