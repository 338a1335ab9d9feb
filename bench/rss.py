"""Peak resident memory of the gateway's worker processes, from /proc.

`coop-gateway serve --workers 1` serves in the process itself; with more workers
uvicorn's supervisor spawns them as its children (multiprocessing "spawn"), next to
multiprocessing's resource tracker, which serves nothing and is left out.
"""

from __future__ import annotations

from pathlib import Path

PROC = Path("/proc")


def status_kib(status_text: str, field: str) -> int | None:
    """A "VmHWM:    12345 kB"-style field of /proc/<pid>/status, in KiB."""
    for line in status_text.splitlines():
        name, _, rest = line.partition(":")
        if name == field:
            value, _, unit = rest.strip().partition(" ")
            if unit.strip() != "kB":
                raise ValueError(f"unexpected unit in {line!r}")
            return int(value)
    return None


def parent_pid(stat_text: str) -> int:
    """The parent of a process from its /proc/<pid>/stat line.

    The command name in parentheses may itself hold spaces and parentheses, so the
    fields are counted from the last closing parenthesis.
    """
    after_name = stat_text[stat_text.rindex(")") + 2 :]
    return int(after_name.split()[1])


def children(pid: int, proc: Path = PROC) -> list[int]:
    found: list[int] = []
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if parent_pid((entry / "stat").read_text()) == pid:
                found.append(int(entry.name))
        except (OSError, ValueError):
            continue  # it ended while we looked
    return sorted(found)


def worker_pids(server_pid: int, proc: Path = PROC) -> list[int]:
    """The processes serving requests for the server started as `server_pid`."""
    workers = []
    for child in children(server_pid, proc):
        try:
            command = (proc / str(child) / "cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if b"resource_tracker" not in command:
            workers.append(child)
    return workers or [server_pid]


def peak_rss_mb(pid: int, proc: Path = PROC) -> float | None:
    """The process's peak resident set (VmHWM) so far, in MB (10^6 bytes); None once ended."""
    return _status_mb(pid, "VmHWM", proc)


def rss_mb(pid: int, proc: Path = PROC) -> float | None:
    """The process's resident set (VmRSS) now, in MB (10^6 bytes); None once ended."""
    return _status_mb(pid, "VmRSS", proc)


def reset_peak_rss(pid: int, proc: Path = PROC) -> None:
    """Bring the process's peak (VmHWM) down to its resident set now, so that the next
    peak read is the highest of what follows (Linux: "5" to /proc/<pid>/clear_refs)."""
    (proc / str(pid) / "clear_refs").write_text("5")


def _status_mb(pid: int, field: str, proc: Path) -> float | None:
    try:
        text = (proc / str(pid) / "status").read_text()
    except OSError:
        return None
    kib = status_kib(text, field)
    return None if kib is None else kib * 1024 / 1_000_000
