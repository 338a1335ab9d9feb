"""Tokens and aliases counted without parsing, as the parser and the alias rule count them."""

from __future__ import annotations

import pytest
from graphql import GraphQLSyntaxError, parse

from gateway.api.lexical import alias_count, token_count

DOCUMENTS = [
    "{ viewer { email } }",
    'query Q($a: String = "x, y # not a comment", $b: [Int] = [1, -2.5e3, 3]) {'
    ' a: account(number: """block "" \\""" string""") { ... on Account { number } } }'
    " # a comment is a token to the parser",
    'mutation { login(input: {email: "a@b", password: "c"}) { ... on LoginSuccess {'
    " t: accessToken } } }",
    'fragment Row on Account { n: number }\n{ account(number: "1") { ...Row } }',
]


def parser_tokens(document: str) -> int:
    """The smallest `max_tokens` the parser takes the document with."""
    low, high = 0, 10_000
    while low < high:
        middle = (low + high) // 2
        try:
            parse(document, max_tokens=middle)
        except GraphQLSyntaxError:
            low = middle + 1
        else:
            high = middle
    return low


@pytest.mark.parametrize("document", DOCUMENTS)
def test_tokens_are_counted_as_the_parser_counts_them(document: str) -> None:
    assert token_count(document) == parser_tokens(document)


def test_aliases_are_names_before_a_colon_outside_parentheses() -> None:
    assert [alias_count(document) for document in DOCUMENTS] == [0, 1, 1, 1]
    assert alias_count("{ " + " ".join(f"a{n}: __typename" for n in range(300)) + " }") == 300


def test_colons_in_strings_and_comments_are_not_aliases() -> None:
    document = '{ account(number: "a: b") { # c: d\n number } }'
    assert alias_count(document) == 0
