"""Quiet hours: when a non-urgent text waits for morning.

A window of local time, in the member's time zone (the one their login chose, else the
co-op's: `time_zones`), that may run past midnight (21:00 to 08:00). A text due inside it is sent
at its end instead; urgent news (an outage, unless the co-op says otherwise) is not held.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class QuietHours:
    start: time  # local, inclusive
    end: time  # local, exclusive
    zone: ZoneInfo

    def in_zone(self, zone: ZoneInfo) -> QuietHours:
        """The same hours, kept in another zone."""
        return QuietHours(self.start, self.end, zone)

    def resumes_at(self, instant: datetime) -> datetime | None:
        """When texts may go again, if `instant` is inside the window; else None."""
        if self.start == self.end:
            return None  # an empty window: never quiet
        local = instant.astimezone(self.zone)
        now = local.time().replace(tzinfo=None)
        if self.start < self.end:
            inside = self.start <= now < self.end
            ends_on = local.date()
        else:  # past midnight: evening to the next morning
            inside = now >= self.start or now < self.end
            ends_on = local.date() + timedelta(days=1) if now >= self.start else local.date()
        if not inside:
            return None
        return datetime.combine(ends_on, self.end, tzinfo=self.zone)
