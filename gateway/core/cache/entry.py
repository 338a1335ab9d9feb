"""What one cache entry holds: a value, or the remembered answer "this does not exist".

Caching "not found" keeps a lookup for something missing (a mistyped account number,
a probe) from reaching the backend every time. The first byte tells the two apart; a
remembered not-found comes back as the same `NotFound` subclass with the same message.
"""

from __future__ import annotations

from typing import Final, TypeVar

import orjson

from adapters.errors import NotFound
from gateway.core.cache.codec import Codec, CodecError

V = TypeVar("V")

_VALUE: Final = b"v"
_NOT_FOUND: Final = b"n"


def encode_value(codec: Codec[V], value: V) -> bytes:
    return _VALUE + codec.encode(value)


def encode_not_found(error: NotFound) -> bytes:
    cls = type(error)
    return _NOT_FOUND + orjson.dumps([_qualified_name(cls), error.system, str(error)])


def decode_entry(codec: Codec[V], data: bytes) -> V | NotFound:
    """The value or not-found an entry holds; `CodecError` when it cannot be read."""
    tag, body = data[:1], data[1:]
    if tag == _VALUE:
        return codec.decode(body)
    if tag == _NOT_FOUND:
        return _decode_not_found(body)
    raise CodecError(f"unknown cache entry tag {tag!r}")


def _decode_not_found(body: bytes) -> NotFound:
    try:
        name, system, message = orjson.loads(body)
    except (orjson.JSONDecodeError, TypeError, ValueError) as exc:
        raise CodecError("unreadable not-found entry") from exc
    if not (isinstance(name, str) and isinstance(system, str) and isinstance(message, str)):
        raise CodecError("unreadable not-found entry")
    cls = _not_found_classes().get(name)
    if cls is not None:
        try:
            return cls(message)
        except TypeError:
            pass  # a subclass with its own constructor: fall back to the base
    error = NotFound(message)
    error.system = system
    return error


def _not_found_classes() -> dict[str, type[NotFound]]:
    # Only classes already imported and derived from NotFound can be named by an
    # entry: cached bytes never choose an arbitrary class to instantiate.
    found: dict[str, type[NotFound]] = {}
    pending: list[type[NotFound]] = [NotFound]
    while pending:
        cls = pending.pop()
        found[_qualified_name(cls)] = cls
        pending.extend(cls.__subclasses__())
    return found


def _qualified_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"
