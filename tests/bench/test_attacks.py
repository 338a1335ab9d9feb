"""The attack documents are what the report says they are, and land on their limits."""

from __future__ import annotations

from datetime import date

import orjson
import pytest
from graphql import DocumentNode, FieldNode, SelectionSetNode, parse

from bench.attacks import MAX_ALIASES, MAX_BODY_BYTES, MAX_COST, MAX_TOKENS, Attack, build_attacks
from gateway.api.cost import operation_cost
from gateway.api.lexical import alias_count, token_count
from gateway.api.shape import expanded_fields
from gateway.schema import COST_ESTIMATES, schema
from gateway.settings import GatewaySettings


@pytest.fixture(scope="module")
def attacks() -> dict[str, Attack]:
    built = build_attacks(as_of=date(2026, 12, 3), member_accounts=["2000100", "2000113"])
    return {attack.name: attack for attack in built}


def depth(selection_set: SelectionSetNode | None) -> int:
    if selection_set is None:
        return 0
    fields = [s for s in selection_set.selections if isinstance(s, FieldNode)]
    return 1 + max((depth(f.selection_set) for f in fields), default=0)


def cost(document: DocumentNode) -> int | None:
    return operation_cost(
        schema._schema, document, operation_name=None, variables={}, estimates=COST_ESTIMATES
    )


def test_the_limits_they_are_sized_against_are_the_gateway_s() -> None:
    defaults = GatewaySettings.model_fields
    assert defaults["max_body_bytes"].default == MAX_BODY_BYTES
    assert defaults["max_tokens"].default == MAX_TOKENS
    assert defaults["max_aliases"].default == MAX_ALIASES
    assert defaults["max_cost"].default == MAX_COST


def test_the_alias_attacks_as_found(attacks: dict[str, Attack]) -> None:
    bills = attacks["aliases-10k"]
    assert alias_count(bills.query) == 10_000
    assert "bills(first: 12)" in bills.query
    assert "lineItems" in bills.query
    assert bills.size > MAX_BODY_BYTES
    assert alias_count(attacks["typename-110k"].query) == 110_000
    assert attacks["typename-110k"].query.count("__typename") == 110_000


def test_the_smaller_alias_attacks_get_past_the_body_and_token_limits(
    attacks: dict[str, Attack],
) -> None:
    within = attacks["aliases-250"]
    assert (alias_count(within.query), within.size < MAX_BODY_BYTES) == (250, True)
    assert token_count(within.query) < MAX_TOKENS
    typename = attacks["typename-5k"]
    assert typename.size < MAX_BODY_BYTES
    assert token_count(typename.query) > MAX_TOKENS


def test_a_hundred_years_of_hours_cost_far_over_the_limit(attacks: dict[str, Attack]) -> None:
    hourly = attacks["hourly-100"]
    assert alias_count(hourly.query) == 100 < MAX_ALIASES
    assert hourly.query.count("interval: HOUR") == 100
    assert (cost(parse(hourly.query)) or 0) > 100 * 8_760


def test_the_large_bodies_are_their_size(attacks: dict[str, Attack]) -> None:
    assert 1_000_000 <= attacks["document-1mb"].size < 1_001_000
    assert len(orjson.loads(attacks["document-1mb"].body)["query"]) == 1_000_000
    for name in ("body-10mb", "body-10mb-chunked"):
        assert 10_000_000 < attacks[name].size < 10_001_000
    assert attacks["body-10mb-chunked"].chunked
    assert not attacks["body-10mb"].chunked


def test_the_depth_attacks_nest_as_deep_as_they_say(attacks: dict[str, Attack]) -> None:
    document = parse(attacks["depth-40"].query)
    assert depth(document.definitions[0].selection_set) == 40  # type: ignore[attr-defined]
    assert attacks["depth-1000"].query.count("{") == 1_000


def test_the_token_and_fragment_bombs(attacks: dict[str, Attack]) -> None:
    tokens = attacks["tokens-15k"]
    assert token_count(tokens.query) == 15_000
    assert tokens.size < MAX_BODY_BYTES
    bomb = parse(attacks["fragment-bomb"].query)
    assert expanded_fields(bomb) == 1 + 2**40


def test_the_page_and_response_bombs(attacks: dict[str, Attack]) -> None:
    assert (cost(parse(attacks["first-1m"].query)) or 0) > 1_000_000
    bomb = attacks["response-bomb"]
    assert alias_count(bomb.query) == MAX_ALIASES - 1
    assert token_count(bomb.query) < MAX_TOKENS
    # Refused for its cost now that repeated arrays count: 199 years of hours.
    assert cost(parse(bomb.query)) == 1 + (MAX_ALIASES - 1) * 8_760


def test_every_send_is_a_document_of_its_own(attacks: dict[str, Attack]) -> None:
    attack = attacks["first-1m"]
    first, second = (orjson.loads(attack.body_for(n)) for n in (0, 1))
    assert first["query"] != second["query"]
    assert parse(first["query"]) is not None
    assert first["query"].startswith(attack.query)
