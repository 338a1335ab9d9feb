"""The codec gives back exactly what it was given, for every port type, or says why not."""

from __future__ import annotations

import dataclasses
import enum
import math
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from adapters.cis.port import Bill, Customer, Meter
from adapters.meters.port import IntervalRead
from adapters.oms.port import OutageEvent
from gateway.core.cache.codec import Codec, CodecError
from tests.gateway.core.cache import examples


def fingerprint(value: Any) -> Any:
    """A value's full identity: classes, Decimal digits and exponent, UTC offsets."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        return (type(value), tuple(fingerprint(getattr(value, f.name)) for f in fields))
    if isinstance(value, tuple | list):
        return (type(value), tuple(fingerprint(item) for item in value))
    if isinstance(value, Decimal):
        return (Decimal, value.as_tuple())
    if isinstance(value, datetime):
        return (datetime, value.isoformat(), value.utcoffset())
    if isinstance(value, float):
        return (float, value.hex())
    return (type(value), value)


def round_trip(value_type: Any, value: Any) -> Any:
    codec: Codec[Any] = Codec(value_type)
    return codec.decode(codec.encode(value))


def test_every_port_dataclass_has_examples() -> None:
    assert set(examples.EXAMPLES) == examples.port_dataclasses()


@pytest.mark.parametrize(
    ("value_type", "value"),
    [
        pytest.param(cls, value, id=f"{cls.__name__}-{index}")
        for cls, values in examples.EXAMPLES.items()
        for index, value in enumerate(values)
    ],
)
def test_port_dataclasses_round_trip_exactly(value_type: type, value: object) -> None:
    assert fingerprint(round_trip(value_type, value)) == fingerprint(value)


def test_exactness_is_what_the_fingerprint_checks() -> None:
    # Equal is not enough: 12.3 == 12.30, and equal instants can have different offsets.
    assert Decimal("12.3") == Decimal("12.30")
    assert fingerprint(Decimal("12.3")) != fingerprint(Decimal("12.30"))
    assert fingerprint(round_trip(Decimal, Decimal("12.30"))) == fingerprint(Decimal("12.30"))
    assert round_trip(Decimal, Decimal("-0.00")).as_tuple() == Decimal("-0.00").as_tuple()


def test_sequences_of_dataclasses_round_trip() -> None:
    hourly = examples.HOURLY
    assert fingerprint(round_trip(tuple[IntervalRead, ...], hourly)) == fingerprint(hourly)
    assert round_trip(tuple[Meter, ...], ()) == ()


def test_columns_of_plain_values_keep_the_rules_of_their_elements() -> None:
    # Whole columns skip the call per element; what comes back must not change.
    assert fingerprint(round_trip(tuple[float, ...], (1, 2.5, -0.0))) == fingerprint(
        (1.0, 2.5, -0.0)
    )
    assert fingerprint(round_trip(tuple[float, ...], (math.nan, 2.5))) == fingerprint(
        (math.nan, 2.5)
    )
    assert round_trip(list[int], (3, 4)) == [3, 4]
    with pytest.raises(CodecError):
        Codec(tuple[int, ...]).encode((1, True))  # a bool is not an int
    with pytest.raises(CodecError):
        Codec(tuple[int, ...]).decode(b"[1,2.0]")
    with pytest.raises(CodecError):
        Codec(tuple[bool, ...]).decode(b"[true,1]")
    with pytest.raises(CodecError):
        Codec(tuple[str, ...]).encode(("a", None))


def test_a_list_stored_as_a_tuple_comes_back_as_a_tuple() -> None:
    meters = [examples.METER, examples.BARE_METER]
    assert round_trip(tuple[Meter, ...], meters) == tuple(meters)
    assert round_trip(Sequence[Meter], meters) == tuple(meters)
    assert round_trip(list[Meter], meters) == meters


def test_enums_come_back_as_their_members() -> None:
    event = round_trip(OutageEvent, examples.OUTAGE)
    assert event.phase is examples.OUTAGE.phase


def test_aware_datetimes_keep_their_offset_and_naive_ones_stay_naive() -> None:
    aware = examples.OUTAGE.estimated_restoration
    assert aware is not None
    assert round_trip(datetime, aware).utcoffset() == aware.utcoffset()
    assert round_trip(datetime, datetime(2026, 1, 2, 3, 4)).tzinfo is None
    assert round_trip(datetime, datetime(2026, 1, 2, tzinfo=UTC)).tzinfo is UTC


def test_non_finite_floats_round_trip() -> None:
    assert round_trip(float, math.inf) == math.inf
    assert round_trip(float, -math.inf) == -math.inf
    assert math.isnan(round_trip(float, math.nan))


def test_fixed_length_tuples_and_optionals() -> None:
    value = ("A1", date(2026, 1, 5), None)
    assert round_trip(tuple[str, date, int | None], value) == value
    assert round_trip(tuple[str, date, int | None], ("A1", date(2026, 1, 5), 7))[2] == 7


def test_values_are_stored_compactly_without_field_names() -> None:
    encoded = Codec(Meter).encode(examples.METER)
    assert encoded == b'["M1001","SN-77","Itron","AMI residential","L000456"]'


@pytest.mark.parametrize(
    ("value_type", "value"),
    [
        (Customer, examples.METER),  # another dataclass
        (Meter, None),
        (Decimal, 1.5),  # a float would lose exactness
        (date, datetime(2026, 1, 1, 12)),  # a datetime would lose its time
        (int, True),
        (str, 5),
        (tuple[str, int], ("a",)),
        (tuple[Meter, ...], "M1001"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(value_type: Any, value: object) -> None:
    codec: Codec[Any] = Codec(value_type)
    with pytest.raises(CodecError):
        codec.encode(value)


@pytest.mark.parametrize(
    "data",
    [
        b"not json",
        b'["M1001","SN-77"]',  # too few fields
        b'{"meter_no":"M1001"}',
        b'["M1001",5,null,null,null]',
    ],
)
def test_bytes_that_do_not_fit_the_type_are_refused(data: bytes) -> None:
    with pytest.raises(CodecError):
        Codec(Meter).decode(data)


def test_an_unknown_enum_value_is_refused() -> None:
    encoded = Codec(OutageEvent).encode(examples.OUTAGE).replace(b'"dispatched"', b'"lost"')
    with pytest.raises(CodecError):
        Codec(OutageEvent).decode(encoded)


@pytest.mark.parametrize("value_type", [dict[str, int], int | str, bytes, set[str], object])
def test_unsupported_types_are_refused_up_front(value_type: Any) -> None:
    with pytest.raises(TypeError):
        Codec(value_type)


def test_fields_outside_init_are_refused_up_front() -> None:
    @dataclasses.dataclass(frozen=True)
    class Derived:
        a: int
        b: int = dataclasses.field(init=False, default=0)

    with pytest.raises(TypeError):
        Codec(Derived)


def shape_version(*fields: tuple[str, Any], name: str = "Thing") -> str:
    return Codec(dataclasses.make_dataclass(name, list(fields), frozen=True)).version


def test_version_is_stable_for_the_same_shape() -> None:
    assert shape_version(("a", int), ("b", str)) == shape_version(("a", int), ("b", str))
    assert Codec(Bill).version == Codec(Bill).version
    assert len(Codec(Bill).version) == 8
    int(Codec(Bill).version, 16)


@pytest.mark.parametrize(
    "changed",
    [
        (("a", int), ("c", str)),  # field renamed
        (("a", int), ("b", int)),  # field type changed
        (("a", int), ("b", str | None)),  # field made optional
        (("b", str), ("a", int)),  # fields reordered
        (("a", int), ("b", str), ("c", int)),  # field added
    ],
)
def test_version_changes_with_the_shape(changed: tuple[tuple[str, Any], ...]) -> None:
    assert shape_version(*changed) != shape_version(("a", int), ("b", str))


def test_version_follows_nested_types_and_enum_values() -> None:
    inner_v1 = dataclasses.make_dataclass("Inner", [("x", int)], frozen=True)
    inner_v2 = dataclasses.make_dataclass("Inner", [("x", Decimal)], frozen=True)
    assert shape_version(("inner", inner_v1)) != shape_version(("inner", inner_v2))
    assert shape_version(("colour", colour_enum("red"))) != shape_version(
        ("colour", colour_enum("rouge"))
    )


def colour_enum(red: str) -> type[enum.Enum]:
    """An enum named Colour, whose RED member has the value `red`."""

    class Colour(enum.Enum):
        RED = red

    return Colour
