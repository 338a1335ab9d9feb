"""Choosing the accounts of the staff list."""

from __future__ import annotations

from bench.data import evenly_spaced


def test_evenly_spaced_items_cover_the_whole_list() -> None:
    items = [str(n) for n in range(500)]
    chosen = evenly_spaced(items, 100)
    assert len(chosen) == len(set(chosen)) == 100
    assert chosen[:3] == ["0", "5", "10"]
    assert chosen[-1] == "495"


def test_asking_for_more_than_there_are_gives_them_all() -> None:
    assert evenly_spaced(["a", "b"], 5) == ["a", "b"]
