"""The demo's data directory is seeded once, and again when what it holds is out of date."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from gateway.demo import DemoData

AS_OF = date(2026, 11, 15)


async def test_seeds_once_and_again_when_the_stand_ins_tables_changed(tmp_path: Path) -> None:
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
