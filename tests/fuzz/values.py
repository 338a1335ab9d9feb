"""What the fuzzer puts in arguments: the demo co-op's own values, so that requests
reach past "not found", and hostile ones, which a validator may take for digits or
dates (Unicode digits like "³" and "٣"), that overflow (huge numbers, far-off dates
and offsets), or that are empty or very long.

Each strategy gives GraphQL value nodes for hypothesis-graphql's `custom_scalars`,
which also takes the place of its own `String`, `ID` and `Int` strategies here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

import graphql
from hypothesis import strategies as st
from hypothesis_graphql import nodes

from simulators.world import World

LONG = 5_000
DATA_FROM, DATA_TO = date(2024, 9, 1), date(2026, 12, 31)

# Digits as other scripts write them: int() and Decimal() take some ("٣", "３"),
# isdigit() takes others ("³").
_DIGITS = {
    "arabic-indic": "٠١٢٣٤٥٦٧٨٩",
    "fullwidth": "０１２３４５６７８９",
    "superscript": "⁰¹²³⁴⁵⁶⁷⁸⁹",
    "devanagari": "०१२३४५६७८९",
}

HOSTILE_STRINGS = (
    "",
    " ",
    "³",
    "٣",
    "١٢٣",
    "１２３",
    "-1",
    "0",
    "00",
    "1e400",
    "NaN",
    "Infinity",
    "\x00",
    "\u202e",
    "😀",
    "'; DROP TABLE users; --",
    "%",
    "_",
    "\\",
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "a" * LONG,
    "9" * 400,
    "٣" * 400,
    " " * LONG,
)
HOSTILE_DATES = (
    "",
    "0001-01-01",
    "9999-12-31",
    "0000-00-00",
    "2026-02-30",
    "2026-13-01",
    "+10000-01-01",
    "20261001",
    "2026-W40-1",
    "2026-10-01T00:00:00",
    "٢٠٢٦-١٠-٠١",
    "²⁰²⁶-¹⁰-⁰¹",
    "２０２６-１０-０１",
    "2026-1-1",
    "9" * 400,
)
HOSTILE_DATE_TIMES = (
    "",
    "0001-01-01T00:00:00+00:00",
    "0001-01-01T00:00:00-23:59",
    "9999-12-31T23:59:59+00:00",
    "9999-12-31T23:59:59+14:00",
    "9999-12-31T23:59:59-23:59",
    "2026-10-01T00:00:00",
    "2026-10-01T00:00:00Z",
    "2026-10-01T24:00:00Z",
    "2026-10-01",
    "٢٠٢٦-١٠-٠١T٠٠:٠٠:٠٠Z",
    "2026-10-01T00:00:00+99:99",
    "9" * 400,
)
HOSTILE_MONEY = (
    "",
    "0",
    "-0.00",
    "-1",
    "0.001",
    "0.005",
    "1e3",
    "1E+400",
    "-1E-400",
    "NaN",
    "sNaN",
    "Infinity",
    "-Infinity",
    "1_000",
    "٣.٠٠",
    "³",
    "１２.３４",
    "99999999999999999999999999999.99",
    "9" * 400,
    "0." + "0" * 400 + "1",
)
HOSTILE_INTS = (0, -1, 1, 36, 37, 100, 101, 1000, 2**31 - 1, -(2**31), 2**31, 2**53, 10**20)


def in_other_digits(text: str) -> list[str]:
    """`text` with its ASCII digits written in each of the other scripts."""
    return [text.translate(str.maketrans("0123456789", digits)) for digits in _DIGITS.values()]


def known_strings(world: World, *, signed_in_email: str, own_accounts: Sequence[str]) -> list[str]:
    """Values from the demo co-op, and some of them in other digits.

    The signed-in member's own email and password are left out: a fuzzed `login` with
    a wrong password would throttle its sign-ins, and a lucky `changePassword` would
    lock the fuzzer out. The same paths are fuzzed with the neighbour's login.
    """
    accounts = [*own_accounts, *(account.account_number for account in world.accounts[:6])]
    locations = [location.location_id for location in world.locations[:6]]
    meters = [meter.meter_no for meter in world.meters[:4]]
    months = ["2026-10", "2026-09", "2025-11", "1999-01", "2026-13", "0000-00"]
    dates = ["2026-10-01", "2026-10-31", "2026-11-14", "2024-09-01", "2026-11-16"]
    logins = [
        value
        for login in world.logins
        if login.email != signed_in_email
        for value in (login.email, login.password)
    ]
    customers = [customer.last_name for customer in world.customers[:4]]
    zips = [location.address.zip_code for location in world.locations[:3]]
    other_digits = [
        variant
        for value in (accounts[0], months[0], dates[0])
        for variant in in_other_digits(value)
    ]
    return [
        *accounts,
        *locations,
        *meters,
        *months,
        *dates,
        *logins,
        *customers,
        *zips,
        *other_digits,
        "5055550123",
        "+15055550123",
        "ACTIVE",
    ]


def _iso(day: date) -> graphql.StringValueNode:
    return nodes.String(day.isoformat())


def _strings(values: Iterable[str]) -> st.SearchStrategy[graphql.ValueNode]:
    return st.sampled_from(tuple(values)).map(nodes.String)


def scalar_strategies(
    world: World, *, signed_in_email: str, own_accounts: Sequence[str]
) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    """hypothesis-graphql's `custom_scalars`, by scalar name."""
    known = known_strings(world, signed_in_email=signed_in_email, own_accounts=own_accounts)
    any_text = st.text(max_size=40).map(nodes.String)
    strings = st.one_of(_strings(known), _strings(HOSTILE_STRINGS), any_text)
    return {
        "String": strings,
        "ID": st.one_of(
            strings, st.integers(min_value=-2, max_value=10**6).map(str).map(nodes.String)
        ),
        "Int": st.one_of(
            st.integers(min_value=-3, max_value=60), st.sampled_from(HOSTILE_INTS)
        ).map(nodes.Int),
        "Date": st.one_of(
            # Often within the demo's data, so that usage is read, not only refused.
            st.dates(min_value=DATA_FROM, max_value=DATA_TO).map(_iso),
            st.dates().map(_iso),
            _strings(HOSTILE_DATES),
            _strings(known),
        ),
        "DateTime": st.one_of(
            st.datetimes(timezones=st.timezones()).map(
                lambda instant: nodes.String(instant.isoformat())
            ),
            _strings(HOSTILE_DATE_TIMES),
        ),
        "Money": st.one_of(
            st.decimals(allow_nan=False, allow_infinity=False, places=2).map(
                lambda amount: nodes.String(str(amount))
            ),
            _strings(HOSTILE_MONEY),
        ),
    }
