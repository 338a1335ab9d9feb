"""An entry is a value or a remembered not-found, and reads back as what was stored."""

from __future__ import annotations

import pytest

from adapters.cis.port import CisNotFound, Customer
from adapters.errors import NotFound
from adapters.meters.port import MeterDataNotFound
from gateway.core.cache.codec import Codec, CodecError
from gateway.core.cache.entry import decode_entry, encode_not_found, encode_value
from tests.gateway.core.cache import examples

CODEC = Codec(Customer)


def test_a_value_reads_back_as_the_value() -> None:
    assert decode_entry(CODEC, encode_value(CODEC, examples.CUSTOMER)) == examples.CUSTOMER


@pytest.mark.parametrize(
    "error",
    [CisNotFound("no customer C404"), MeterDataNotFound("no meter M9"), NotFound("gone")],
)
def test_a_not_found_reads_back_as_the_same_class_and_message(error: NotFound) -> None:
    restored = decode_entry(CODEC, encode_not_found(error))
    assert type(restored) is type(error)
    assert str(restored) == str(error)
    assert isinstance(restored, NotFound)
    assert restored.system == error.system


def test_a_not_found_of_a_class_not_imported_reads_back_as_the_base() -> None:
    data = b'n["somewhere.else.GoneNotFound","billing","account A9 closed"]'
    restored = decode_entry(CODEC, data)
    assert type(restored) is NotFound
    assert restored.system == "billing"
    assert str(restored) == "account A9 closed"


def test_a_not_found_never_names_a_class_outside_not_found() -> None:
    data = b'n["builtins.SystemExit","cis","bye"]'
    restored = decode_entry(CODEC, data)
    assert type(restored) is NotFound


def test_a_value_and_a_not_found_cannot_be_confused() -> None:
    assert encode_value(CODEC, examples.CUSTOMER)[:1] != encode_not_found(NotFound("x"))[:1]


@pytest.mark.parametrize("data", [b"", b"x[]", b"n{}", b"n[1,2,3]", b"nnot json", b"v[1]"])
def test_unreadable_entries_are_refused(data: bytes) -> None:
    with pytest.raises(CodecError):
        decode_entry(CODEC, data)
