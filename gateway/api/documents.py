"""Each request's document parsed once, and each distinct document once per process.

The endpoint parses the document first (it needs the operation's name for the metrics
and must refuse an oversized document before anything else); `CachedParse` then hands
Strawberry the same parsed document from the same cache instead of parsing it again.
The parser stops at the token limit, so a huge document costs only its first tokens.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Final

from graphql import DocumentNode, GraphQLSyntaxError, OperationDefinitionNode, parse
from strawberry.extensions import SchemaExtension

from gateway.core.errors import QUERY_TOO_DEEP, QUERY_TOO_LARGE

# Distinct documents kept parsed; bounded, since clients choose them.
DOCUMENT_CACHE_SIZE: Final = 512
# graphql-core's messages when `max_tokens`, or its own limit on nesting (which keeps
# the recursive parser off Python's stack limit), stops the parser (tests pin both).
_TOO_MANY_TOKENS: Final = re.compile(r"Document contains more than \d+ tokens")
_NESTED_TOO_DEEPLY: Final = re.compile(r"Document is nested too deeply")


@lru_cache(maxsize=DOCUMENT_CACHE_SIZE)
def _parse(query: str, max_tokens: int) -> DocumentNode:
    return parse(query, max_tokens=max_tokens)


def parse_document(query: str, *, max_tokens: int) -> DocumentNode:
    """The parsed document; a `GraphQLSyntaxError` when it cannot be, coded
    `QUERY_TOO_LARGE` for more than `max_tokens` tokens and `QUERY_TOO_DEEP` for more
    nesting than the parser takes."""
    try:
        return _parse(query, max_tokens)
    except GraphQLSyntaxError as error:
        if _TOO_MANY_TOKENS.search(error.message):
            error.message = f"The document has more than {max_tokens} tokens."
            error.extensions = {"code": QUERY_TOO_LARGE}
        elif _NESTED_TOO_DEEPLY.search(error.message):
            error.extensions = {"code": QUERY_TOO_DEEP}
        raise


def sole_operation_name(document: DocumentNode) -> str | None:
    """The name of the document's operation when it has exactly one, else None."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if len(operations) != 1 or operations[0].name is None:
        return None
    return operations[0].name.value


class CachedParse(SchemaExtension):
    """Strawberry's parsing step, from the cache the endpoint filled (Strawberry's own
    ParserCache keeps a cache of its own, so the endpoint's parse would not count)."""

    def __init__(self, *, max_tokens: int) -> None:
        self._max_tokens = max_tokens

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query is not None:
            context.graphql_document = parse_document(context.query, max_tokens=self._max_tokens)
        yield
