"""The parts of strawberry-graphql, graphql-core and zeep that our code uses beyond their
documented APIs, pinned by shape.

pyproject.toml bounds these three below their next minor release and uv.lock pins one
release of each. Before raising a bound, lock the new release and run this file: each
failure names the module of ours that relies on what changed. That module has to follow
the change before the bound can move.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLObjectType,
    GraphQLString,
    ValidationContext,
    parse,
)
from graphql.execution import Executor
from graphql.execution.collect_fields import CollectedFields, FieldDetails
from graphql.execution.middleware import MiddlewareManager
from graphql.utilities import TypeInfo
from strawberry.extensions import MaxAliasesLimiter, SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField
from zeep.transports import AsyncTransport
from zeep.wsdl.bindings import Soap11Binding

import adapters.oms
from adapters.multispeak import MultiSpeakEndpoint, load_wsdl_client
from gateway.schema import schema

EXECUTION = "gateway/api/execution.py"
MULTISPEAK = "adapters/multispeak.py"
SIMULATED_SOAP = "simulators/soap.py"


@dataclass(frozen=True)
class Pinned:
    """A callable we override, call or pass arguments to by name."""

    path: str  # module.attribute.attribute, imported from the longest module prefix
    parameters: tuple[str, ...]  # its parameter names, `self` left out
    used_by: str  # which module of ours relies on it, and how
    exact: bool = True  # False: these parameters must be among the callable's


SIGNATURES = [
    # graphql-core's executor: InMemoryExecutionContext overrides value completion.
    Pinned(
        "graphql.execution.Executor.complete_list_value",
        ("return_type", "field_details_list", "info", "path", "result", "position_context"),
        f"{EXECUTION}: InMemoryExecutionContext overrides it and calls it through super()",
    ),
    Pinned(
        "graphql.execution.Executor.complete_object_value",
        ("return_type", "field_details_list", "info", "path", "result", "position_context"),
        f"{EXECUTION}: InMemoryExecutionContext overrides it and calls it through super()",
    ),
    Pinned(
        "graphql.execution.Executor.collect_subfields",
        ("return_type", "field_details_list"),
        f"{EXECUTION}: InMemoryExecutionContext._make_plan collects an object's subfields",
    ),
    Pinned(
        "graphql.execution.Executor.__init__",
        ("schema", "middleware_manager"),
        f"{EXECUTION}: InMemoryExecutionContext reads self.schema and self.middleware_manager",
        exact=False,
    ),
    Pinned(
        "graphql.GraphQLSchema.get_field",
        ("parent_type", "field_name"),
        f"{EXECUTION}: InMemoryExecutionContext._make_plan looks up each selected field",
    ),
    Pinned(
        "graphql.GraphQLEnumType.coerce_output_value",
        ("output_value",),
        f"{EXECUTION}: the shortcuts coerce enum values themselves",
    ),
    # Strawberry: the schema takes our execution context; the HTTP layer and the error
    # masking hook into it.
    Pinned(
        "strawberry.Schema.__init__",
        ("execution_context_class", "extensions", "config"),
        "gateway/schema.py: build_schema passes InMemoryExecutionContext",
        exact=False,
    ),
    Pinned(
        "strawberry.Schema.process_errors",
        ("errors", "execution_context"),
        "gateway/schema.py: GatewaySchema overrides it",
    ),
    Pinned(
        "strawberry.Schema.execute",
        ("query", "variable_values", "context_value", "operation_name", "allowed_operation_types"),
        "gateway/http.py: GraphQLEndpoint._execute calls it with these keywords",
        exact=False,
    ),
    Pinned(
        "strawberry.types.base.get_object_definition",
        ("obj", "strict"),
        "gateway/audit/reads.py: the audited-type decorator reads the type's fields",
    ),
    Pinned(
        "strawberry.http.ides.get_graphql_ide_html",
        ("graphql_ide",),
        "gateway/http.py: serves GraphiQL with it",
    ),
    # The request limits: the cost is worked out with graphql-core's own coercion of
    # variables and arguments; Strawberry's limiters lend their rules to gateway/api/shape.py.
    Pinned(
        "graphql.execution.values.get_variable_values",
        ("schema", "var_def_nodes", "inputs"),
        "gateway/api/cost.py: operation_cost coerces the variables with it",
        exact=False,
    ),
    Pinned(
        "graphql.execution.values.get_argument_values",
        ("type_def", "node", "variable_values"),
        "gateway/api/cost.py: _Costing.field reads each field's arguments with it",
        exact=False,
    ),
    Pinned(
        "graphql.parse",
        ("source", "no_location", "max_tokens"),
        "gateway/api/documents.py: parse_document stops at the token limit",
        exact=False,
    ),
    Pinned(
        "strawberry.extensions.QueryDepthLimiter.__init__",
        ("max_depth",),
        "gateway/api/shape.py: takes its validation rule (validation_rules[0])",
        exact=False,
    ),
    Pinned(
        "strawberry.extensions.MaxAliasesLimiter.__init__",
        ("max_alias_count",),
        "gateway/api/shape.py: takes its validation rule (validation_rules[0])",
        exact=False,
    ),
    # zeep: requests are built, sent and read in three steps instead of by its proxy.
    Pinned(
        "zeep.wsdl.bindings.Soap11Binding._create",
        ("operation", "args", "kwargs", "client", "options"),
        f"{MULTISPEAK}: MultiSpeakClient.request builds the envelope with this private method",
    ),
    Pinned(
        "zeep.wsdl.bindings.Soap11Binding.process_reply",
        ("client", "operation", "response"),
        f"{MULTISPEAK}: MultiSpeakClient.reply reads the answer with it",
    ),
    Pinned(
        "zeep.wsdl.bindings.Soap11Binding.get",
        ("key",),
        f"{MULTISPEAK}: MultiSpeakClient.operation looks operations up with it",
    ),
    Pinned(
        "zeep.transports.AsyncTransport.post_xml",
        ("address", "envelope", "headers"),
        f"{MULTISPEAK}: MultiSpeakClient.send calls it on _LocalOnlyTransport",
    ),
    Pinned(
        "zeep.transports.AsyncTransport.post",
        ("address", "message", "headers"),
        f"{MULTISPEAK}: _LocalOnlyTransport overrides it (post_xml calls it)",
    ),
    Pinned(
        "zeep.transports.Transport.load",
        ("url",),
        f"{MULTISPEAK} and {SIMULATED_SOAP}: their transports read local files only",
    ),
]


def _lookup(path: str) -> Any:
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: Any = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for name in parts[cut:]:
            found = getattr(found, name)
        return found
    raise ModuleNotFoundError(path)


@pytest.mark.parametrize("pinned", SIGNATURES, ids=[pinned.path for pinned in SIGNATURES])
def test_signature(pinned: Pinned) -> None:
    try:
        target = _lookup(pinned.path)
    except (ImportError, AttributeError) as exc:
        pytest.fail(f"{pinned.path} is gone ({exc}); {pinned.used_by}")
    names = [name for name in inspect.signature(target).parameters if name != "self"]
    if pinned.exact:
        assert names == list(pinned.parameters), (
            f"{pinned.path} now takes {names}, not {list(pinned.parameters)}; {pinned.used_by}"
        )
    else:
        missing = [name for name in pinned.parameters if name not in names]
        assert not missing, f"{pinned.path} no longer takes {missing}; {pinned.used_by}"


# graphql-core -----------------------------------------------------------------------


def test_strawberrys_execution_context_is_graphql_cores_executor() -> None:
    assert issubclass(StrawberryGraphQLCoreExecutionContext, Executor), (
        f"strawberry.schema.schema.StrawberryGraphQLCoreExecutionContext no longer derives "
        f"from graphql.execution.Executor; {EXECUTION}: InMemoryExecutionContext derives "
        f"from it to override graphql-core's value completion"
    )


def test_collected_subfields_come_in_three_parts() -> None:
    assert CollectedFields._fields == (
        "grouped_field_set",
        "new_defer_usages",
        "forbidden_directive_instances",
    ), (
        f"graphql.execution.collect_fields.CollectedFields is now {CollectedFields._fields}; "
        f"{EXECUTION}: _make_plan unpacks collect_subfields() into (grouped, deferred, "
        f"forbidden)"
    )
    assert FieldDetails._fields[0] == "node", (
        f"graphql.execution.collect_fields.FieldDetails is now {FieldDetails._fields}; "
        f"{EXECUTION}: _make_plan reads each field's node from it"
    )


def test_a_middleware_manager_lists_its_middlewares() -> None:
    assert MiddlewareManager().middlewares == (), (
        f"graphql.execution.middleware.MiddlewareManager has no `middlewares` tuple; "
        f"{EXECUTION}: _make_plan takes no shortcut when there is middleware"
    )


def test_scalars_coerce_output_values_by_themselves() -> None:
    assert GraphQLString.coerce_output_value("kWh") == "kWh", (
        f"graphql.GraphQLScalarType.coerce_output_value is gone; {EXECUTION}: the shortcuts "
        f"coerce scalar values with it"
    )
    assert callable(GraphQLEnumType.coerce_output_value)


# Strawberry ---------------------------------------------------------------------------


@strawberry.type
class Reading:
    kwh: float

    @strawberry.field
    def doubled(self) -> float:
        return self.kwh * 2


@strawberry.type
class Query:
    @strawberry.field
    def reading(self) -> Reading:
        return Reading(kwh=1.5)


def _graphql_type(name: str) -> GraphQLObjectType:
    # `_schema` is Strawberry's graphql-core schema; only this test reads it.
    found = strawberry.Schema(query=Query)._schema.get_type(name)
    assert isinstance(found, GraphQLObjectType)
    return found


def test_a_plain_field_leads_back_to_its_strawberry_field() -> None:
    field = _graphql_type("Reading").fields["kwh"]
    definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
    assert isinstance(definition, StrawberryField), (
        f"graphql-core fields no longer carry their StrawberryField under "
        f"GraphQLCoreConverter.DEFINITION_BACKREF; {EXECUTION}: _make_plan finds plain "
        f"attributes through it"
    )
    assert definition.is_basic_field
    assert definition.python_name == "kwh"
    assert definition.default_resolver(Reading(kwh=2.5), definition.python_name) == 2.5, (
        f"StrawberryField.default_resolver(source, python_name) no longer reads the "
        f"attribute; {EXECUTION}: _attribute_reader reads plain fields with it"
    )


def test_strawberry_marks_its_default_resolvers() -> None:
    fields = _graphql_type("Reading").fields
    # Without the mark, the shortcut for plain objects would silently never be taken.
    assert getattr(fields["kwh"].resolve, "_is_default", None) is True, (
        f"Strawberry no longer marks a plain field's resolver with `_is_default = True`; "
        f"{EXECUTION}: _make_plan takes only fields so marked"
    )
    assert getattr(fields["doubled"].resolve, "_is_default", False) is False, (
        f"Strawberry marks a field with a resolver as `_is_default`; {EXECUTION}: _make_plan "
        f"would read it as a plain attribute"
    )


# zeep ---------------------------------------------------------------------------------


def test_a_binding_keeps_its_operations_in_a_dict_and_refuses_unknown_names() -> None:
    binding = Soap11Binding(None, None, None, None, "document")
    assert binding._operations == {}, (
        f"zeep's Binding no longer keeps its operations in `_operations`; {SIMULATED_SOAP}: "
        f"_operations_of reads them there"
    )
    with pytest.raises(ValueError):
        binding.get("GetNothing")


def _attributes_set_in(function: Any) -> set[str]:
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    return {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.ctx, ast.Store)
        and isinstance(node.value, ast.Name)
        and node.value.id == "self"
    }


def test_async_transport_sets_up_only_what_our_transport_replaces() -> None:
    # _LocalOnlyTransport skips AsyncTransport.__init__ and sets cache, _close_session
    # and logger itself; client and wsdl_client only serve the methods it replaces
    # (post_xml, load, aclose). Anything new here may be read by a method it inherits.
    assert _attributes_set_in(AsyncTransport.__init__) == {
        "_close_session",
        "cache",
        "client",
        "logger",
        "wsdl_client",
    }, (
        f"zeep.transports.AsyncTransport.__init__ sets up different attributes now; "
        f"{MULTISPEAK}: _LocalOnlyTransport does not call it and sets its attributes itself"
    )


async def test_parsed_operations_have_the_parts_we_read() -> None:
    endpoint = MultiSpeakEndpoint(url="http://127.0.0.1:9/OA_Server", user_id="u", password="p")
    wsdl = Path(adapters.oms.__file__).with_name("OA_Server.wsdl")
    async with httpx.AsyncHTTPTransport() as http:
        operation = load_wsdl_client(wsdl, endpoint, http).operation("GetMethods")
    used_by = (
        f"{MULTISPEAK}: _ExpectResponseElement reads output.body.qname; {SIMULATED_SOAP}: "
        f"_operations_of and the handlers read the rest"
    )
    try:
        shape = {
            "soapaction": operation.soapaction,
            "input.body.qname": operation.input.body.qname.text,
            "output.body.qname": operation.output.body.qname.text,
            "output.body.type.elements": [name for name, _ in operation.output.body.type.elements],
            "output.header.type.elements": [
                name for name, _ in operation.output.header.type.elements
            ],
        }
    except AttributeError as exc:
        pytest.fail(f"a zeep operation has lost a part ({exc}); {used_by}")
    namespace = "http://www.multispeak.org/Version_3.0"
    assert shape == {
        "soapaction": f"{namespace}/GetMethods",
        "input.body.qname": f"{{{namespace}}}GetMethods",
        "output.body.qname": f"{{{namespace}}}GetMethodsResponse",
        "output.body.type.elements": ["GetMethodsResult"],
        "output.header.type.elements": ["MultiSpeakMsgHeader"],
    }, used_by
    deserialize = inspect.signature(operation.input.deserialize)
    assert list(deserialize.parameters) == ["envelope"], used_by


def test_strawberrys_limiters_count_when_their_rule_is_made() -> None:
    # gateway/api/shape.py codes their errors by swapping the validation context's
    # `on_error` only while the rule is made: that is when they count and report.
    [rule] = MaxAliasesLimiter(max_alias_count=0).validation_rules
    reported: list[Any] = []
    document = parse("{ a: __typename }")
    context = ValidationContext(schema._schema, document, TypeInfo(schema._schema), reported.append)
    rule(context)
    assert len(reported) == 1


async def test_results_an_extension_leaves_in_the_execution_context_reach_the_answer() -> None:
    # gateway/api/cost.py reports the cost in `ExecutionContext.extensions_results`, where
    # gateway/api/fairness.py reads it (in an async validation hook) to charge it, and
    # the answer carries it even when that step refuses the request before execution.
    # Both act before their `yield`, in the order of the schema's extensions.
    class Report(SchemaExtension):
        def on_validate(self) -> Any:
            self.execution_context.extensions_results["report"] = {"n": 1}
            yield

    class Refuse(SchemaExtension):
        async def on_validate(self) -> AsyncIterator[None]:
            seen = self.execution_context.extensions_results.get("report")
            self.execution_context.pre_execution_errors = [GraphQLError(f"seen {seen}")]
            yield

    @strawberry.type
    class Query:
        hello: str = "hi"

    used_by = "gateway/api/cost.py and gateway/api/fairness.py"
    toy = strawberry.Schema(Query, extensions=[Report, Refuse])
    result = await toy.execute("{ hello }")
    assert result.data is None, used_by
    assert [error.message for error in result.errors or ()] == ["seen {'n': 1}"], used_by
    assert result.extensions == {"report": {"n": 1}}, used_by
