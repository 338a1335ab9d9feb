"""The gateway's GraphQL schema, assembled from one module per domain."""

from __future__ import annotations

from functools import partial
from typing import Any, Final

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from gateway.accounts.schema import AccountQueries
from gateway.api.execution import InMemoryExecutionContext
from gateway.api.scalars import SCALARS
from gateway.audit.reads import AuditAccountReads
from gateway.core.errors import ErrorMasking, public_error
from gateway.members.contact_schema import ContactMutations
from gateway.members.registration_schema import RegistrationMutations, RegistrationQueries
from gateway.outages.schema import OutageMutations
from gateway.staff.schema import StaffQueries
from gateway.viewer.schema import AuthMutations, AuthQueries

# Distinct query documents kept parsed and validated; bounded, since clients choose them.
DOCUMENT_CACHE_SIZE: Final = 512


@strawberry.type
class Query(AccountQueries, AuthQueries, StaffQueries, RegistrationQueries):
    pass


@strawberry.type
class Mutation(AuthMutations, OutageMutations, ContactMutations, RegistrationMutations):
    pass


class GatewaySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # ErrorMasking logs what deserves it; Strawberry's default would log every
        # expected error (a backend down, bad input) with a traceback.
        #
        # One kind of error escapes ErrorMasking: ParserCache raises a syntax error
        # from its hook, which ends the operation hooks early. Give it its public
        # form here (in place: this list is the result's).
        request_id = getattr(getattr(execution_context, "context", None), "request_id", "-")
        for index, error in enumerate(errors):
            if isinstance(error, GraphQLSyntaxError):
                errors[index] = public_error(error, request_id=request_id)


def build_schema(**overrides: Any) -> GatewaySchema:
    """The gateway's schema; `overrides` replace any of the options below (for tests)."""
    options: dict[str, Any] = {
        "query": Query,
        "mutation": Mutation,
        # Apps send the same few documents over and over: parse and validate each once.
        # (The caches live at module level; the extensions are built per request.)
        "extensions": [
            # First, so that it finishes last: it may withhold a result it cannot audit.
            AuditAccountReads,
            partial(ParserCache, maxsize=DOCUMENT_CACHE_SIZE),
            partial(ValidationCache, maxsize=DOCUMENT_CACHE_SIZE),
            ErrorMasking,
        ],
        "config": StrawberryConfig(scalar_map=SCALARS),
        "execution_context_class": InMemoryExecutionContext,
    }
    return GatewaySchema(**(options | overrides))


schema = build_schema()

__all__ = ["GatewaySchema", "Mutation", "Query", "build_schema", "schema"]
