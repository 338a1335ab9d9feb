"""The schema as SDL: `schema.graphql` in the repository is this function's output."""

from __future__ import annotations

from graphql import build_schema, find_breaking_changes, find_dangerous_changes
from strawberry.printer import print_schema

from gateway.schema import schema


def export_schema() -> str:
    return print_schema(schema) + "\n"


def describe_changes(old_sdl: str, new_sdl: str) -> list[str]:
    """Breaking, then dangerous, changes from `old_sdl` to `new_sdl`, one line each."""
    old, new = build_schema(old_sdl), build_schema(new_sdl)
    return [
        f"BREAKING {change.type.name}: {change.description}"
        for change in find_breaking_changes(old, new)
    ] + [
        f"dangerous {change.type.name}: {change.description}"
        for change in find_dangerous_changes(old, new)
    ]
