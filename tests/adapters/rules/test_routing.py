"""ABA routing numbers: nine digits and the 3-7-1 checksum."""

from __future__ import annotations

import pytest

from adapters.rules.routing import is_routing_number


@pytest.mark.parametrize("number", ["110000000", "011000015", "021000021", "121000358"])
def test_real_routing_numbers_pass(number: str) -> None:
    assert is_routing_number(number)


@pytest.mark.parametrize(
    "number",
    ["110000001", "021000022", "11000000", "1100000000", "11000000a", "１１００００００００", ""],
)
def test_others_fail(number: str) -> None:
    assert not is_routing_number(number)
