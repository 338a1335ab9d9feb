"""One worker per SQLite database, enforced by an OS file lock beside the database file.

SQLite serialises writers, so a second worker adds nothing but contention; claims stay
correct either way (compare-and-set), the lock only keeps operators from running two.
flock(2) belongs to the open file: the kernel releases it when the process ends, even by
SIGKILL, so a crashed worker never leaves a stale lock behind (a lock row in the
database or a pid file would). PostgreSQL runs any number of workers and takes no lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from types import TracebackType
from typing import Self

from sqlalchemy.engine import make_url

from gateway.core.outbox.errors import AnotherWorkerRunning

LOCK_SUFFIX = ".worker-lock"


class WorkerLock:
    """Held from `acquire()` (or entering `with`) until `release()`, or until the process
    ends. A second holder, in this process or another, gets AnotherWorkerRunning."""

    def __init__(self, database_path: Path | None) -> None:
        # None: nothing to hold (PostgreSQL, or a SQLite database only in memory).
        self._database_path = database_path
        self._fd: int | None = None

    @property
    def lock_path(self) -> Path | None:
        if self._database_path is None:
            return None
        return self._database_path.with_name(self._database_path.name + LOCK_SUFFIX)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        lock_path = self.lock_path
        if lock_path is None or self._fd is not None:
            return
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _read_holder(fd)
            os.close(fd)
            raise AnotherWorkerRunning(str(self._database_path), holder=holder) from None
        except BaseException:
            os.close(fd)
            raise
        # Who holds it, for the message the next worker prints; the lock is the flock,
        # not this text, and the file is never deleted (a deleted lock file would let
        # the next worker lock a new file while this one still holds the old one).
        os.ftruncate(fd, 0)
        os.write(fd, f"pid {os.getpid()}\n".encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        os.close(fd)  # closing the descriptor releases the flock

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.release()


def worker_lock(database_url: str) -> WorkerLock:
    """The worker lock for the database at `database_url`, not yet acquired."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return WorkerLock(None)
    # One spelling per file: relative paths and symlinks must find the same lock.
    return WorkerLock(Path(url.database).resolve())


def acquire_worker_lock(database_url: str) -> WorkerLock:
    """Hold the worker lock for `database_url` (a no-op for PostgreSQL), or raise
    AnotherWorkerRunning. Keep the returned lock for as long as the worker runs."""
    lock = worker_lock(database_url)
    lock.acquire()
    return lock


def _read_holder(fd: int) -> str | None:
    try:
        text = os.pread(fd, 200, 0).decode(errors="replace").strip()
    except OSError:
        return None
    return text or None
