"""The demo's data directory is seeded once, and again when what it holds is out of date."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory

from gateway.core.store.migrate import MIGRATIONS_DIR, migrate
from gateway.demo import DemoData

AS_OF = date(2026, 11, 15)


async def test_seeds_once_and_again_when_the_tables_or_the_generator_changed(
    tmp_path: Path,
) -> None:
    data = DemoData(directory=tmp_path, accounts=40, generator_seed=7)
    marker = tmp_path / "seed.json"

    await data.ensure_seeded(as_of=AS_OF)
    seeded = json.loads(marker.read_text())
    cis_db = tmp_path / "cis.db"
    first_seeding = cis_db.stat().st_mtime_ns

    await data.ensure_seeded(as_of=AS_OF)  # the same co-op, the same tables: nothing to do
    assert cis_db.stat().st_mtime_ns == first_seeding

    # Seeded by a version whose stand-ins had other tables (e.g. no CIS change log).
    marker.write_text(json.dumps({**seeded, "tables": "older-version"}))
    await data.ensure_seeded(as_of=AS_OF)

    assert json.loads(marker.read_text()) == seeded
    assert cis_db.stat().st_mtime_ns != first_seeding
    second_seeding = cis_db.stat().st_mtime_ns

    # Seeded by another version of the generator: the same arguments, another co-op.
    marker.write_text(json.dumps({**seeded, "generator": "older-version"}))
    await data.ensure_seeded(as_of=AS_OF)

    assert json.loads(marker.read_text()) == seeded
    assert cis_db.stat().st_mtime_ns != second_seeding


async def test_a_gateway_database_an_older_checkout_made_is_brought_up_to_date(
    tmp_path: Path,
) -> None:
    data = DemoData(directory=tmp_path, accounts=40, generator_seed=7)
    await data.ensure_seeded(as_of=AS_OF)
    # The co-op is current, but the gateway's database stops at an older revision.
    (tmp_path / "gateway.db").unlink()
    await migrate(data.gateway_database_url, revision="0009")

    await data.ensure_current(as_of=AS_OF)

    with sqlite3.connect(tmp_path / "gateway.db") as database:
        (version,) = database.execute("SELECT version_num FROM alembic_version").fetchone()
        tables = {name for (name,) in database.execute("SELECT name FROM sqlite_master")}
    assert version == head_revision()
    assert "notification_contacts" in tables


def head_revision() -> str:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head
