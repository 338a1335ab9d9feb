"""Which queries' answers may be kept: those built only from what the loaders read.

An answer may be kept only if every field it selects is built from entity reads the
loaders tag (`gateway.core.response_cache.sources`) or from the session facts its key
holds (the login, its role and email, its linked accounts). Fields that read the
gateway's own store (payments, autopay, wallet, contacts, notification preferences and
deliveries, sessions, audit entries), signed links that expire, and introspection are
not listed, so a document selecting any of them is executed every time. The list names
what is known to be safe: a field added later is not cached until it is added here.
Mutations are never kept.

Decided once per document and operation (documents repeat: the apps send a few).
"""

from __future__ import annotations

from typing import Final

from graphql import (
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    OperationType,
    TypeInfo,
    TypeInfoVisitor,
    Visitor,
    get_named_type,
    get_operation_ast,
    visit,
)

ALL_FIELDS: Final = "*"

# Type -> the fields whose values come from the loaders (or the session facts).
CACHEABLE_FIELDS: Final[dict[str, frozenset[str]]] = {
    "Query": frozenset({"viewer", "account"}),
    "Viewer": frozenset({"email", "role", "accounts"}),
    "Account": frozenset(
        {
            "number",
            "customer",
            "serviceLocations",
            "balance",
            "bills",
            "usage",
            "usageComparison",
            "outageStatus",
        }
    ),
    "Bill": frozenset(
        {
            "billDate",
            "servicePeriod",
            "dueDate",
            "amount",
            "kwh",
            "priorBalance",
            "paymentsReceived",
            "balanceAfterBilling",
            "lineItems",
            "usage",
        }
    ),
    **dict.fromkeys(
        (
            "AccountNotFound",
            "Customer",
            "PostalAddress",
            "ServiceLocation",
            "Meter",
            "Balance",
            "Payment",
            "BillConnection",
            "BillEdge",
            "PageInfo",
            "ServicePeriod",
            "BillLineItem",
            "BilledMeterUsage",
            "UsageSeries",
            "UsageComparison",
            "BillingPeriodUsage",
            "UsageChange",
            "LocationOutageStatus",
            "OutageEvent",
        ),
        frozenset({ALL_FIELDS}),
    ),
}
TYPENAME: Final = "__typename"
MAX_DOCUMENTS: Final = 1024


class CacheableDocuments:
    """Decides per document and operation, once (bounded: the apps send a few)."""

    def __init__(self, schema: GraphQLSchema, *, max_documents: int = MAX_DOCUMENTS) -> None:
        self._schema = schema
        self._max_documents = max_documents
        self._decided: dict[tuple[str, str | None], bool] = {}

    def cacheable(
        self, document: DocumentNode, *, operation_name: str | None, document_hash: str
    ) -> bool:
        """Whether the answer to this operation may be kept (`document_hash` names the text)."""
        memo = (document_hash, operation_name)
        decided = self._decided.get(memo)
        if decided is None:
            if len(self._decided) >= self._max_documents:
                self._decided.clear()
            decided = self._decided[memo] = _decide(self._schema, document, operation_name)
        return decided


def _decide(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None) -> bool:
    operation = get_operation_ast(document, operation_name)
    if operation is None or operation.operation is not OperationType.QUERY:
        return False
    fields = _SelectedFields(TypeInfo(schema))
    visit(document, TypeInfoVisitor(fields.type_info, fields))
    return fields.all_cacheable


class _SelectedFields(Visitor):
    """Every (type, field) the document selects, checked against the list."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.all_cacheable = True

    def enter_field(self, node: FieldNode, *_: object) -> None:
        name = node.name.value
        if name == TYPENAME:
            return
        parent = self.type_info.get_parent_type()
        if parent is None or self.type_info.get_field_def() is None:
            self.all_cacheable = False  # not in the schema: validation will refuse it
            return
        allowed = CACHEABLE_FIELDS.get(get_named_type(parent).name, frozenset())
        if ALL_FIELDS not in allowed and name not in allowed:
            self.all_cacheable = False
