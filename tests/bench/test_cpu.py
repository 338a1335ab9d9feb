"""CPU time from /proc/<pid>/stat."""

from __future__ import annotations

import os
from pathlib import Path

from bench.cpu import cpu_seconds, cpu_seconds_of

# utime 150 and stime 50 ticks; the command name holds a space and a parenthesis.
STAT = "4242 (coop gw) x) S 1 4242 4242 0 -1 4194560 100 0 0 0 150 50 0 0 20 0 3 0 123 0 0"


def test_user_and_system_time_are_summed() -> None:
    assert cpu_seconds_of(STAT, ticks_per_second=100) == 2.0


def test_processes_that_ended_count_nothing(tmp_path: Path) -> None:
    (tmp_path / "4242").mkdir()
    (tmp_path / "4242" / "stat").write_text(STAT)
    ticks = os.sysconf("SC_CLK_TCK")
    assert cpu_seconds([4242, 4243], proc=tmp_path) == 200 / ticks
