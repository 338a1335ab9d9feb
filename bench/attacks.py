"""The hostile requests of issue 10, built as an attacker signed in as a member sends them.

Each attack is the request body (or a description of one too large to keep around), the
limit that should stop it, and what it is. The first ones are the requests found from
outside; the others are each limit's own bomb, and requests just small enough to get
past the cheaper limits, so that every limit in `gateway.api.limits` is reached once.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

import orjson

KB: Final = 1000
MB: Final = 1_000_000
# What the gateway's limits are by default (gateway.settings); the attacks are sized
# against them, so that each lands where it is meant to.
MAX_BODY_BYTES: Final = 100 * KB
MAX_TOKENS: Final = 10_000
MAX_DEPTH: Final = 12
MAX_ALIASES: Final = 200
MAX_COST: Final = 20_000
MAX_RESPONSE_BYTES: Final = 5 * MB

BILLS_WITH_LINE_ITEMS: Final = (
    "viewer { accounts { balance { amountDue dueDate } bills(first: 12) { edges { node {"
    " billDate amount lineItems { description amount } } } } } }"
)


@dataclass(frozen=True, slots=True)
class Attack:
    name: str
    title: str  # what it is, for the report
    expected_code: str  # the limit's `extensions.code` that should stop it
    query: str
    variables: dict[str, object] = field(default_factory=dict)
    chunked: bool = False  # sent without a Content-Length, in pieces
    # Each send a document of its own (see `body_for`); not for bodies refused for their
    # size, which are never parsed (and would take the attacker time to build again).
    varies: bool = True

    @property
    def body(self) -> bytes:
        """The JSON request body."""
        return body_of(self.query, self.variables)

    @property
    def size(self) -> int:
        return len(self.body)

    def body_for(self, send: int) -> bytes:
        """The body of the `send`-th send: the document ends with a comment naming it, so
        that no two sends are the same document and no cache of parsed or validated
        documents spares the gateway any work (an attacker would do as much)."""
        if not self.varies:
            return self.body
        return body_of(f"{self.query}\n# {send}", self.variables)


def chunks(body: bytes, size: int = 64 * KB) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def body_of(query: str, variables: dict[str, object] | None = None) -> bytes:
    return orjson.dumps({"query": query, "variables": variables or {}})


def aliased(field: str, count: int) -> str:
    """`count` aliases of `field` in one query: `{ a0: field a1: field ... }`."""
    return "{ " + " ".join(f"a{index}: {field}" for index in range(count)) + " }"


def nested(depth: int, leaf: str = "email") -> str:
    """`depth` levels of fields below `viewer`, in a document that parses."""
    return "{ viewer { " + "accounts { " * (depth - 2) + leaf + " }" * (depth - 1) + " }"


def padded_document(size: int) -> str:
    """A valid query padded with a comment to `size` bytes."""
    head = "{ viewer { email } }\n#"
    return head + "x" * (size - len(head))


def fragment_bomb(levels: int) -> str:
    """Fragments that each spread the next twice: 2**levels fields once expanded."""
    fragments = [
        f"fragment F{level} on Viewer {{ ...F{level + 1} ...F{level + 1} }}"
        for level in range(levels)
    ]
    fragments.append(f"fragment F{levels} on Viewer {{ email }}")
    return "{ viewer { ...F0 } }\n" + "\n".join(fragments)


def many_tokens(count: int) -> str:
    """A document of about `count` tokens: one field asked again and again."""
    return "{ viewer { " + "email " * (count - 5) + "} }"


def hourly_usage(account: str, start: date, end: date, *, fields: str) -> str:
    return (
        f'account(number: "{account}") {{ ... on Account {{ usage(from: "{start.isoformat()}",'
        f' to: "{end.isoformat()}", interval: HOUR) {{ {fields} }} }} }}'
    )


def build_attacks(*, as_of: date, member_accounts: Sequence[str]) -> list[Attack]:
    """The attack set, for a member whose accounts are `member_accounts`."""
    last_day = as_of - timedelta(days=1)
    year_from = last_day - timedelta(days=364)
    account = member_accounts[0]
    year_of_hours = hourly_usage(
        account, year_from, last_day, fields="startsAt kwh temperatureF estimated"
    )
    # Scalar fields cost nothing: one year of hours (cost 8,761) with its timestamps
    # asked under as many aliases as the alias limit lets through.
    timestamps = " ".join(f"t{index}: startsAt" for index in range(MAX_ALIASES - 1))
    response_bomb = hourly_usage(account, year_from, last_day, fields=timestamps)
    padding: dict[str, object] = {"padding": "x" * (10 * MB)}
    return [
        Attack(
            "aliases-10k",
            "10,000 aliases of viewer → accounts → balance + bills(first: 12) with line items",
            "REQUEST_TOO_LARGE",
            aliased(BILLS_WITH_LINE_ITEMS, 10_000),
        ),
        Attack(
            "aliases-250",
            "The same, 250 aliases: within the body and token limits",
            "TOO_MANY_ALIASES",
            aliased(BILLS_WITH_LINE_ITEMS, 250),
        ),
        Attack(
            "typename-110k",
            "110,000 `__typename` aliases",
            "REQUEST_TOO_LARGE",
            aliased("__typename", 110_000),
        ),
        Attack(
            "typename-5k",
            "5,000 `__typename` aliases: within the body limit",
            "QUERY_TOO_LARGE",
            aliased("__typename", 5_000),
        ),
        Attack(
            "hourly-100",
            "100 aliases of a year of hourly usage",
            "QUERY_TOO_COMPLEX",
            aliased(year_of_hours, 100),
        ),
        Attack(
            "document-1mb",
            "A 1 MB document",
            "REQUEST_TOO_LARGE",
            padded_document(MB),
        ),
        Attack(
            "body-10mb",
            "A 10 MB body, its Content-Length declared",
            "REQUEST_TOO_LARGE",
            "{ viewer { email } }",
            padding,
            varies=False,
        ),
        Attack(
            "body-10mb-chunked",
            "A 10 MB body, chunked (no Content-Length)",
            "REQUEST_TOO_LARGE",
            "{ viewer { email } }",
            padding,
            chunked=True,
            varies=False,
        ),
        Attack(
            "depth-40",
            "Fields nested 40 deep",
            "QUERY_TOO_DEEP",
            nested(40),
        ),
        Attack(
            "depth-1000",
            "Fields nested 1,000 deep (deeper than the parser goes)",
            "QUERY_TOO_DEEP",
            nested(1000),
        ),
        Attack(
            "tokens-15k",
            "15,000 tokens: one field asked again and again",
            "QUERY_TOO_LARGE",
            many_tokens(15_000),
        ),
        Attack(
            "fragment-bomb",
            "Fragments that double 40 times (10^12 fields expanded)",
            "QUERY_TOO_LARGE",
            fragment_bomb(40),
        ),
        Attack(
            "first-1m",
            "bills(first: 1000000) on every account",
            "QUERY_TOO_COMPLEX",
            "{ viewer { accounts { bills(first: 1000000) { edges { node {"
            " amount lineItems { description amount } } } } } } }",
        ),
        Attack(
            "response-bomb",
            f"A year of hourly usage, its timestamps under {MAX_ALIASES - 1} aliases: an"
            " answer of about 45 MB (cost 8,761 while repeated arrays cost nothing)",
            "QUERY_TOO_COMPLEX",
            "{ " + response_bomb + " }",
        ),
    ]
