"""graphql-core's executor with two shortcuts for data that is already in memory.

Lists of scalars: usage series are parallel arrays (a year of hours is 8,760 points,
four arrays of them). graphql-core completes every list item on its own: a path
entry, an awaitable check and error handling per item, which costs more than the
data. For a list whose items are a scalar or enum and already in memory, coercing
them in one comprehension gives the same values. Cheaper still, items that are
already what a built-in scalar answers (finite floats for Float, bools for Boolean,
strings for String and ID) are checked in bulk and passed on as they are; and a long
tuple coerced lately (a year of local hours, the same tuple for every request over
those hours, whose ISO texts cost more than the rest of the answer) is coerced once.

Plain objects: a page of bills is a few hundred fields that are only attributes of
objects the resolvers already built (`Bill.amount`, `ServicePeriod.start`, ...).
graphql-core resolves each through its resolver, info object, path and completion.
When every field selected on an object is such an attribute (strawberry's default
resolver, no arguments, no field extensions, no middleware) and holds a scalar, an
enum or another such object, a plan made once per selection reads the attributes
and coerces them directly. Fields with resolvers or extensions (every `Account`
field, which the staff audit notes) never take it.

When anything is unusual (a value that fails to coerce, an awaitable, a null where
none is allowed, a deferred fragment, an abstract type) the value goes down the
regular path, which reports the error at its own path as the spec asks.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLList,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
    get_nullable_type,
    is_non_null_type,
)
from graphql.execution.collect_fields import FieldDetailsList
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField

TYPENAME: Final = "__typename"
# Tuples at least this long are kept once coerced: hours of a quarter and more, and
# longer than any series of days (three years at most), whose tuples are new for every
# request and would only push the hours out. How many: as many as the usage series'
# local hours (`gateway.usage.series.LOCAL_HOURS_KEPT`).
COERCED_KEPT_FROM_ITEMS: Final = 2_000
COERCED_KEPT: Final = 8


class _Fallback(Exception):
    """This value needs graphql-core's regular path."""


@dataclass(frozen=True, slots=True)
class _Leaf:
    response_name: str
    read: Callable[[Any], Any]
    coerce: Callable[[Any], Any]
    non_null: bool


@dataclass(frozen=True, slots=True)
class _LeafList:
    response_name: str
    read: Callable[[Any], Any]
    item_type: GraphQLScalarType | GraphQLEnumType
    non_null_items: bool
    non_null: bool


@dataclass(frozen=True, slots=True)
class _Nested:
    response_name: str
    read: Callable[[Any], Any]
    plan: _ObjectPlan
    non_null: bool


@dataclass(frozen=True, slots=True)
class _TypeName:
    response_name: str
    name: str


@dataclass(frozen=True, slots=True)
class _ObjectPlan:
    """How to complete one selection on one object type from attributes alone."""

    object_type: GraphQLObjectType
    entries: tuple[_Leaf | _LeafList | _Nested | _TypeName, ...]

    def complete(self, source: Any, info: GraphQLResolveInfo[Any]) -> dict[str, Any]:
        is_type_of = self.object_type.is_type_of
        if is_type_of is not None and is_type_of(source, info) is not True:
            raise _Fallback
        completed: dict[str, Any] = {}
        for entry in self.entries:
            if isinstance(entry, _TypeName):
                completed[entry.response_name] = entry.name
                continue
            value = entry.read(source)
            if value is None:
                if entry.non_null:
                    raise _Fallback
                completed[entry.response_name] = None
            elif isinstance(entry, _Leaf):
                coerced = entry.coerce(value)
                if coerced is None or coerced is Undefined:
                    raise _Fallback
                completed[entry.response_name] = coerced
            elif isinstance(entry, _LeafList):
                if not isinstance(value, list | tuple):
                    raise _Fallback
                items = _coerce_all(entry.item_type, value, non_null=entry.non_null_items)
                if items is None:
                    raise _Fallback
                completed[entry.response_name] = items
            else:
                completed[entry.response_name] = entry.plan.complete(value, info)
        return completed


def _attribute_reader(field: StrawberryField) -> Callable[[Any], Any]:
    resolve = field.default_resolver
    name = field.python_name
    return lambda source: resolve(source, name)


class InMemoryExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context with the shortcuts above."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per operation: keyed like graphql-core's own memo of collected subfields.
        self._object_plans: dict[tuple[GraphQLObjectType, int], _ObjectPlan | None] = {}

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

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> AwaitableOrValue[dict[str, Any]]:
        plan = self._plan_for(return_type, field_details_list)
        if plan is not None:
            try:
                return plan.complete(result, info)
            except Exception:  # noqa: S110 - the regular path reports it properly
                pass
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _plan_for(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> _ObjectPlan | None:
        # The list is kept alive by graphql-core's memo of collected subfields (made
        # below), so its id is not reused while this operation runs.
        key = (object_type, id(field_details_list))
        if key not in self._object_plans:
            self._object_plans[key] = self._make_plan(object_type, field_details_list)
        return self._object_plans[key]

    def _make_plan(
        self, object_type: GraphQLObjectType, field_details_list: FieldDetailsList
    ) -> _ObjectPlan | None:
        if self.middleware_manager is not None and self.middleware_manager.middlewares:
            return None  # middleware wraps every resolver, attributes included
        grouped, deferred, forbidden = self.collect_subfields(object_type, field_details_list)
        if deferred or forbidden:
            return None
        entries: list[_Leaf | _LeafList | _Nested | _TypeName] = []
        for response_name, details in grouped.items():
            node = details[0].node
            if node.name.value == TYPENAME:
                entries.append(_TypeName(response_name, object_type.name))
                continue
            field_def = self.schema.get_field(object_type, node.name.value)
            if field_def is None or field_def.args or node.arguments:
                return None
            if not getattr(field_def.resolve, "_is_default", False):
                return None
            field = field_def.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if not isinstance(field, StrawberryField) or not field.is_basic_field:
                return None
            non_null = is_non_null_type(field_def.type)
            value_type = get_nullable_type(field_def.type)
            read = _attribute_reader(field)
            if isinstance(value_type, GraphQLScalarType | GraphQLEnumType):
                entries.append(_Leaf(response_name, read, value_type.coerce_output_value, non_null))
            elif isinstance(value_type, GraphQLList) and isinstance(
                item_type := get_nullable_type(value_type.of_type),
                GraphQLScalarType | GraphQLEnumType,
            ):
                non_null_items = is_non_null_type(value_type.of_type)
                entries.append(_LeafList(response_name, read, item_type, non_null_items, non_null))
            elif isinstance(value_type, GraphQLObjectType):
                nested = self._plan_for(value_type, details)
                if nested is None:
                    return None
                entries.append(_Nested(response_name, read, nested, non_null))
            else:
                return None  # lists of objects and abstract types take the regular path
        return _ObjectPlan(object_type, tuple(entries))


def _coerce_all(
    leaf: GraphQLScalarType | GraphQLEnumType,
    items: list[Any] | tuple[Any, ...],
    *,
    non_null: bool,
) -> list[Any] | None:
    """The coerced items, or None when the list needs the item-by-item path."""
    if _answered_as_they_are(leaf, items, non_null=non_null):
        return list(items)
    kept = _COERCED.get(leaf, items)
    if kept is not None:
        return kept
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
    _COERCED.keep(leaf, items, completed)
    return completed


# The built-in scalars that answer an item of exactly this type with the item itself.
_SAME_OUT: Final[dict[GraphQLScalarType, type]] = {
    GraphQLFloat: float,  # if finite: JSON has no NaN or infinity
    GraphQLBoolean: bool,
    GraphQLString: str,
    GraphQLID: str,
}


def _answered_as_they_are(
    leaf: GraphQLScalarType | GraphQLEnumType, items: list[Any] | tuple[Any, ...], *, non_null: bool
) -> bool:
    kind = _SAME_OUT.get(leaf) if isinstance(leaf, GraphQLScalarType) else None
    if kind is None:
        return False
    kinds = set(map(type, items))
    if not non_null:
        kinds.discard(type(None))
    if not kinds <= {kind}:
        return False
    # filter(None, ...) drops the nulls (and zeros, which are finite anyway).
    return kind is not float or all(map(math.isfinite, filter(None, items)))


class _CoercedTuples:
    """Long tuples coerced lately, by identity, each kept with its coerced items.

    A tuple is immutable and so are the scalars' values in it (datetimes, floats), so
    the same tuple coerces to the same items again. Each entry holds its tuple, so
    that its id is not reused while it is kept.
    """

    def __init__(self, kept: int) -> None:
        self._kept = kept
        self._entries: OrderedDict[tuple[int, int], tuple[Any, tuple[Any, ...], list[Any]]] = (
            OrderedDict()
        )

    def get(self, leaf: Any, items: list[Any] | tuple[Any, ...]) -> list[Any] | None:
        if type(items) is not tuple or len(items) < COERCED_KEPT_FROM_ITEMS:
            return None
        entry = self._entries.get((id(leaf), id(items)))
        if entry is None or entry[1] is not items:
            return None
        self._entries.move_to_end((id(leaf), id(items)))
        return list(entry[2])  # a list of its own: a result may be changed by its owner

    def keep(self, leaf: Any, items: list[Any] | tuple[Any, ...], completed: list[Any]) -> None:
        if type(items) is not tuple or len(items) < COERCED_KEPT_FROM_ITEMS:
            return
        self._entries[(id(leaf), id(items))] = (leaf, items, list(completed))
        while len(self._entries) > self._kept:
            self._entries.popitem(last=False)


_COERCED: Final = _CoercedTuples(COERCED_KEPT)
