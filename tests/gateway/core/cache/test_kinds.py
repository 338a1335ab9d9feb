"""The catalogue of cached kinds: unique names, and each can store what its port returns."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from adapters.cis.payments import PrepayBalance
from adapters.meters import port as meters
from gateway.core.cache import kinds
from gateway.core.cache.keys import CacheKind
from tests.gateway.core.cache import examples

KIND_EXAMPLES: dict[str, Any] = {
    kinds.CUSTOMER.name: examples.CUSTOMER,
    kinds.SERVICE_LOCATIONS_BY_ACCOUNT.name: (examples.LOCATION, examples.NEW_LOCATION),
    kinds.SERVICE_LOCATIONS_BY_CUSTOMER.name: (examples.LOCATION,),
    kinds.METERS_BY_ACCOUNT.name: (examples.METER, examples.BARE_METER),
    kinds.BILL.name: examples.BILL,
    kinds.BALANCE.name: examples.BALANCE,
    kinds.PREPAY_BALANCE.name: PrepayBalance(
        "A000789", Decimal("-12.40"), datetime(2026, 11, 14, 9, 30, tzinfo=UTC)
    ),
    kinds.OUTAGE_STATUS.name: examples.OUT_STATUS,
    kinds.OUTAGE_HISTORY.name: examples.RESTORED_OUTAGES,
    kinds.ACTIVE_OUTAGES.name: (examples.OUTAGE,),
    kinds.HOURLY_READS.name: meters.HourlyReads.from_rows(examples.HOURLY),
    kinds.DAILY_READS.name: meters.DailyReads.from_rows(examples.DAILY),
    kinds.WEATHER_STATION.name: "KABQ",
    kinds.DAILY_WEATHER.name: examples.WEATHER,
}


def test_kind_names_are_unique_and_all_have_examples() -> None:
    names = [kind.name for kind in kinds.ALL_KINDS]
    assert len(names) == len(set(names))
    assert set(names) == set(KIND_EXAMPLES)


@pytest.mark.parametrize("kind", kinds.ALL_KINDS, ids=lambda kind: kind.name)
def test_each_kind_stores_what_its_port_returns(kind: CacheKind[Any]) -> None:
    value = KIND_EXAMPLES[kind.name]
    assert kind.codec.decode(kind.codec.encode(value)) == value
