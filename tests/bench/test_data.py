"""Choosing the accounts of the staff list."""

from __future__ import annotations

from pathlib import Path

from bench.data import copy_with_own, evenly_spaced


def test_evenly_spaced_items_cover_the_whole_list() -> None:
    items = [str(n) for n in range(500)]
    chosen = evenly_spaced(items, 100)
    assert len(chosen) == len(set(chosen)) == 100
    assert chosen[:3] == ["0", "5", "10"]
    assert chosen[-1] == "495"


def test_asking_for_more_than_there_are_gives_them_all() -> None:
    assert evenly_spaced(["a", "b"], 5) == ["a", "b"]


def test_a_copy_with_its_own_database_shares_the_others(tmp_path: Path) -> None:
    seeded = tmp_path / "seeded"
    seeded.mkdir()
    for name in ("cis.db", "meters.db", "oms.db", "seed.json"):
        (seeded / name).write_text(name)

    copy = copy_with_own(seeded, tmp_path / "copy", "oms.db")
    (copy / "oms.db").write_text("written to")

    assert (seeded / "oms.db").read_text() == "oms.db"
    assert (copy / "seed.json").read_text() == "seed.json"
    assert (copy / "cis.db").resolve() == (seeded / "cis.db").resolve()
    assert (copy / "meters.db").is_symlink()
