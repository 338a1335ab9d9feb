"""Faults a test or a benchmark switches on in an HTTP stand-in (the payment processor,
the SMS provider): slow answers, an outage, lost answers."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(slots=True)
class Faults:
    latency_ms: float = 0.0  # added before every API call
    down: bool = False  # every API call answers 503 and does nothing
    # The next calls that act (a charge, a debit, a text sent) do so, then close the
    # connection without an answer: the caller cannot tell whether they happened.
    drop_next: int = 0

    def update(self, changes: dict[str, Any]) -> None:
        latency = changes.get("latency_ms", self.latency_ms)
        down = changes.get("down", self.down)
        drop = changes.get("drop_next", self.drop_next)
        if not isinstance(latency, int | float) or isinstance(latency, bool) or latency < 0:
            raise ValueError("latency_ms: a number of milliseconds, at least 0")
        if not isinstance(down, bool):
            raise ValueError("down: true or false")
        if not isinstance(drop, int) or isinstance(drop, bool) or drop < 0:
            raise ValueError("drop_next: a count, at least 0")
        self.latency_ms, self.down, self.drop_next = float(latency), down, drop

    def take_drop(self) -> bool:
        if self.drop_next <= 0:
            return False
        self.drop_next -= 1
        return True

    def as_json(self) -> dict[str, Any]:
        return asdict(self)
