"""Several meters' reads as columns, read in the fewest Python objects each database allows.

A year of hourly reads is 8,760 rows per meter; what costs is not finding them (SQLite
scans a meter's year in about a millisecond) but the objects made for them on the way
out. Two meters' year (17,520 rows) cost, in CPU per read on the bench machine:

- SQLAlchemy Core rows, as before: about 27 ms, and a garbage collection of their many
  small objects now and then that doubles it;
- PostgreSQL: `array_agg` makes one row per meter holding three arrays, which asyncpg
  decodes in C: about 3 ms through Core (only a row per meter for SQLAlchemy to see),
  against 22 ms for the same reads as rows;
- SQLite has no arrays, and its aggregates print floats as text (not exact): its own
  cursor's tuples, a query per meter through the driver's connection, turned into
  columns, cost about 17 ms. numpy would only add a copy: the rows are the sqlite3
  module's tuples either way.

So PostgreSQL aggregates through Core, and SQLite is read through the driver's cursor,
its stored values turned into the port's (0/1 into bools, ISO text into dates) by
SQLAlchemy's own processors for the column's type, one column at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Final

from sqlalchemy import BigInteger, Column, ColumnElement, cast, exc, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.meters.tables import UtcInstant

# One meter's reads, column by column: (when, kwh, estimated).
Columns = tuple[tuple[Any, ...], tuple[float, ...], tuple[bool, ...]]

NO_COLUMNS: Final[Columns] = ((), (), ())


async def columns_by_meter(
    connection: AsyncConnection, when: Column[Any], meter_nos: Sequence[str], start: Any, end: Any
) -> dict[str, Columns]:
    """The reads of each meter in `meter_nos` that has some in [start, end), by `when`
    (a reads table's time column), oldest first; meters without reads are left out.

    Instants (`UtcInstant`) come back as microseconds since the epoch, as SQLite
    stores them; days as dates.
    """
    if connection.dialect.name == "sqlite":
        return await _sqlite_columns(connection, when, meter_nos, start, end)
    return await _aggregated_columns(connection, when, meter_nos, start, end)


async def _aggregated_columns(
    connection: AsyncConnection, when: Column[Any], meter_nos: Sequence[str], start: Any, end: Any
) -> dict[str, Columns]:
    table = when.table
    selected = _epoch_microseconds(when) if isinstance(when.type, UtcInstant) else when

    def each(column: ColumnElement[Any]) -> ColumnElement[Any]:
        return func.array_agg(aggregate_order_by(column, when))

    query = (
        select(table.c.meter_no, each(selected), each(table.c.kwh), each(table.c.estimated))
        .where(table.c.meter_no.in_(meter_nos), when >= start, when < end)
        .group_by(table.c.meter_no)
    )
    rows = (await connection.execute(query)).all()
    return {
        meter_no: (tuple(times), tuple(kwh), tuple(estimated))
        for meter_no, times, kwh, estimated in rows
    }


def _epoch_microseconds(column: ColumnElement[Any]) -> ColumnElement[int]:
    """An instant as microseconds since the epoch, computed by the database."""
    # extract() gives exact numeric seconds (PostgreSQL 14 on), so the product is whole.
    return cast(func.extract("epoch", column) * 1_000_000, BigInteger)


async def _sqlite_columns(
    connection: AsyncConnection, when: Column[Any], meter_nos: Sequence[str], start: Any, end: Any
) -> dict[str, Columns]:
    dialect = connection.dialect
    table = when.table
    # A query per meter: a meter number in every row costs more than the round trips to
    # a database in this process. Names from the table definition; values are bound.
    query = (
        f"SELECT {when.name}, kwh, estimated FROM {table.name}"  # noqa: S608
        f" WHERE meter_no = ? AND {when.name} >= ? AND {when.name} < ? ORDER BY {when.name}"
    )
    stored = _bind_processor(when, dialect)
    low, high = stored(start), stored(end)
    # Instants are kept as stored (microseconds); other columns as their type reads them.
    read_when = None if isinstance(when.type, UtcInstant) else _result_processor(when, dialect)
    read_kwh = _result_processor(table.c.kwh, dialect)
    read_estimated = _result_processor(table.c.estimated, dialect)
    # The driver's own connection: SQLAlchemy's would make a Row of every tuple.
    driver = (await connection.get_raw_connection()).driver_connection
    if driver is None:  # only once the connection is closed
        raise exc.ResourceClosedError("the meter data store connection is closed")
    found: dict[str, Columns] = {}
    for meter_no in meter_nos:
        rows = await driver.execute_fetchall(query, (meter_no, low, high))
        if rows:
            times, kwh, estimated = zip(*rows, strict=True)
            found[meter_no] = (
                _each(read_when, times),
                _each(read_kwh, kwh),
                _each(read_estimated, estimated),
            )
    return found


def _bind_processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any]:
    process = column.type.dialect_impl(dialect).bind_processor(dialect)
    return process if process is not None else _as_is


def _result_processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    return column.type.dialect_impl(dialect).result_processor(dialect, None)


def _each(process: Callable[[Any], Any] | None, values: tuple[Any, ...]) -> tuple[Any, ...]:
    return values if process is None else tuple(map(process, values))


def _as_is(value: Any) -> Any:
    return value
