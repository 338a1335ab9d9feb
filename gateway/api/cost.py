"""What an operation will cost, known before any resolver runs, and refused when too much.

The model counts the objects resolvers build and the points of long series:

- a field of an object, interface or union type costs 1, a scalar or enum field 0;
- a field with a `first` argument (a connection) costs 1 plus its selection, in which
  the list (its `edges`) holds `first` items (as sent, else the resolver's default);
- any other list of objects is assumed to hold `ASSUMED_LIST_LENGTH` items, each
  costing its selection;
- a field with an estimate of its own (usage: its points, from its range and interval)
  costs that estimate instead of 1, and that again for every list in its selection
  asked a second time under another alias (scalars cost nothing, but a series' arrays
  are as long as its points: a year of hours with its timestamps under 199 aliases
  would be an answer of 45 MB, built in seconds, for the cost of one);
- introspection costs 1 per top-level meta field, whatever it selects.

The cost depends on the variables (`bills(first: $n)`, a usage range), so it cannot be a
validation rule (validation is cached per document): it is computed per request, after
validation, and a request over the limit ends there, as validation errors end one. Every
answer reports `extensions.cost: {requested, limit}`, which the rate limit
(`gateway.api.fairness`, right after this step) charges through `requested_cost`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_composite_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry.extensions import SchemaExtension
from strawberry.types import ExecutionContext

from gateway.api.shape import expanded_fields
from gateway.core.errors import QUERY_TOO_COMPLEX

# Lists that take no `first` (a member's accounts, a location's meters) are short.
ASSUMED_LIST_LENGTH: Final = 10
PAGE_SIZE_ARGUMENT: Final = "first"
# The key of the cost report in the answer's extensions.
COST_EXTENSION: Final = "cost"

# (type name, field name) -> its cost from its coerced arguments.
Estimate = Callable[[Mapping[str, Any]], int]
Estimates = Mapping[tuple[str, str], Estimate]


class _Unknown(Exception):
    """The document cannot be costed (bad variables): execution will refuse it anyway."""


class _Costing:
    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: VariableValues,
        estimates: Estimates,
    ) -> None:
        self._schema = schema
        self._variables = variables
        self._estimates = estimates
        self._fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }

    def selection(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType,
        *,
        page: int | None,
        seen: frozenset[str] = frozenset(),
    ) -> int:
        """The selection's cost; `page`: the length of its lists, set by a connection."""
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(selection, parent, page=page, seen=seen)
            elif isinstance(selection, InlineFragmentNode):
                on = parent
                if selection.type_condition is not None:
                    on = self._schema.get_type(selection.type_condition.name.value) or parent
                total += self.selection(selection.selection_set, on, page=page, seen=seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self._fragments.get(name)
                if fragment is None or name in seen:
                    continue  # validation refuses both; nothing to count
                on = self._schema.get_type(fragment.type_condition.name.value) or parent
                total += self.selection(fragment.selection_set, on, page=page, seen=seen | {name})
        return total

    def repeated_lists(self, selection_set: SelectionSetNode, parent: GraphQLNamedType) -> int:
        """How many of the selection's list fields repeat one selected before (under
        another alias), fragments included."""
        names = [
            field.name.value
            for field in self._fields(selection_set, frozenset())
            if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType)
            and field.name.value in parent.fields
            and isinstance(get_nullable_type(parent.fields[field.name.value].type), GraphQLList)
        ]
        return len(names) - len(set(names))

    def _fields(self, selection_set: SelectionSetNode, seen: frozenset[str]) -> Iterator[FieldNode]:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self._fields(selection.selection_set, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self._fragments.get(name)
                if fragment is not None and name not in seen:
                    yield from self._fields(fragment.selection_set, seen | {name})

    def field(
        self, node: FieldNode, parent: GraphQLNamedType, *, page: int | None, seen: frozenset[str]
    ) -> int:
        name = node.name.value
        if name.startswith("__"):
            return 0 if name == "__typename" else 1
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            return 0
        definition = parent.fields.get(name)
        if definition is None:
            return 0
        try:
            arguments = get_argument_values(definition, node, self._variables)
        except GraphQLError:
            raise _Unknown from None
        estimate = self._estimates.get((parent.name, name))
        named = get_named_type(definition.type)
        own = estimate(arguments) if estimate else int(is_composite_type(named))
        if node.selection_set is None:
            return own
        if estimate is not None:
            own *= 1 + self.repeated_lists(node.selection_set, named)
        inner_page: int | None = None
        times = 1
        if PAGE_SIZE_ARGUMENT in definition.args:
            first = arguments.get(PAGE_SIZE_ARGUMENT)
            inner_page = max(first, 0) if isinstance(first, int) else ASSUMED_LIST_LENGTH
        elif isinstance(get_nullable_type(definition.type), GraphQLList):
            times = ASSUMED_LIST_LENGTH if page is None else page
        below = self.selection(node.selection_set, named, page=inner_page, seen=seen)
        return own + times * below


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    estimates: Estimates,
) -> int | None:
    """The operation's cost; None when it cannot be known before execution refuses it."""
    operation: OperationDefinitionNode | None = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), dict(variables or {})
    )
    if isinstance(coerced, list):
        return None  # bad variable values: execution answers them before any resolver
    costing = _Costing(schema, document, coerced, estimates)
    try:
        return costing.selection(operation.selection_set, root, page=None)
    except _Unknown:
        return None


