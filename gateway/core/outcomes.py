"""Outcomes that the member-facing services share; the schema turns each into its type."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AccountHidden:
    """Not found, not the viewer's, or not theirs to change: the same answer for all, so
    that the API never confirms that an account exists to someone who may not see it."""


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """An input the service refused before changing anything."""

    field: str  # as named in the GraphQL input: "billingAddress.zip"
    message: str
