"""Arguments moved out of a document into variables.

hypothesis-graphql writes every argument as a literal, but clients send variables,
and the gateway reads them on other paths: a scalar's `parse_value` instead of its
`parse_literal`, coercion errors before execution instead of validation errors, and
the cost model's reading of `first` and of a usage range. So some arguments become
`$v0`, `$v1`, ... of the argument's own type, with the literal's value as JSON; and
some of those values are then replaced by JSON of the wrong shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    GraphQLSchema,
    NameNode,
    OperationDefinitionNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse_type,
    value_from_ast_untyped,
    visit,
)

# Whether to move this argument into a variable; then its JSON value (given the value).
Choose = Callable[[], bool]
Replace = Callable[[Any], Any]


class _Lift(Visitor):
    def __init__(self, type_info: TypeInfo, choose: Choose, replace: Replace) -> None:
        super().__init__()
        self._type_info = type_info
        self._choose = choose
        self._replace = replace
        self.variables: dict[str, Any] = {}
        self.definitions: list[VariableDefinitionNode] = []

    def leave_argument(self, node: ArgumentNode, *_: object) -> ArgumentNode | None:
        # TypeInfoVisitor leaves the TypeInfo after this: it still knows the argument.
        argument = self._type_info.get_argument()
        if argument is None or not self._choose():
            return None
        name = f"v{len(self.variables)}"
        variable = VariableNode(name=NameNode(value=name))
        self.variables[name] = self._replace(value_from_ast_untyped(node.value))
        self.definitions.append(
            VariableDefinitionNode(variable=variable, type=parse_type(str(argument.type)))
        )
        return ArgumentNode(name=node.name, value=variable)


def lift_arguments(
    document: DocumentNode, schema: GraphQLSchema, *, choose: Choose, replace: Replace
) -> tuple[DocumentNode, dict[str, Any]]:
    """The document with the chosen arguments as variables, and the variables' values."""
    type_info = TypeInfo(schema)
    lift = _Lift(type_info, choose, replace)
    lifted: DocumentNode = visit(document, TypeInfoVisitor(type_info, lift))
    if not lift.definitions:
        return document, {}
    definitions = tuple(
        OperationDefinitionNode(
            operation=definition.operation,
            name=definition.name,
            directives=definition.directives,
            selection_set=definition.selection_set,
            variable_definitions=(*(definition.variable_definitions or ()), *lift.definitions),
        )
        if isinstance(definition, OperationDefinitionNode)
        else definition
        for definition in lifted.definitions
    )
    return DocumentNode(definitions=definitions), lift.variables
