"""Finding the gateway's workers and their peak memory in a /proc-like directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench.rss import (
    children,
    parent_pid,
    peak_rss_mb,
    reset_peak_rss,
    rss_mb,
    status_kib,
    worker_pids,
)

STATUS = """\
Name:\tpython
VmPeak:\t  400000 kB
VmHWM:\t  204800 kB
VmRSS:\t  150000 kB
"""


def _process(proc: Path, pid: int, parent: int, command: str, hwm_kib: int = 1000) -> None:
    directory = proc / str(pid)
    directory.mkdir()
    (directory / "stat").write_text(f"{pid} ({command[:15]}) S {parent} {pid} {pid} 0 -1\n")
    (directory / "cmdline").write_bytes(command.replace(" ", "\0").encode() + b"\0")
    (directory / "status").write_text(f"Name:\tx\nVmHWM:\t{hwm_kib} kB\nVmRSS:\t1000 kB\n")


def test_status_fields_are_read_in_kib() -> None:
    assert status_kib(STATUS, "VmHWM") == 204800
    assert status_kib(STATUS, "VmSwap") is None


def test_a_field_in_another_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="unit"):
        status_kib("VmHWM:\t12 MB\n", "VmHWM")


def test_the_parent_is_found_after_a_command_name_with_spaces_and_parentheses() -> None:
    assert parent_pid("4242 (my (odd) name) S 17 4242 4242 0 -1 4194304") == 17


def test_uvicorn_workers_are_the_children_except_the_resource_tracker(tmp_path: Path) -> None:
    _process(tmp_path, 100, 1, "coop-gateway serve --workers 2")
    _process(tmp_path, 101, 100, "python -c from multiprocessing.resource_tracker import main")
    _process(tmp_path, 102, 100, "python -c from multiprocessing.spawn import spawn_main")
    _process(tmp_path, 103, 100, "python -c from multiprocessing.spawn import spawn_main")
    _process(tmp_path, 200, 1, "someone else")
    (tmp_path / "self").mkdir()  # not a process directory
    assert children(100, tmp_path) == [101, 102, 103]
    assert worker_pids(100, tmp_path) == [102, 103]


def test_a_server_without_children_serves_in_its_own_process(tmp_path: Path) -> None:
    _process(tmp_path, 100, 1, "coop-gateway serve --workers 1")
    assert worker_pids(100, tmp_path) == [100]


def test_peak_rss_is_in_megabytes_and_none_once_the_process_is_gone(tmp_path: Path) -> None:
    _process(tmp_path, 100, 1, "coop-gateway serve", hwm_kib=200_000)
    assert peak_rss_mb(100, tmp_path) == pytest.approx(204.8)
    assert rss_mb(100, tmp_path) == pytest.approx(1.024)
    assert peak_rss_mb(999, tmp_path) is None
    assert rss_mb(999, tmp_path) is None


def test_the_peak_can_be_brought_down_to_what_is_resident_now() -> None:
    pid = os.getpid()
    block = bytearray(100_000_000)
    block[::4096] = b"x" * len(block[::4096])  # every page touched, so resident
    del block  # a block this large goes back to the system at once
    before = peak_rss_mb(pid)
    assert before is not None

    reset_peak_rss(pid)

    after, now = peak_rss_mb(pid), rss_mb(pid)
    assert after is not None
    assert now is not None
    assert after < before - 50
    assert after <= now + 1
