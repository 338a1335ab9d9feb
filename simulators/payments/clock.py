"""The stand-in's clock: wall time plus however far a test has moved it on.

Bank debits settle days after they are made; tests and the demo move this clock
instead of waiting (`POST /v1/_clock`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SimulatedClock:
    def __init__(self) -> None:
        self._offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def advance(self, by: timedelta) -> None:
        if by < timedelta():
            raise ValueError("the clock only moves forward")
        self._offset += by
