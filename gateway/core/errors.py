"""What clients see when something goes wrong, and what the logs keep.

Expected problems carry a code in `extensions.code` and a message meant for people:
bad arguments (`BAD_USER_INPUT`), no or a dead access token (`UNAUTHENTICATED`), a
backend that is down (`BACKEND_UNAVAILABLE`: only the fields that needed it are
null). Anything else is a bug: the client gets "Internal error" and a request id,
and the log gets the traceback under the same id.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Set
from typing import Final

from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import SchemaExtension

from adapters.errors import AdapterError, BackendFault, BackendUnavailable, NotFound

logger = logging.getLogger("gateway.core.errors")

BAD_USER_INPUT: Final = "BAD_USER_INPUT"
UNAUTHENTICATED: Final = "UNAUTHENTICATED"
BACKEND_UNAVAILABLE: Final = "BACKEND_UNAVAILABLE"
BACKEND_ERROR: Final = "BACKEND_ERROR"
NOT_FOUND: Final = "NOT_FOUND"
GRAPHQL_PARSE_FAILED: Final = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED: Final = "GRAPHQL_VALIDATION_FAILED"
INTERNAL_SERVER_ERROR: Final = "INTERNAL_SERVER_ERROR"
# A request over one of the limits in `gateway.api.limits`, refused before any resolver
# ran (HTTP 400), or an execution stopped by one (its deadline, its answer's size).
REQUEST_TOO_LARGE: Final = "REQUEST_TOO_LARGE"
QUERY_TOO_LARGE: Final = "QUERY_TOO_LARGE"
QUERY_TOO_DEEP: Final = "QUERY_TOO_DEEP"
TOO_MANY_ALIASES: Final = "TOO_MANY_ALIASES"
QUERY_TOO_COMPLEX: Final = "QUERY_TOO_COMPLEX"
QUERY_TIMED_OUT: Final = "QUERY_TIMED_OUT"
RESPONSE_TOO_LARGE: Final = "RESPONSE_TOO_LARGE"
# Trusted documents (`gateway.api.trusted_documents`): a malformed request (a bad hash,
# a text that is not its hash's), a hash the manifest lacks (Apollo clients know this
# code and message), and in trusted-only mode a document, or introspection, that only
# staff may send.
BAD_REQUEST: Final = "BAD_REQUEST"
PERSISTED_QUERY_NOT_FOUND: Final = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_REQUIRED: Final = "PERSISTED_QUERY_REQUIRED"
INTROSPECTION_DISABLED: Final = "INTROSPECTION_DISABLED"
# A client over its rate limit (`gateway.core.rate_limit`): HTTP 429 with Retry-After,
# refused before any resolver ran.
RATE_LIMITED: Final = "RATE_LIMITED"
# The gateway itself is out of room (every database connection busy): HTTP 503 with
# Retry-After (`gateway.core.store.busy`).
OVERLOADED: Final = "OVERLOADED"

SYSTEM_NAMES: Mapping[str, str] = {
    "cis": "The billing system",
    "oms": "The outage system",
    "meters": "The meter data system",
    "email": "The email system",
    "payments": "The payment processor",
}


class GatewayError(Exception):
    """An expected problem whose message is safe to show to the client."""

    code: str = INTERNAL_SERVER_ERROR


class BadUserInput(GatewayError):
    code = BAD_USER_INPUT


class Unauthenticated(GatewayError):
    code = UNAUTHENTICATED

    def __init__(self, problem: str | None = None) -> None:
        super().__init__(problem or "Sign in to see account data.")


def public_error(
    error: GraphQLError, *, request_id: str, validation_errors: Set[int] = frozenset()
) -> GraphQLError:
    """The error as the client may see it (logging the ones that are bugs).

    `validation_errors`: ids of the errors validation reported, so that they can be
    told apart from bad variable values, which are also errors without a path.
    """
    if error.path is None:
        # About the request itself (syntax, validation, variables, a limit), never a
        # resolver: graphql-core's message is the right one to show. A limit's error
        # already carries its own code.
        given = (error.extensions or {}).get("code")
        if isinstance(given, str):
            code = given
        elif isinstance(error, GraphQLSyntaxError):
            code = GRAPHQL_PARSE_FAILED
        elif id(error) in validation_errors:
            code = GRAPHQL_VALIDATION_FAILED
        else:
            code = BAD_USER_INPUT
        return _rewrite(error, error.message, {**(error.extensions or {}), "code": code})
    original = error.original_error
    if original is None:
        return error
    if isinstance(original, GatewayError):
        return _rewrite(error, str(original), {"code": original.code})
    if isinstance(original, AdapterError):
        return _backend_error(error, original, request_id=request_id)
    if isinstance(original, GraphQLError):  # raised on purpose by graphql-core or strawberry
        return error
    logger.error(
        "request %s: unexpected error at %s",
        request_id,
        ".".join(map(str, error.path or ())),
        exc_info=original,
    )
    return _rewrite(
        error, "Internal error", {"code": INTERNAL_SERVER_ERROR, "requestId": request_id}
    )


def _backend_error(error: GraphQLError, original: AdapterError, *, request_id: str) -> GraphQLError:
    system = original.system
    name = SYSTEM_NAMES.get(system, "A system the co-op relies on")
    where = ".".join(map(str, error.path or ()))
    if isinstance(original, BackendUnavailable):
        # Not a warning per field: an outage fails every field that needs the system, so
        # it is logged once per change by the system's breaker
        # (`gateway.core.resilience.breaker`) and counted in `gateway_backend_failures`.
        logger.debug("request %s: %s unavailable at %s: %s", request_id, system, where, original)
        message, code = f"{name} is not available right now.", BACKEND_UNAVAILABLE
    elif isinstance(original, NotFound):
        logger.warning(
            "request %s: %s has no record for %s: %s", request_id, system, where, original
        )
        message, code = f"{name} has no record of this.", NOT_FOUND
    else:
        level = logging.WARNING if isinstance(original, BackendFault) else logging.ERROR
        logger.log(level, "request %s: %s failed at %s: %s", request_id, system, where, original)
        message, code = f"{name} could not answer this request.", BACKEND_ERROR
    return _rewrite(error, message, {"code": code, "system": system, "requestId": request_id})


def _rewrite(error: GraphQLError, message: str, extensions: dict[str, object]) -> GraphQLError:
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=None,
        extensions=extensions,
    )


class ErrorMasking(SchemaExtension):
    """Turns every error of a result into its public form once execution is over."""

    def __init__(self) -> None:
        self._validation_errors: frozenset[int] = frozenset()

    def on_validate(self) -> Iterator[None]:
        yield
        found = self.execution_context.pre_execution_errors or ()
        self._validation_errors = frozenset(id(error) for error in found)

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is None or not result.errors:
            return
        request_id = getattr(self.execution_context.context, "request_id", "-")
        result.errors = [
            public_error(error, request_id=request_id, validation_errors=self._validation_errors)
            for error in result.errors
        ]
