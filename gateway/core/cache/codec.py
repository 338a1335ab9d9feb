"""Compact, exact bytes for the adapters' domain values, driven by their type hints.

A dataclass is stored as a JSON array of its field values in field order (no field
names: a year of hourly reads is 8,760 of them), `Decimal` as its string (scale kept:
"12.30" stays "12.30"), dates and datetimes in ISO 8601 (offset kept), enums by value,
tuples and lists as arrays. Decoding follows the declared type, so the bytes carry no
type tags and a value comes back as the classes it went in as, with two deliberate
exceptions: a list given for a `tuple[X, ...]` comes back as a tuple, and an aware
datetime comes back with a fixed-offset tzinfo (same instant and offset, so equal, but
not a `ZoneInfo`).

Positional arrays are only safe while the shape they were written with is the shape
they are read with: `Codec.version` hashes the shape (class names, field names and
types, enum values, recursively), and cache keys carry it, so changing a cached
dataclass moves its entries to new keys instead of misreading the old ones.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
import math
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any, Final, Generic, TypeVar

import orjson

# Bump when the encoding rules below change (not when a dataclass changes: that is hashed).
CODEC_FORMAT: Final = 1

T = TypeVar("T")


class CodecError(ValueError):
    """A value does not fit its declared type, or bytes do not decode as it."""


@dataclass(frozen=True, slots=True)
class _Plan:
    encode: Callable[[Any], Any]  # domain value -> what orjson writes
    decode: Callable[[Any], Any]  # what orjson read -> domain value
    shape: str


class Codec(Generic[T]):
    """Encodes and decodes values of one declared type, e.g. `tuple[Meter, ...]`."""

    __slots__ = ("_plan", "value_type", "version")

    def __init__(self, value_type: type[T]) -> None:
        self.value_type = value_type
        # cast: mypy does not see type forms such as `tuple[Meter, ...]` as hashable.
        self._plan = _plan_for(typing.cast(Any, value_type))
        digest = hashlib.sha256(f"{CODEC_FORMAT}|{self._plan.shape}".encode())
        self.version: Final = digest.hexdigest()[:8]

    @property
    def shape(self) -> str:
        return self._plan.shape

    def encode(self, value: T) -> bytes:
        try:
            return orjson.dumps(self._plan.encode(value))
        except (TypeError, ValueError, AttributeError) as exc:
            raise CodecError(f"cannot encode as {self._plan.shape}: {exc}") from exc

    def decode(self, data: bytes) -> T:
        try:
            value: T = self._plan.decode(orjson.loads(data))
        except (TypeError, ValueError, ArithmeticError, AttributeError) as exc:
            raise CodecError(f"cannot decode as {self._plan.shape}: {exc}") from exc
        return value


@cache
def _plan_for(value_type: Any) -> _Plan:
    origin = typing.get_origin(value_type)
    if origin in (typing.Union, types.UnionType):
        return _optional_plan(value_type)
    if origin is tuple:
        return _tuple_plan(value_type)
    if origin in (list, Sequence):
        return _sequence_plan(value_type, origin)
    if origin is not None:
        raise TypeError(f"the cache codec does not support {value_type!r}")
    if value_type is type(None):
        return _Plan(_expect(type(None)), _expect(type(None)), "None")
    if isinstance(value_type, type):
        if dataclasses.is_dataclass(value_type):
            return _dataclass_plan(value_type)
        if issubclass(value_type, enum.Enum):
            return _enum_plan(value_type)
        scalar = _SCALARS.get(value_type)
        if scalar is not None:
            return scalar
    raise TypeError(f"the cache codec does not support {value_type!r}")


def _expect(kind: type) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if type(value) is not kind:
            raise TypeError(f"expected {kind.__name__}, got {type(value).__name__}")
        return value

    return check


def _encode_float(value: Any) -> Any:
    if type(value) not in (float, int):
        raise TypeError(f"expected float, got {type(value).__name__}")
    number = float(value)
    # JSON has no NaN or infinity; their repr round-trips through float().
    return number if math.isfinite(number) else repr(number)


def _decode_float(value: Any) -> float:
    if type(value) not in (float, int, str):
        raise TypeError(f"expected float, got {type(value).__name__}")
    return float(value)


def _encode_decimal(value: Any) -> str:
    if type(value) is not Decimal:
        raise TypeError(f"expected Decimal, got {type(value).__name__}")
    return str(value)


def _decode_decimal(value: Any) -> Decimal:
    if type(value) is not str:
        raise TypeError(f"expected a decimal string, got {type(value).__name__}")
    return Decimal(value)


def _encode_date(value: Any) -> str:
    if type(value) is not date:  # a datetime is a date too, but would lose its time
        raise TypeError(f"expected date, got {type(value).__name__}")
    return value.isoformat()


def _encode_datetime(value: Any) -> str:
    if type(value) is not datetime:
        raise TypeError(f"expected datetime, got {type(value).__name__}")
    return value.isoformat()


_SCALARS: Final[dict[type, _Plan]] = {
    str: _Plan(_expect(str), _expect(str), "str"),
    bool: _Plan(_expect(bool), _expect(bool), "bool"),
    int: _Plan(_expect(int), _expect(int), "int"),  # exact type: a bool is not an int here
    float: _Plan(_encode_float, _decode_float, "float"),
    Decimal: _Plan(_encode_decimal, _decode_decimal, "Decimal"),
    date: _Plan(_encode_date, lambda v: date.fromisoformat(v), "date"),
    datetime: _Plan(_encode_datetime, lambda v: datetime.fromisoformat(v), "datetime"),
}


def _optional_plan(value_type: Any) -> _Plan:
    members = [arg for arg in typing.get_args(value_type) if arg is not type(None)]
    if len(members) != 1 or len(typing.get_args(value_type)) != 2:
        raise TypeError(f"the cache codec supports only `X | None` unions, not {value_type!r}")
    inner = _plan_for(members[0])

    def encode(value: Any) -> Any:
        return None if value is None else inner.encode(value)

    def decode(value: Any) -> Any:
        return None if value is None else inner.decode(value)

    return _Plan(encode, decode, f"{inner.shape}?")


def _items(value: Any) -> Sequence[Any]:
    if not isinstance(value, list | tuple):
        raise TypeError(f"expected a tuple or list, got {type(value).__name__}")
    return value


def _tuple_plan(value_type: Any) -> _Plan:
    args = typing.get_args(value_type)
    if len(args) == 2 and args[1] is Ellipsis:
        return _sequence_plan(value_type, tuple)
    plans = [_plan_for(arg) for arg in args]

    def encode(value: Any) -> list[Any]:
        items = _items(value)
        if len(items) != len(plans):
            raise ValueError(f"expected {len(plans)} items, got {len(items)}")
        return [plan.encode(item) for plan, item in zip(plans, items, strict=True)]

    def decode(value: Any) -> tuple[Any, ...]:
        items = _items(value)
        if len(items) != len(plans):
            raise ValueError(f"expected {len(plans)} items, got {len(items)}")
        return tuple(plan.decode(item) for plan, item in zip(plans, items, strict=True))

    return _Plan(encode, decode, f"tuple[{','.join(plan.shape for plan in plans)}]")


def _sequence_plan(value_type: Any, container: Any) -> _Plan:
    item_type = typing.get_args(value_type)[0]
    item = _plan_for(item_type)
    # Abstract sequences come back as tuples: immutable, so safe to share between requests.
    build: Callable[[Any], Any] = list if container is list else tuple
    name = "list" if container is list else "tuple"
    # Columns of plain values (a year of hourly reads is 8,760 floats per meter) are
    # checked and passed whole, with no call per element, whenever every element is
    # already what JSON writes and reads unchanged; anything else takes the path below.
    as_is = _AS_IS.get(item_type)

    def encode(value: Any) -> Any:
        items = _items(value)
        if as_is is not None and as_is.fits(items):
            return items
        return [item.encode(element) for element in items]

    def decode(value: Any) -> Any:
        items = _items(value)
        if as_is is not None and as_is.fits(items):
            return build(items)
        return build(item.decode(element) for element in items)

    return _Plan(encode, decode, f"{name}[{item.shape},...]")


@dataclass(frozen=True, slots=True)
class _AsIs:
    """Element types JSON keeps exactly, for the whole-sequence shortcut."""

    kinds: frozenset[type]
    finite: bool = False  # floats: NaN and infinity are written as strings instead

    def fits(self, items: Sequence[Any]) -> bool:
        if not set(map(type, items)) <= self.kinds:
            return False
        return not self.finite or all(map(math.isfinite, items))


# Exact types, as in _SCALARS: a bool is not an int, and an int is not a float here (an
# int written for a float would come back an int).
_AS_IS: Final[dict[Any, _AsIs]] = {
    str: _AsIs(frozenset({str})),
    bool: _AsIs(frozenset({bool})),
    int: _AsIs(frozenset({int})),
    float: _AsIs(frozenset({float}), finite=True),
}


def _enum_plan(enum_type: type[enum.Enum]) -> _Plan:
    def encode(value: Any) -> Any:
        if type(value) is not enum_type:
            raise TypeError(f"expected {enum_type.__qualname__}, got {type(value).__name__}")
        return value.value

    values = ",".join(repr(member.value) for member in enum_type)
    return _Plan(encode, enum_type, f"{enum_type.__qualname__}<{values}>")


def _dataclass_plan(cls: type) -> _Plan:
    fields = dataclasses.fields(cls)
    if not all(field.init for field in fields):
        raise TypeError(f"{cls.__qualname__}: fields outside __init__ cannot be cached")
    hints = typing.get_type_hints(cls)
    names = [field.name for field in fields]
    plans = [_plan_for(hints[name]) for name in names]

    def encode(value: Any) -> list[Any]:
        if type(value) is not cls:
            raise TypeError(f"expected {cls.__qualname__}, got {type(value).__name__}")
        return [plan.encode(getattr(value, name)) for name, plan in zip(names, plans, strict=True)]

    def decode(value: Any) -> Any:
        if type(value) is not list or len(value) != len(plans):
            raise ValueError(f"expected {len(plans)} fields of {cls.__qualname__}")
        return cls(*(plan.decode(item) for plan, item in zip(plans, value, strict=True)))

    shape = ",".join(f"{name}:{plan.shape}" for name, plan in zip(names, plans, strict=True))
    return _Plan(encode, decode, f"{cls.__qualname__}({shape})")
