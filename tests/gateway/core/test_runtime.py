"""The serving process's garbage collector settings."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from gateway.core.runtime import tune_garbage_collector


@pytest.fixture(autouse=True)
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def test_the_first_threshold_is_raised_and_startup_objects_are_frozen() -> None:
    _, gen1, gen2 = gc.get_threshold()

    tune_garbage_collector(12_345)

    assert gc.get_threshold() == (12_345, gen1, gen2)
    assert gc.get_freeze_count() > 0


def test_zero_keeps_pythons_thresholds() -> None:
    before = gc.get_threshold()

    tune_garbage_collector(0)

    assert gc.get_threshold() == before
