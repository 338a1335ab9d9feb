"""graphql-core's executor with one shortcut: lists of scalars are completed in one pass.

Usage series are parallel arrays (a year of hours is 8,760 points, four arrays of
them). graphql-core completes every list item on its own: a path entry, an
awaitable check and error handling per item, which costs more than the data. For a
list whose items are a scalar or enum and already in memory, coercing them in one
comprehension gives the same values. When anything is unusual (an item that fails
to coerce, an awaitable, a null where none is allowed) the list goes down the
regular path, which reports the error at the item's own path as the spec asks.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    Undefined,
    get_nullable_type,
    is_non_null_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext


class LeafListExecutionContext(StrawberryGraphQLCoreExecutionContext):
    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[list[Any]]:
        item_type = return_type.of_type
        leaf = get_nullable_type(item_type)
        if isinstance(leaf, GraphQLScalarType | GraphQLEnumType) and isinstance(
            result, list | tuple
        ):
            completed = _coerce_all(leaf, result, non_null=is_non_null_type(item_type))
            if completed is not None:
                return completed
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )


def _coerce_all(
    leaf: GraphQLScalarType | GraphQLEnumType,
    items: list[Any] | tuple[Any, ...],
    *,
    non_null: bool,
) -> list[Any] | None:
    """The coerced items, or None when the list needs the item-by-item path."""
    coerce = leaf.coerce_output_value
    try:
        if non_null:
            completed = [coerce(item) for item in items]
        else:
            completed = [None if item is None else coerce(item) for item in items]
    except Exception:
        return None  # the regular path reports the failing item at its own path
    for item, value in zip(items, completed, strict=True):
        if (value is None or value is Undefined) and (non_null or item is not None):
            return None
    return completed
