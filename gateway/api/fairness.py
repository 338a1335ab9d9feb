"""The rate limit's step in a GraphQL request: charge its cost, or refuse it unexecuted.

Runs right after the cost step (`gateway.api.cost`), in validation: the request's cost
is charged to its client's buckets (`gateway.core.rate_limit`) before any resolver
runs. A request validation refused, or one over the cost limit, did no resolver's work,
as is one whose cost is unknown (bad variables); every other one is charged its cost.
Every request is charged at least one unit per `CHARACTERS_PER_UNIT` characters of its
document: parsing and validating a document take time in proportion to its length,
whether it then runs or not, and a client sending large documents that validation
refuses must not get that work for one unit each. (The portal's documents cost more
than their length; the floor only reaches documents that are long and cheap, or
refused.) A refused request ends there, as a validation error would, with one error
coded `RATE_LIMITED` that says when to try again (`retryAfterSeconds`, the same whole
seconds as the HTTP `Retry-After` header of its 429); its answer still reports its cost.

Requests refused before this step (a body that is not JSON, too large, or not GraphQL)
are not charged: they are refused before the request's context is made, for less than
the charge itself would cost, and at one token each they could not empty a bucket
before the address's refill.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Final

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext, ExecutionResult

from gateway.api.context import GatewayContext
from gateway.api.cost import requested_cost
from gateway.core.errors import RATE_LIMITED
from gateway.core.rate_limit import BucketKind, Refusal

RETRY_AFTER_EXTENSION: Final = "retryAfterSeconds"
# About one token of a document (a name and the space after it): validating 10,000
# tokens, the most a document may hold, takes tens of milliseconds.
CHARACTERS_PER_UNIT: Final = 10
_WHOSE: Final = {
    BucketKind.LOGIN: "this sign-in",
    BucketKind.ADDRESS: "this network address",
}


class RateLimit(SchemaExtension):
    """Charges each request to its client's buckets; must come after `CostLimit`."""

    async def on_validate(self) -> AsyncIterator[None]:
        execution = self.execution_context
        request = execution.context
        if isinstance(request, GatewayContext) and request.rate_limiter is not None:
            viewer = request.authentication.viewer
            refusal = await request.rate_limiter.charge(
                user_id=viewer.user_id if viewer else None,
                address=request.client_address,
                cost=_charge(execution),
            )
            if refusal is not None:
                execution.pre_execution_errors = [rate_limited_error(refusal)]
        yield


def _charge(execution: ExecutionContext) -> int:
    cost = None if execution.pre_execution_errors else requested_cost(execution)
    return charge_units(execution.query or "", cost)


def charge_units(document: str, cost: int | None) -> int:
    """The units a request is charged: its cost when it may run, and at least its
    document's length in units (and 1). A stored answer's hit is charged the same."""
    return max(1, len(document) // CHARACTERS_PER_UNIT, cost or 0)


def rate_limited_error(refusal: Refusal) -> GraphQLError:
    seconds = refusal.retry_after_whole_s
    return GraphQLError(
        f"Too many requests from {_WHOSE[refusal.bucket]}: try again in {seconds} s,"
        " or ask for less at a time.",
        extensions={"code": RATE_LIMITED, RETRY_AFTER_EXTENSION: seconds},
    )


def retry_after(result: ExecutionResult) -> int | None:
    """The seconds to send in `Retry-After` when the rate limit refused `result`."""
    if result.data is not None:
        return None
    for error in result.errors or ():
        extensions = error.extensions or {}
        seconds = extensions.get(RETRY_AFTER_EXTENSION)
        if extensions.get("code") == RATE_LIMITED and isinstance(seconds, int):
            return seconds
    return None
