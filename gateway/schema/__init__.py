"""The gateway's GraphQL schema, assembled from one module per domain."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from gateway.errors import ErrorMasking
from gateway.schema.accounts import AccountQueries
from gateway.schema.auth import AuthMutations, AuthQueries
from gateway.schema.outages import OutageMutations
from gateway.schema.scalars import SCALARS


@strawberry.type
class Query(AccountQueries, AuthQueries):
    pass


@strawberry.type
class Mutation(AuthMutations, OutageMutations):
    pass


class GatewaySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # ErrorMasking logs what deserves it; Strawberry's default would log every
        # expected error (a backend down, bad input) with a traceback.
        return


def build_schema(**overrides: Any) -> GatewaySchema:
    return GatewaySchema(
        query=Query,
        mutation=Mutation,
        extensions=[ErrorMasking],
        config=StrawberryConfig(scalar_map=SCALARS),
        **overrides,
    )


schema = build_schema()

__all__ = ["GatewaySchema", "Mutation", "Query", "build_schema", "schema"]
