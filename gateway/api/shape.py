"""Depth and aliases: limits on a document's shape, checked while it is validated.

Strawberry's `QueryDepthLimiter` and `MaxAliasesLimiter` do the counting; their errors
are given a code here, so that clients can tell a limit from a mistake. The rules are
made once per schema, not once per request: the validation cache keys its entries by
the rule classes, so new classes per request would never hit it.

Both walk every fragment again wherever it is spread, as the cost does, so a few
hundred tokens of fragments that each spread the next one twice would keep them busy
for hours. The fields a document holds once its fragments are expanded are counted
first, in one pass that counts each fragment once, and a document over the limit is
refused (`QUERY_TOO_LARGE`) without the walkers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    ASTValidationRule,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)
from strawberry.extensions import AddValidationRules, MaxAliasesLimiter, QueryDepthLimiter

from gateway.core.errors import QUERY_TOO_DEEP, QUERY_TOO_LARGE, TOO_MANY_ALIASES


def expanded_fields(document: DocumentNode) -> int:
    """The fields of the document's operations with every fragment spread expanded,
    counted in time linear in the document (each fragment's count is kept)."""
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    counted: dict[str, int] = {}

    def count(selection_set: SelectionSetNode | None, visiting: frozenset[str]) -> int:
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += 1 + count(selection.selection_set, visiting)
            elif isinstance(selection, InlineFragmentNode):
                total += count(selection.selection_set, visiting)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is None or name in visiting:
                    continue  # unknown or cyclic: validation reports it
                if name not in counted:
                    counted[name] = count(fragment.selection_set, visiting | {name})
                total += counted[name]
        return total

    return sum(
        count(d.selection_set, frozenset())
        for d in document.definitions
        if isinstance(d, OperationDefinitionNode)
    )


def _expansion_rule(limit: int) -> type[ValidationRule]:
    class ExpansionLimit(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            if expanded_fields(context.document) > limit:
                message = f"The document holds more than {limit} fields, fragments expanded."
                context.report_error(GraphQLError(message, extensions={"code": QUERY_TOO_LARGE}))

    return ExpansionLimit


def _coded(rule: type[ASTValidationRule], code: str, *, expansion: int) -> type[ValidationRule]:
    """`rule`, whose errors carry `code`, skipped for a document that expands to more
    than `expansion` fields. Strawberry's limiters do all their work when they are
    made, so the context's error sink is swapped only around that."""

    class Coded(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            if expanded_fields(context.document) > expansion:
                return  # refused by the expansion limit; walking it would take too long
            report = context.on_error

            def with_code(error: GraphQLError) -> None:
                error.extensions = {**(error.extensions or {}), "code": code}
                report(error)

            context.on_error = with_code  # type: ignore[method-assign]
            try:
                rule(context)
            except (KeyError, ValueError):
                # The depth limiter assumes a valid document: it looks fragments up
                # without checking that they exist, and takes the max() of selections
                # that may be empty. graphql-core's own rules report both.
                pass
            finally:
                context.on_error = report  # type: ignore[method-assign]

    Coded.__name__ = f"Coded{rule.__name__}"
    return Coded


def shape_rules(
    *, max_depth: int, max_aliases: int, max_fields: int
) -> list[type[ASTValidationRule]]:
    [depth] = QueryDepthLimiter(max_depth=max_depth).validation_rules
    [aliases] = MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules
    return [
        _expansion_rule(max_fields),
        _coded(depth, QUERY_TOO_DEEP, expansion=max_fields),
        _coded(aliases, TOO_MANY_ALIASES, expansion=max_fields),
    ]


def shape_limits(*, max_depth: int, max_aliases: int, max_fields: int) -> Callable[[], Any]:
    """A factory of the extension adding the rules (Strawberry makes one per request)."""
    rules = shape_rules(max_depth=max_depth, max_aliases=max_aliases, max_fields=max_fields)
    return lambda: AddValidationRules(rules)
