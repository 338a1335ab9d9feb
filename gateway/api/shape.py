"""Depth and aliases: limits on a document's shape, checked while it is validated.

Strawberry's `QueryDepthLimiter` and `MaxAliasesLimiter` do the counting; their errors
are given a code here, so that clients can tell a limit from a mistake. The rules are
made once per schema, not once per request: the validation cache keys its entries by
the rule classes, so new classes per request would never hit it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import ASTValidationRule, GraphQLError, ValidationContext, ValidationRule
from strawberry.extensions import AddValidationRules, MaxAliasesLimiter, QueryDepthLimiter

from gateway.core.errors import QUERY_TOO_DEEP, TOO_MANY_ALIASES


def _coded(rule: type[ASTValidationRule], code: str) -> type[ValidationRule]:
    """`rule`, whose errors carry `code`. Strawberry's limiters do all their work when
    they are made, so the context's error sink is swapped only around that."""

    class Coded(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
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


def shape_rules(*, max_depth: int, max_aliases: int) -> list[type[ASTValidationRule]]:
    [depth] = QueryDepthLimiter(max_depth=max_depth).validation_rules
    [aliases] = MaxAliasesLimiter(max_alias_count=max_aliases).validation_rules
    return [_coded(depth, QUERY_TOO_DEEP), _coded(aliases, TOO_MANY_ALIASES)]


def shape_limits(*, max_depth: int, max_aliases: int) -> Callable[[], Any]:
    """A factory of the extension adding both rules (Strawberry makes one per request)."""
    rules = shape_rules(max_depth=max_depth, max_aliases=max_aliases)
    return lambda: AddValidationRules(rules)
