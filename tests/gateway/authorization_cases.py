"""Calls of every account-scoped field, generated from the schema for the matrix test.

A root field (of Query or Mutation) is account-scoped when one of its arguments, or a
field of an input object it takes (at any depth), names an account (`number`,
`accountNumber`, anything with "account" in it), or when its result can reach the
`Account` type. For each, `build_cases` writes a document that asks for one account,
the one given as `$target`: every account argument is `$target`, other required
arguments get plain sample values, and the result is selected in full (leaf fields
to a small depth). A field whose result includes `Account` directly also gets one
case per field of `Account`, so fields added to `Account` later are covered too.

Anything it cannot write a call for (an account argument that is not a String, an
argument of a scalar it has no sample for) is reported in `Cases.uncovered`, which
the matrix test requires to be empty: a new account-scoped field never goes untested.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
    is_required_argument,
    is_required_input_field,
)

ACCOUNT_TYPE: Final = "Account"
TARGET: Final = "$target"
_ACCOUNT_NAME: Final = re.compile(r"(?i)account|^number$")
MAX_DEPTH: Final = 3

# Sample values by argument name (a substring of it), then by scalar type.
_BY_NAME: Final = (
    ("email", '"someone.else@example.com"'),
    ("password", '"orchard-lamp-vivid-2718"'),
    ("phone", '"505-555-0142"'),
    ("zip", '"87035"'),
    ("state", '"NM"'),
)
_BY_SCALAR: Final = {
    "String": TARGET,  # any other lookup by string tries the target account too
    "ID": '"1"',
    "Int": "1",
    "Float": "1.0",
    "Boolean": "false",
    "Date": '"2026-10-01"',
    "DateTime": '"2026-10-01T00:00:00-06:00"',
    "Money": '"1.00"',
}


class CannotBuild(Exception):
    pass


@dataclass(frozen=True, slots=True)
class Case:
    name: str  # "Query.account", "Query.account>usage", "Mutation.inviteToAccount"
    operation: str  # "query" | "mutation"
    document: str  # asks for the account in the variable $target, if for one
    takes_account: bool  # True: scoped by an argument; False: only returns account data


@dataclass(slots=True)
class Cases:
    cases: list[Case] = field(default_factory=list)
    uncovered: list[str] = field(default_factory=list)


def _is_account_name(name: str) -> bool:
    return bool(_ACCOUNT_NAME.search(name))


def _unwrap(type_: Any) -> Any:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return type_


def reaches_account(type_: GraphQLOutputType, seen: set[str] | None = None) -> bool:
    named = get_named_type(type_)
    seen = set() if seen is None else seen
    if named.name == ACCOUNT_TYPE:
        return True
    if named.name in seen:
        return False
    seen.add(named.name)
    if isinstance(named, GraphQLUnionType):
        return any(reaches_account(member, seen) for member in named.types)
    if isinstance(named, GraphQLObjectType):
        return any(reaches_account(f.type, seen) for f in named.fields.values())
    return False


def _input_names_account(type_: GraphQLInputType, seen: set[str]) -> bool:
    named = _unwrap(type_)
    if not isinstance(named, GraphQLInputObjectType) or named.name in seen:
        return False
    seen.add(named.name)
    return any(
        _is_account_name(name) or _input_names_account(f.type, seen)
        for name, f in named.fields.items()
    )


def takes_account(field_: GraphQLField) -> bool:
    return any(
        _is_account_name(name) or _input_names_account(arg.type, set())
        for name, arg in field_.args.items()
    )


def _value(name: str, type_: GraphQLInputType) -> str:
    if isinstance(type_, GraphQLNonNull):
        return _value(name, type_.of_type)
    if isinstance(type_, GraphQLList):
        return f"[{_value(name, type_.of_type)}]"
    if isinstance(type_, GraphQLInputObjectType):
        return "{" + ", ".join(_input_fields(type_)) + "}"
    if isinstance(type_, GraphQLEnumType):
        first: str = next(iter(type_.values))
        return first
    assert isinstance(type_, GraphQLScalarType)
    if _is_account_name(name):
        if type_.name != "String":
            raise CannotBuild(f"the account argument `{name}` is a {type_.name}, not a String")
        return TARGET
    for part, sample in _BY_NAME:
        if part in name.lower() and type_.name == "String":
            return sample
    if type_.name not in _BY_SCALAR:
        raise CannotBuild(f"no sample value for `{name}: {type_.name}`")
    return _BY_SCALAR[type_.name]


def _wanted(name: str, argument: GraphQLArgument | GraphQLInputField) -> bool:
    required = (
        is_required_argument(argument)
        if isinstance(argument, GraphQLArgument)
        else is_required_input_field(argument)
    )
    return required or _is_account_name(name) or _input_names_account(argument.type, set())


def _input_fields(type_: GraphQLInputObjectType) -> list[str]:
    return [f"{n}: {_value(n, f.type)}" for n, f in type_.fields.items() if _wanted(n, f)]


def _arguments(field_: GraphQLField) -> str:
    given = [f"{n}: {_value(n, a.type)}" for n, a in field_.args.items() if _wanted(n, a)]
    return f"({', '.join(given)})" if given else ""


def _selection(type_: GraphQLNamedType, depth: int, account: str | None = None) -> str:
    """`{ ... }` for `type_`; `account` is what to select of an `Account`."""
    if isinstance(type_, GraphQLUnionType):
        parts = ["__typename"] + [
            f"... on {member.name} {_selection(member, depth, account)}" for member in type_.types
        ]
        return "{ " + " ".join(parts) + " }"
    assert isinstance(type_, GraphQLObjectType)
    if type_.name == ACCOUNT_TYPE:
        return "{ " + (account or "number") + " }"
    parts = ["__typename"]
    for name, child in type_.fields.items():
        named = get_named_type(child.type)
        try:
            arguments = _arguments(child)
        except CannotBuild:
            continue  # a nested field, not account-scoped itself: the selection goes without
        if is_leaf_type(named):
            parts.append(name + arguments)
        elif depth < MAX_DEPTH:
            parts.append(name + arguments + " " + _selection(named, depth + 1, account))
    return "{ " + " ".join(parts) + " }"


def _includes_account(type_: GraphQLOutputType) -> bool:
    named = get_named_type(type_)
    if isinstance(named, GraphQLUnionType):
        return any(member.name == ACCOUNT_TYPE for member in named.types)
    return named.name == ACCOUNT_TYPE


def _document(operation: str, name: str, field_: GraphQLField, account: str | None) -> str:
    call = name + _arguments(field_) + " " + _selection(get_named_type(field_.type), 1, account)
    variables = "($target: String!) " if TARGET in call else ""
    return f"{operation} {variables}{{ {call} }}"


def build_cases(schema: GraphQLSchema) -> Cases:
    found = Cases()
    account_type = schema.type_map.get(ACCOUNT_TYPE)
    assert isinstance(account_type, GraphQLObjectType), "the schema has no Account type"
    for operation, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        if root is None:
            continue
        for name, field_ in root.fields.items():
            scoped = takes_account(field_)
            if not scoped and not reaches_account(field_.type):
                continue
            label = f"{root.name}.{name}"
            try:
                found.cases.append(
                    Case(label, operation, _document(operation, name, field_, None), scoped)
                )
                if scoped and _includes_account(field_.type):
                    for account_field_name, account_field in account_type.fields.items():
                        selection = account_field_name + _arguments(account_field)
                        named = get_named_type(account_field.type)
                        if not is_leaf_type(named):
                            selection += " " + _selection(named, 2)
                        found.cases.append(
                            Case(
                                f"{label}>{account_field_name}",
                                operation,
                                _document(operation, name, field_, selection),
                                True,
                            )
                        )
            except CannotBuild as reason:
                found.uncovered.append(f"{label}: {reason}")
    return found
