"""One stored answer: the response body's bytes as sent, and what a hit must redo.

`tags` are the entities it was built from (a near cache drops it by them). A hit sends
`body` as it is (no execution, no encoding), with `etag`; it charges the
client's rate limit `charge` units as the execution was charged, and writes the staff
audit entries for `audited` as the execution wrote them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

_SEPARATOR = b"\n"


class UnreadableAnswer(ValueError):
    """Stored bytes that are not an answer this code wrote (the entry is ignored)."""


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    body: bytes
    etag: str
    charge: int
    tags: frozenset[str] = frozenset()
    # When it stops being true (epoch seconds): a near layer never keeps it past then.
    expires_at: float = math.inf
    audited: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def encode(self) -> bytes:
        header = orjson.dumps(
            {
                "e": self.etag,
                "c": self.charge,
                "t": sorted(self.tags),
                "x": self.expires_at if math.isfinite(self.expires_at) else None,
                "a": dict(self.audited),
            }
        )
        return header + _SEPARATOR + self.body


def decode_answer(data: bytes) -> StoredAnswer:
    header, separator, body = data.partition(_SEPARATOR)
    try:
        fields: Any = orjson.loads(header)
        etag, charge, tags, audited = fields["e"], fields["c"], fields["t"], fields["a"]
        expires_at = math.inf if fields["x"] is None else float(fields["x"])
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise UnreadableAnswer("not a stored answer") from exc
    if not separator or not isinstance(etag, str) or not isinstance(charge, int):
        raise UnreadableAnswer("not a stored answer")
    if not isinstance(audited, dict) or not isinstance(tags, list):
        raise UnreadableAnswer("not a stored answer")
    return StoredAnswer(
        body=body,
        etag=etag,
        charge=charge,
        tags=frozenset(map(str, tags)),
        expires_at=expires_at,
        audited={str(number): tuple(map(str, names)) for number, names in audited.items()},
    )