class CostBeforeValidation(SchemaExtension):
    """Refuses an operation whose cost is already over `limit` before it is validated.

    Validating a long document is the costliest step a refused request takes (the
    variable rules walk every field: 30 ms for 100 aliases of a year of hours), and a
    document over the cost limit is refused whether or not it is valid. So the cost is
    tried first, on the document as parsed: when it can be known (an invalid document
    may not be costable: validation then answers it) and is over the limit, validation
    is skipped (`ValidationUnlessRefused`). Only documents whose fields, fragments
    expanded, are within `max_fields` are walked: the expansion limit, a validation
    rule, has not run yet. A cost found here is kept for `CostLimit`, which then has
    nothing to compute again.
    """

    def __init__(self, *, limit: int, estimates: Estimates, max_fields: int) -> None:
        self._limit = limit
        self._estimates = estimates
        self._max_fields = max_fields

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if (
            context.pre_execution_errors is None
            and document is not None
            and expanded_fields(document) <= self._max_fields
        ):
            cost = _cost_if_known(
                context.schema._schema,
                document,
                operation_name=context.operation_name,
                variables=context.variables,
                estimates=self._estimates,
            )
            if cost is not None:
                context.extensions_results[COST_EXTENSION] = {
                    "requested": cost,
                    "limit": self._limit,
                }
                if cost > self._limit:
                    context.pre_execution_errors = [_too_complex(cost, self._limit)]
        yield


def _cost_if_known(
    schema: GraphQLSchema,
    document: DocumentNode,
    *,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
    estimates: Estimates,
) -> int | None:
    try:
        return operation_cost(
            schema,
            document,
            operation_name=operation_name,
            variables=variables,
            estimates=estimates,
        )
    except Exception:
        # Not yet validated: an unknown field, argument or type may trip the walk
        # anywhere. Validation will say what is wrong with it.
        return None


def _too_complex(cost: int, limit: int) -> GraphQLError:
    return GraphQLError(
        f"The query costs {cost}, more than the limit of {limit}:"
        " ask for fewer items, a shorter range or fewer accounts at once.",
        extensions={"code": QUERY_TOO_COMPLEX},
    )


class CostLimit(SchemaExtension):
    """Refuses an operation whose cost is over `limit`; reports the cost in every answer.

    Runs in the validation step, after the (cached) validation: it must come after
    `ValidationCache` in the schema's extensions, and counts only valid documents.
    """

    def __init__(self, *, limit: int, estimates: Estimates) -> None:
        self._limit = limit
        self._estimates = estimates

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        if context.pre_execution_errors is None or context.graphql_document is None:
            yield  # validation has not run (or there is no document): nothing to count
            return
        if not context.pre_execution_errors and COST_EXTENSION not in context.extensions_results:
            cost = operation_cost(
                context.schema._schema,
                context.graphql_document,
                operation_name=context.operation_name,
                variables=context.variables,
                estimates=self._estimates,
            )
            if cost is not None:
                # In the execution context's results rather than this extension's own,
                # so that the steps after this one can read it (`requested_cost`).
                context.extensions_results[COST_EXTENSION] = {
                    "requested": cost,
                    "limit": self._limit,
                }
            if cost is not None and cost > self._limit:
                # A new list: the validation cache's own (empty) one must stay empty.
                context.pre_execution_errors = [_too_complex(cost, self._limit)]
        yield


def requested_cost(context: ExecutionContext) -> int | None:
    """The cost `CostLimit` found for this request; None when it costed none."""
    report = context.extensions_results.get(COST_EXTENSION)
    if not isinstance(report, dict):
        return None
    requested = report.get("requested")
    return requested if isinstance(requested, int) else None
