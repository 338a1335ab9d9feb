"""Keys are namespaced, versioned by shape, named by kind, and never collide."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime

import pytest

from gateway.core.cache.keys import NAMESPACE, CacheKind, cache_kind, key_parts


@dataclasses.dataclass(frozen=True)
class Thing:
    name: str


def test_key_layout() -> None:
    kind = cache_kind("thing", Thing)
    assert kind.key("T1") == f"{NAMESPACE}:v{kind.version}:thing:T1"
    assert NAMESPACE == "coop"


def test_kinds_of_different_shape_have_different_keys_for_the_same_name() -> None:
    other = dataclasses.make_dataclass("Thing", [("name", str), ("size", int)], frozen=True)
    assert cache_kind("thing", Thing).key("T1") != cache_kind("thing", other).key("T1")


@pytest.mark.parametrize("name", ["", "Thing", "thing:x", "2things", "thing-x"])
def test_kind_names_are_lower_snake_case(name: str) -> None:
    with pytest.raises(ValueError):
        cache_kind(name, Thing)


def test_key_parts_keep_plain_ids_and_dates_readable() -> None:
    assert key_parts("A000789") == "A000789"
    assert key_parts("A000789", date(2026, 11, 5)) == "A000789:2026-11-05"
    assert key_parts("M1", 3) == "M1:3"


def test_key_parts_keep_the_time_and_offset_of_datetimes() -> None:
    start = datetime(2026, 11, 14, 7, tzinfo=UTC)
    assert key_parts("M1", start) == "M1:2026-11-14T07%3A00%3A00+00%3A00"
    assert key_parts("M1", start) != key_parts("M1", start.date())


def test_key_parts_are_injective_when_parts_contain_the_separator() -> None:
    assert key_parts("a:b", "c") != key_parts("a", "b:c")
    assert key_parts("a%3Ab") != key_parts("a:b")
    assert key_parts("a b") != key_parts("a+b")


def test_a_kind_carries_its_codec() -> None:
    kind = cache_kind("thing", Thing)
    assert isinstance(kind, CacheKind)
    assert kind.codec.decode(kind.codec.encode(Thing("x"))) == Thing("x")
