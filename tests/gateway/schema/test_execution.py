"""Lists of scalars completed in one pass: the same answers and errors as item by item."""

from __future__ import annotations

from enum import Enum
from typing import Any

import pytest
import strawberry
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.schema.execution import LeafListExecutionContext


@strawberry.enum
class Flag(Enum):
    ON = "on"
    OFF = "off"


@strawberry.type
class Query:
    @strawberry.field
    def floats(self) -> list[float]:
        return [1.5, 2.0, 3.25]

    @strawberry.field
    def gaps(self) -> list[float | None]:
        return [1.0, None, 3.0]

    @strawberry.field
    def flags(self) -> list[Flag]:
        return [Flag.ON, Flag.OFF]

    @strawberry.field
    def null_in_non_null(self) -> list[int]:
        return [1, None, 3]  # type: ignore[list-item]  # a resolver bug, on purpose

    @strawberry.field
    def not_a_number(self) -> list[int | None]:
        return [1, "x", 3]  # type: ignore[list-item]  # a resolver bug, on purpose


def run(execution_context_class: Any, query: str) -> tuple[Any, list[tuple[str, list[Any]]]]:
    schema = strawberry.Schema(Query, execution_context_class=execution_context_class)
    result = schema.execute_sync(query)
    return result.data, [(e.message, list(e.path or ())) for e in result.errors or ()]


@pytest.mark.parametrize(
    "query",
    [
        "{ floats gaps flags }",
        "{ nullInNonNull }",
        "{ notANumber }",
        "{ floats nullInNonNull notANumber }",
    ],
)
def test_answers_and_errors_match_the_item_by_item_path(query: str) -> None:
    assert run(LeafListExecutionContext, query) == run(StrawberryGraphQLCoreExecutionContext, query)


def test_a_bad_item_is_reported_at_its_own_index() -> None:
    data, errors = run(LeafListExecutionContext, "{ notANumber }")

    assert data == {"notANumber": [1, None, 3]}
    assert [path for _, path in errors] == [["notANumber", 1]]
