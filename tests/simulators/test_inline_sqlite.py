"""The stand-ins' engine: SQLite run in the event loop's thread, with aiosqlite's results."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import (
    Boolean,
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    event,
    exc,
    insert,
    select,
    text,
)
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from simulators.inline_sqlite import stand_in_engine

metadata = MetaData()
things = Table(
    "things",
    metadata,
    Column("thing_id", Integer, primary_key=True),
    Column("name", String(32), nullable=False, unique=True),
    Column("made_on", Date, nullable=False),
    Column("is_new", Boolean, nullable=False),
)
ROWS = [
    {"thing_id": 1, "name": "meter", "made_on": date(2024, 2, 29), "is_new": True},
    {"thing_id": 2, "name": "pole", "made_on": date(1999, 12, 31), "is_new": False},
]


def _report_thread(engine: AsyncEngine) -> None:
    """Every connection gets `thread_id()`: the thread SQLite runs the query in."""

    @event.listens_for(engine.sync_engine, "connect")
    def add_function(connection: Any, _record: Any) -> None:
        connection.create_function("thread_id", 0, threading.get_ident)


@pytest.fixture
async def database(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'things.db'}"
    engine = create_async_engine(url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
        await conn.execute(insert(things), ROWS)
    await engine.dispose()
    return url


async def test_queries_run_in_the_calling_thread_where_aiosqlite_uses_its_own(
    database: str,
) -> None:
    inline, threaded = stand_in_engine(database), create_async_engine(database)
    try:
        for engine in (inline, threaded):
            _report_thread(engine)
        async with inline.connect() as conn:
            assert await conn.scalar(text("SELECT thread_id()")) == threading.get_ident()
        async with threaded.connect() as conn:
            assert await conn.scalar(text("SELECT thread_id()")) != threading.get_ident()
    finally:
        await inline.dispose()
        await threaded.dispose()


async def test_rows_read_back_exactly_as_through_aiosqlite(database: str) -> None:
    inline, threaded = stand_in_engine(database), create_async_engine(database)
    query = select(things).order_by(things.c.thing_id)
    try:
        async with inline.connect() as conn:
            rows = (await conn.execute(query)).all()
        async with threaded.connect() as conn:
            expected = (await conn.execute(query)).all()
    finally:
        await inline.dispose()
        await threaded.dispose()
    assert [tuple(row) for row in rows] == [tuple(row) for row in expected]
    assert rows[0].made_on == date(2024, 2, 29)
    assert rows[0].is_new is True


async def test_writes_commit_and_a_failed_transaction_changes_nothing(database: str) -> None:
    engine = stand_in_engine(database)
    new = {"thing_id": 3, "name": "transformer", "made_on": date(2020, 1, 1), "is_new": True}
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(things), [new])
        with pytest.raises(exc.IntegrityError):
            await _insert_in_one_transaction(
                engine,
                {**new, "thing_id": 4, "name": "fuse"},
                {**new, "thing_id": 5},  # its name is taken
            )
        async with engine.connect() as conn:
            names = (await conn.scalars(select(things.c.name).order_by(things.c.name))).all()
    finally:
        await engine.dispose()
    assert names == ["meter", "pole", "transformer"]


async def _insert_in_one_transaction(engine: AsyncEngine, *rows: dict[str, Any]) -> None:
    async with engine.begin() as conn:
        for row in rows:
            await conn.execute(insert(things), [row])


async def test_other_databases_get_the_ordinary_async_engine() -> None:
    engine = stand_in_engine("postgresql+asyncpg://standin@127.0.0.1:1/standin")
    try:
        assert engine.dialect.driver == "asyncpg"
    finally:
        await engine.dispose()


def test_a_sqlite_url_must_name_the_aiosqlite_driver() -> None:
    with pytest.raises(ValueError, match="aiosqlite"):
        stand_in_engine("sqlite:///things.db")
