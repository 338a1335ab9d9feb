"""Helpers for the gateway's tests: a signed-in (or not) request against the fakes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from strawberry.types import ExecutionResult

from gateway.api.context import GatewayContext, create_context
from gateway.core.backends import Adapters
from gateway.core.cache.port import Cache
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.models import Role
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
