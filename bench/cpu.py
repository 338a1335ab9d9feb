"""CPU time the gateway's processes have used, from /proc: what a request cost them all
told, the HTTP server's reading of its body included, not only the endpoint's part."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from bench.rss import PROC


def cpu_seconds_of(stat_text: str, ticks_per_second: int) -> float:
    """User and system time from a /proc/<pid>/stat line (fields 14 and 15)."""
    after_name = stat_text[stat_text.rindex(")") + 2 :].split()
    return (int(after_name[11]) + int(after_name[12])) / ticks_per_second


def cpu_seconds(pids: Iterable[int], proc: Path = PROC) -> float:
    """The CPU time the processes have used so far (those that ended count nothing)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds_of((proc / str(pid) / "stat").read_text(), ticks)
        except OSError:
            continue
    return total
