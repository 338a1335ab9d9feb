"""Everything a meter data store holds for one meter, as the port hands it out."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.meters.port import DailyRead, IntervalRead


@dataclass(frozen=True, slots=True)
class MeterHistory:
    """One meter's reads, each series oldest first and without gaps in its keys.

    `hourly` covers the store's hourly window (consecutive UTC hours), `daily` the
    whole history (consecutive local days); both are empty for a meter with no reads.
    """

    meter_no: str
    hourly: tuple[IntervalRead, ...]
    daily: tuple[DailyRead, ...]
