"""The contract every `MeterDataPort` keeps when its store cannot be reached.

A pytest suite for any implementation. It needs two fixtures: `meter_data`, the
implementation under test, configured for a store that does not answer (a closed
port, a directory that does not exist), and `meter_data_facts`, the
`MeterDataContractFacts` of the read suite (`adapters.meters.contract`), whose
`secrets` must show in no error. Run it by importing it into a test module that
has both fixtures:

    from adapters.meters.contract_unreachable import *  # noqa: F403
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

import pytest

from adapters.meters.contract import HOUR, MeterDataContractFacts
from adapters.meters.port import MeterDataPort, MeterDataUnavailable

__all__ = ["test_an_unreachable_store_is_unavailable"]


async def test_an_unreachable_store_is_unavailable(
    meter_data: MeterDataPort, meter_data_facts: MeterDataContractFacts
) -> None:
    facts = meter_data_facts
    meter_no = facts.meters[0].meter_no
    end = facts.local_midnight(facts.end_day)
    location_id = next(iter(facts.stations_by_location))
    jan_1, feb_1 = date(2026, 1, 1), date(2026, 2, 1)
    calls: list[Callable[[], Awaitable[object]]] = [
        lambda: meter_data.hourly_reads(meter_no, start=end - HOUR, end=end),
        lambda: meter_data.daily_reads(meter_no, start=jan_1, end=feb_1),
        lambda: meter_data.hourly_reads_many([meter_no], start=end - HOUR, end=end),
        lambda: meter_data.daily_reads_many([meter_no], start=jan_1, end=facts.end_day),
        lambda: meter_data.weather_station_for_location(location_id),
        lambda: meter_data.daily_weather(facts.weather_station_id, start=jan_1, end=feb_1),
        meter_data.ping,
    ]
    for call in calls:
        with pytest.raises(MeterDataUnavailable) as raised:
            await call()
        for secret in facts.secrets:
            assert secret not in str(raised.value)
        assert raised.value.system == "meters"
