"""What a handler receives, and the shape of a handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One run of one outbox entry.

    Delivery is at least once: a handler may see the same entry again (after a crash, or
    after its lease ran out), so every external call it makes carries `idempotency_key`.
    """

    id: int
    kind: str
    payload: Mapping[str, Any]
    idempotency_key: str
    # 1 on the first run; counts runs started, including any a crash cut short.
    attempt: int


Handler = Callable[[OutboxMessage], Awaitable[None]]
