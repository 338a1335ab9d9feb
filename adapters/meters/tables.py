"""The meter data store's schema, as this project defines it (SQLite and PostgreSQL alike).

Instants are stored as `timestamptz` on PostgreSQL and as integer microseconds since
the Unix epoch on SQLite, whose own datetime storage drops the offset; both round-trip
an aware UTC `datetime` exactly (`datetime(starts_at / 1000000, 'unixepoch')` reads it
back in the sqlite3 shell). Energy and temperatures are IEEE doubles, so the floats the
loader writes are the floats the adapter reads. Local days are plain `DATE`s in the
co-op's time zone. On SQLite the big tables are clustered on their primary key
(WITHOUT ROWID), which is the order every query reads them in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine

from adapters.meters.port import EPOCH, epoch_microseconds

__all__ = [
    "EPOCH",
    "UtcInstant",
    "daily_reads",
    "daily_weather",
    "epoch_microseconds",
    "interval_reads",
    "metadata",
    "meters",
    "service_locations",
    "weather_stations",
]

# epoch_microseconds: the SQLite storage form of an aware instant (the loader's too).
_EPOCH_PLUS = EPOCH.__add__  # bound once: it runs for every instant read


class UtcInstant(TypeDecorator[datetime]):
    """An aware instant in; an aware UTC `datetime` out, on every backend."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return epoch_microseconds(value)
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"expected an aware datetime, got naive {value.isoformat()}")
        return value.astimezone(UTC)

    def result_processor(
        self, dialect: Dialect, coltype: object
    ) -> Callable[[Any], datetime | None]:
        # Replaces process_result_value: a year of hourly reads is 8,760 rows, and one
        # plain call per value costs a third of the generic TypeDecorator chain.
        if dialect.name == "sqlite":
            return _from_stored_microseconds
        return _as_utc


def _from_stored_microseconds(value: int | None) -> datetime | None:
    return None if value is None else _EPOCH_PLUS(timedelta(microseconds=value))


def _as_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is UTC:
        return value
    return value.astimezone(UTC)


# Named constraints, so the loader can drop and re-create them around a bulk load.
metadata = MetaData(
    naming_convention={
        "pk": "%(table_name)s_pkey",
        "fk": "%(table_name)s_%(column_0_name)s_fkey",
        "ix": "%(table_name)s_%(column_0_name)s_idx",
    }
)

weather_stations = Table(
    "weather_stations",
    metadata,
    Column("station_id", String(16), primary_key=True),
    Column("name", String(100), nullable=False),
    Column("latitude", Double, nullable=False),
    Column("longitude", Double, nullable=False),
    Column("elevation_ft", Integer, nullable=False),
)

service_locations = Table(
    "service_locations",
    metadata,
    Column("location_id", String(32), primary_key=True),
    Column(
        "station_id",
        String(16),
        ForeignKey("weather_stations.station_id"),
        nullable=False,
        index=True,
    ),
)

meters = Table(
    "meters",
    metadata,
    Column("meter_no", String(32), primary_key=True),
    Column(
        "location_id",
        String(32),
        ForeignKey("service_locations.location_id"),
        nullable=False,
        index=True,
    ),
)

interval_reads = Table(
    "interval_reads",
    metadata,
    Column("meter_no", String(32), ForeignKey("meters.meter_no"), primary_key=True),
    Column("starts_at", UtcInstant, primary_key=True),  # start of the hour, UTC
    Column("kwh", Double, nullable=False),
    Column("estimated", Boolean, nullable=False),
    sqlite_with_rowid=False,
)

daily_reads = Table(
    "daily_reads",
    metadata,
    Column("meter_no", String(32), ForeignKey("meters.meter_no"), primary_key=True),
    Column("day", Date, primary_key=True),  # local calendar day of the co-op
    Column("kwh", Double, nullable=False),
    Column("estimated", Boolean, nullable=False),
    sqlite_with_rowid=False,
)

daily_weather = Table(
    "daily_weather",
    metadata,
    Column("station_id", String(16), ForeignKey("weather_stations.station_id"), primary_key=True),
    Column("day", Date, primary_key=True),
    Column("high_f", Double, nullable=False),
    Column("low_f", Double, nullable=False),
    Column("mean_f", Double, nullable=False),
    sqlite_with_rowid=False,
)
