"""The executor's shortcuts (lists of scalars, plain objects): the same answers and errors
as the regular path."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Any, ClassVar, NewType

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.api.execution import COERCED_KEPT_FROM_ITEMS, InMemoryExecutionContext


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
    def whole_floats(self) -> list[float]:
        return [1, 2.5]  # coerced: 1.0, 2.5

    @strawberry.field
    def infinite(self) -> list[float | None]:
        return [1.0, None, float("inf")]

    @strawberry.field
    def words(self) -> list[str]:
        return ["a", "b"]

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
        "{ wholeFloats infinite words }",
        "{ nullInNonNull }",
        "{ notANumber }",
        "{ floats nullInNonNull notANumber }",
    ],
)
def test_answers_and_errors_match_the_item_by_item_path(query: str) -> None:
    assert run(InMemoryExecutionContext, query) == run(StrawberryGraphQLCoreExecutionContext, query)


def test_a_bad_item_is_reported_at_its_own_index() -> None:
    data, errors = run(InMemoryExecutionContext, "{ notANumber }")

    assert data == {"notANumber": [1, None, 3]}
    assert [path for _, path in errors] == [["notANumber", 1]]


def test_items_already_answered_are_passed_on_as_they_are() -> None:
    data, _ = run(InMemoryExecutionContext, "{ floats wholeFloats words }")

    assert data == {"floats": [1.5, 2.0, 3.25], "wholeFloats": [1.0, 2.5], "words": ["a", "b"]}
    assert [type(value) for value in data["wholeFloats"]] == [float, float]


# A long tuple coerced once: a custom scalar that counts what it serializes.
Counted = NewType("Counted", int)
COUNTED: list[int] = []


def serialize_counted(value: int) -> str:
    COUNTED.append(value)
    return f"#{value}"


COUNTING = StrawberryConfig(
    scalar_map={Counted: strawberry.scalar(name="Counted", serialize=serialize_counted)}
)
LONG = tuple(Counted(number) for number in range(COERCED_KEPT_FROM_ITEMS))


@strawberry.type
class LongQuery:
    @strawberry.field
    def same(self) -> Sequence[Counted]:
        return LONG

    @strawberry.field
    def fresh(self) -> Sequence[Counted]:
        return LONG[1:]  # a new tuple every time


LONG_SCHEMAS = {
    kind: strawberry.Schema(LongQuery, execution_context_class=kind, config=COUNTING)
    for kind in (InMemoryExecutionContext, StrawberryGraphQLCoreExecutionContext)
}


def run_long(execution_context_class: Any, query: str) -> Any:
    result = LONG_SCHEMAS[execution_context_class].execute_sync(query)
    assert result.errors is None
    return result.data


def test_the_same_long_tuple_is_coerced_once() -> None:
    plain = run_long(StrawberryGraphQLCoreExecutionContext, "{ same fresh }")
    COUNTED.clear()

    first = run_long(InMemoryExecutionContext, "{ same fresh }")
    again = run_long(InMemoryExecutionContext, "{ same fresh }")

    assert first == again == plain
    assert len(COUNTED) == len(LONG) + 2 * (len(LONG) - 1)  # `fresh` each time, `same` once


# Plain objects: attributes completed by a plan, with the regular path as the fallback.


@strawberry.type
class Period:
    start: str
    end: str | None


@strawberry.type
class Item:
    label: str
    amount: float
    flag: Flag
    period: Period
    spare: Period | None
    readings: list[float]

    @strawberry.field
    def doubled(self) -> float:
        return self.amount * 2


def item(label: str, amount: float = 1.5, period: Period | None = None) -> Item:
    return Item(
        label=label,
        amount=amount,
        flag=Flag.ON,
        period=period or Period(start="2026-01-01", end=None),
        spare=None,
        readings=[0.5, 1.0],
    )


@strawberry.type
class PlainQuery:
    @strawberry.field
    def items(self) -> list[Item]:
        return [item("a"), item("b", 2.25)]

    @strawberry.field
    def broken_period(self) -> list[Item]:
        # A resolver bug, on purpose: a null in a non-null attribute of the second item.
        return [item("a"), item("b", period=Period(start=None, end="x"))]  # type: ignore[arg-type]

    @strawberry.field
    def not_a_float(self) -> list[Item]:
        return [item("a"), item("b", amount="lots")]  # type: ignore[arg-type]


class FieldNames(InMemoryExecutionContext):
    """Records the fields graphql-core executed one by one."""

    executed: ClassVar[list[str]] = []

    def execute_field(self, parent_type: Any, source: Any, details: Any, *rest: Any) -> Any:
        FieldNames.executed.append(f"{parent_type.name}.{details[0].node.name.value}")
        return super().execute_field(parent_type, source, details, *rest)


def run_plain(
    execution_context_class: Any,
    query: str,
    variables: dict[str, Any] | None = None,
    **options: Any,
) -> tuple[Any, list[tuple[str, list[Any]]]]:
    schema = strawberry.Schema(
        PlainQuery, execution_context_class=execution_context_class, **options
    )
    result = schema.execute_sync(query, variable_values=variables)
    return result.data, [(e.message, list(e.path or ())) for e in result.errors or ()]


PLAIN_QUERIES = [
    "{ items { label amount flag readings period { start end } spare { start } } }",
    "{ items { __typename first: label label p: period { __typename s: start } } }",
    "{ items { ...Row period { ... on Period { end } } } } fragment Row on Item { label flag }",
    "{ items { label doubled period { start } } }",
    "{ brokenPeriod { label period { start end } } }",
    "{ notAFloat { label amount } }",
]


@pytest.mark.parametrize("query", PLAIN_QUERIES)
def test_plain_objects_answer_as_the_regular_path_does(query: str) -> None:
    assert run_plain(InMemoryExecutionContext, query) == run_plain(
        StrawberryGraphQLCoreExecutionContext, query
    )


@pytest.mark.parametrize("show", [True, False])
def test_skip_and_include_still_apply(show: bool) -> None:
    query = "query Q($show: Boolean!) { items { label amount @include(if: $show) } }"

    data, errors = run_plain(InMemoryExecutionContext, query, {"show": show})

    assert errors == []
    assert data == {
        "items": [
            {"label": "a", "amount": 1.5} if show else {"label": "a"},
            {"label": "b", "amount": 2.25} if show else {"label": "b"},
        ]
    }


def test_attributes_are_read_without_executing_each_field() -> None:
    FieldNames.executed = []

    run_plain(FieldNames, "{ items { label doubled period { start } } }")

    # `doubled` has a resolver, so `Item` takes the regular path; `Period` is all
    # attributes and does not.
    assert "Item.doubled" in FieldNames.executed
    assert not any(name.startswith("Period.") for name in FieldNames.executed)
    FieldNames.executed = []

    run_plain(FieldNames, "{ items { label amount period { start } } }")

    assert FieldNames.executed == ["PlainQuery.items"]


def test_a_null_in_a_non_null_attribute_is_reported_at_its_path() -> None:
    data, errors = run_plain(InMemoryExecutionContext, "{ brokenPeriod { period { start } } }")

    assert data is None
    assert [path for _, path in errors] == [["brokenPeriod", 1, "period", "start"]]


def test_middleware_still_sees_every_attribute() -> None:
    seen: list[str] = []

    class Watch(SchemaExtension):
        def resolve(self, next_: Any, root: Any, info: Any, **kwargs: Any) -> Any:
            seen.append(info.field_name)
            return next_(root, info, **kwargs)

    run_plain(InMemoryExecutionContext, "{ items { label period { end } } }", extensions=[Watch])

    assert seen.count("label") == 2
    assert seen.count("end") == 2
