"""Typed, user-facing outcomes shared by queries and mutations of several domains."""

from __future__ import annotations

import strawberry

from gateway.core.outcomes import FieldProblem


@strawberry.type(
    description="No such account, or not one the viewer may see: the API does not say which."
)
class AccountNotFound:
    number: str
    message: str = "No account with this number was found."


@strawberry.type(description="An input field was rejected; `field` names it as in the input.")
class ValidationError:
    field: str
    message: str

    @classmethod
    def of(cls, problem: FieldProblem) -> ValidationError:
        return cls(field=problem.field, message=problem.message)
