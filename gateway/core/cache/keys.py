"""Cache keys: `coop:v{version}:{kind}:{key}`, one kind per cached question.

The version is the kind's codec version (a hash of the cached type's shape), so a
change to a cached dataclass gives its entries new keys; old entries are never read
again and expire on their own. Other kinds keep their entries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Final, Generic, TypeVar
from urllib.parse import quote

from gateway.core.cache.codec import Codec

NAMESPACE: Final = "coop"

V = TypeVar("V")

_KIND_NAME = re.compile(r"[a-z][a-z0-9_]*")


@dataclass(frozen=True, slots=True)
class CacheKind(Generic[V]):
    """One kind of cached answer (e.g. "customer by id") and how its values are stored."""

    name: str
    codec: Codec[V]

    def __post_init__(self) -> None:
        if not _KIND_NAME.fullmatch(self.name):
            raise ValueError(f"cache kind names are lower_snake_case, got {self.name!r}")

    @property
    def version(self) -> str:
        return self.codec.version

    def key(self, key: str) -> str:
        return f"{NAMESPACE}:v{self.version}:{self.name}:{key}"


def cache_kind(name: str, value_type: type[V]) -> CacheKind[V]:
    return CacheKind(name, Codec(value_type))


def key_parts(*parts: str | int | date) -> str:
    """One key from several parts (an account and a bill date); ':' in a part is escaped.

    Plain ids come out unchanged, so `key_parts(account_number) == account_number`.
    """
    return ":".join(quote(_text(part), safe="-_.~@+") for part in parts)


def _text(part: str | int | date) -> str:
    return part.isoformat() if isinstance(part, date) else str(part)
