"""Each request's document parsed once, and each distinct document once per process.

The endpoint parses the document first (it needs the operation's name for the metrics
and must refuse an oversized document before anything else); `CachedParse` then hands
Strawberry the same parsed document from the same cache instead of parsing it again.
The parser stops at the token limit, so a huge document costs only its first tokens;
before it, the tokens and the aliases are counted lexically (`gateway.api.lexical`), so
that a document over either limit costs no parse at all.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Final

from graphql import DocumentNode, GraphQLSyntaxError, OperationDefinitionNode, Source, parse
from strawberry.extensions import SchemaExtension

from gateway.api.lexical import alias_count, token_count
from gateway.core.errors import QUERY_TOO_DEEP, QUERY_TOO_LARGE, TOO_MANY_ALIASES

# Distinct documents kept parsed; bounded, since clients choose them.
DOCUMENT_CACHE_SIZE: Final = 512
# graphql-core's messages when `max_tokens`, or its own limit on nesting (which keeps
# the recursive parser off Python's stack limit), stops the parser (tests pin both).
_TOO_MANY_TOKENS: Final = re.compile(r"Document contains more than \d+ tokens")
_NESTED_TOO_DEEPLY: Final = re.compile(r"Document is nested too deeply")


@lru_cache(maxsize=DOCUMENT_CACHE_SIZE)
def _parse(query: str, max_tokens: int, max_aliases: int | None) -> DocumentNode:
    if token_count(query) > max_tokens:
        raise _refused(query, f"The document has more than {max_tokens} tokens.", QUERY_TOO_LARGE)
    aliases = 0 if max_aliases is None else alias_count(query)
    if max_aliases is not None and aliases > max_aliases:
        message = f"The document has {aliases} aliases, more than the limit of {max_aliases}."
        raise _refused(query, message, TOO_MANY_ALIASES)
    return parse(query, max_tokens=max_tokens)


def _refused(query: str, message: str, code: str) -> GraphQLSyntaxError:
    error = GraphQLSyntaxError(Source(query), 0, message)
    error.message = message
    error.extensions = {"code": code}
    return error


def parse_document(query: str, *, max_tokens: int, max_aliases: int | None = None) -> DocumentNode:
    """The parsed document; a `GraphQLSyntaxError` when it cannot be, coded
    `QUERY_TOO_LARGE` for more than `max_tokens` tokens, `TOO_MANY_ALIASES` for more
    than `max_aliases` aliases (the validation rule counts them again, through the
    fragments) and `QUERY_TOO_DEEP` for more nesting than the parser takes."""
    try:
        return _parse(query, max_tokens, max_aliases)
    except GraphQLSyntaxError as error:
        if (error.extensions or {}).get("code"):
            raise
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

    def __init__(self, *, max_tokens: int, max_aliases: int | None = None) -> None:
        self._max_tokens = max_tokens
        self._max_aliases = max_aliases

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query is not None:
            context.graphql_document = parse_document(
                context.query, max_tokens=self._max_tokens, max_aliases=self._max_aliases
            )
        yield
