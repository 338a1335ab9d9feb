"""A document's tokens and aliases counted before it is parsed.

graphql-core's parser is pure Python: a document at the token limit takes it some
100 ms, during which the process answers nobody, only to be refused at the end; and a
document within the token limit but over the alias limit is parsed and then validated
(another 100 ms) before the alias rule refuses it. A regular expression finds the same
tokens (comments included, as the parser counts them) at a small fraction of that, so
both limits are checked here first. Counting aliases needs no parse either: in an
executable document, a name followed by a colon outside any parentheses is an alias
(arguments, variable definitions and input objects are all inside parentheses).

Neither count refuses a document the parser and the validation rules would accept: the
tokens are the parser's own, and aliases are counted once each where they are written,
which is at most as often as the alias rule counts them through the fragments that
spread them (a fragment spread nowhere is refused by validation anyway).
"""

from __future__ import annotations

import re
from typing import Final

# One GraphQL token per match, in the lexer's order of precedence: block strings,
# strings, comments, the spread, punctuators, numbers, names. Commas and white space
# are ignored, as the lexer ignores them.
_TOKEN: Final = re.compile(
    r'"""(?:\\"""|[^"]|"(?!""))*"""'
    r'|"(?:\\.|[^"\\\n\r])*"'
    r"|#[^\n\r]*"
    r"|\.\.\."
    r"|[!$&():=@\[\]{|}]"
    r"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?"
    r"|[_A-Za-z][_0-9A-Za-z]*"
)


def token_count(document: str) -> int:
    return len(_TOKEN.findall(document))


def alias_count(document: str) -> int:
    """Names followed by a colon outside parentheses (comments and strings skipped)."""
    aliases = 0
    parentheses = 0
    previous_was_name = False
    for match in _TOKEN.finditer(document):
        token = match.group()
        first = token[0]
        if first == "#":
            continue
        if first == "(":
            parentheses += 1
        elif first == ")":
            parentheses = max(0, parentheses - 1)
        elif first == ":" and previous_was_name and parentheses == 0:
            aliases += 1
        previous_was_name = first == "_" or first.isalpha()
    return aliases
