"""Validation, once per distinct document, and not at all for a refused request."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import ValidationCache


class ValidationUnlessRefused(ValidationCache):
    """Strawberry's validation cache, skipped when an earlier step of the validation
    already refused the request (`gateway.api.cost.CostBeforeValidation`): validating a
    document that will be refused anyway is the costliest work it could cause."""

    def on_validate(self) -> Iterator[None]:
        if self.execution_context.pre_execution_errors:
            yield
            return
        yield from super().on_validate()
