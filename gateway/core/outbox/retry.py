"""When a failed entry runs again: exponential backoff with full jitter.

Full jitter (a delay drawn uniformly between zero and the exponential ceiling) spreads
the retries of many entries that failed together, say while the payment processor was
down, instead of sending them back all at once when it returns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# 2 ** 60 times any sensible base is far past any cap; the exponent stops growing there.
_MAX_DOUBLINGS = 60


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    base_s: float = 5.0
    cap_s: float = 900.0
    # Runs in all, the first included; after the last one fails the entry needs attention.
    max_attempts: int = 12

    def __post_init__(self) -> None:
        if self.base_s <= 0:
            raise ValueError(f"base_s must be positive, not {self.base_s}")
        if self.cap_s < self.base_s:
            raise ValueError(f"cap_s ({self.cap_s}) must be at least base_s ({self.base_s})")
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, not {self.max_attempts}")

    def ceiling_s(self, attempt: int) -> float:
        """The longest wait after run number `attempt` (1-based) failed."""
        doublings = min(max(attempt - 1, 0), _MAX_DOUBLINGS)
        return float(min(self.cap_s, self.base_s * 2**doublings))

    def delay_s(self, attempt: int, *, random: Callable[[], float]) -> float:
        """The wait after run `attempt` failed; `random` returns a float in [0, 1)."""
        return self.ceiling_s(attempt) * random()

    def gives_up_after(self, attempt: int) -> bool:
        return attempt >= self.max_attempts
