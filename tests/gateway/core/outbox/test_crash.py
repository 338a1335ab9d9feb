"""A worker killed by SIGKILL in the middle of a handler: its entry comes back.

The entry stays RUNNING, leased to the dead worker, until the lease expires; then a new
worker claims it and runs it to DONE. The handler finishes exactly once in all. On
SQLite the new worker could start only because the kernel released the dead one's lock,
and a second live worker is refused.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Awaitable, Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from gateway.core.outbox.table import OutboxState
from gateway.core.store.gateway_store import GatewayStore
from tests.gateway.core.outbox.support import queue, read_row
from tests.gateway.core.outbox.worker_process import KIND, REFUSED, worker_id

LEASE_S = 2.0
PATIENCE_S = 60  # hang guard only
REPO = Path(__file__).resolve().parents[4]


class Workers:
    """Worker processes started by a test; any still running at its end are killed."""

    def __init__(self, database_url: str, gate: Path) -> None:
        self._database_url = database_url
        self._gate = gate
        self._started: list[subprocess.Popen[str]] = []

    def start(self) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.gateway.core.outbox.worker_process",
                self._database_url,
                str(self._gate),
                str(LEASE_S),
            ],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self._started.append(process)
        return process

    def kill_all(self) -> None:
        for process in self._started:
            if process.poll() is None:
                process.kill()
            process.communicate()


@pytest.fixture
def gate(tmp_path: Path) -> Path:
    return tmp_path


@pytest.fixture
def workers(database_url: str, gate: Path) -> Iterator[Workers]:
    started = Workers(database_url, gate)
    yield started
    started.kill_all()


async def eventually(
    condition: Callable[[], Awaitable[bool]], *, while_running: subprocess.Popen[str]
) -> None:
    """Wait until `condition` holds; fail at once if the worker process exits first."""
    async with asyncio.timeout(PATIENCE_S):
        while True:
            if await condition():
                return
            if while_running.poll() is not None:
                _, errors = while_running.communicate()
                pytest.fail(f"the worker exited ({while_running.returncode}):\n{errors}")
            await asyncio.sleep(0.02)


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


async def test_a_killed_workers_entry_comes_back_after_its_lease_and_runs_once_more(
    store: GatewayStore, database_url: str, workers: Workers, gate: Path
) -> None:
    [entry_id] = await queue(store, kind=KIND)

    first_start = gate / f"started-{entry_id}-1"

    async def first_run_started() -> bool:
        return first_start.exists()

    async def entry_done() -> bool:
        return (await read_row(store, entry_id)).state is OutboxState.DONE

    doomed = workers.start()
    await eventually(first_run_started, while_running=doomed)
    # Frozen from here to its death: on a loaded machine, starting the second worker
    # below can take longer than the lease, and a live handler past its lease records
    # its own failure, which is not the crash this test is about.
    os.kill(doomed.pid, signal.SIGSTOP)
    claimed = await read_row(store, entry_id)
    assert (claimed.state, claimed.attempts, claimed.claimed_by) == (
        OutboxState.RUNNING,
        1,
        worker_id(doomed.pid),
    )
    assert claimed.lease_until is not None

    if database_url.startswith("sqlite"):
        refused = workers.start()
        _, errors = await asyncio.to_thread(refused.communicate, timeout=PATIENCE_S)
        assert refused.returncode == REFUSED
        assert "another worker already runs against this SQLite database" in errors

    os.kill(doomed.pid, signal.SIGKILL)
    await asyncio.to_thread(doomed.wait, timeout=PATIENCE_S)
    assert doomed.returncode == -signal.SIGKILL
    # Nobody finishes a dead worker's run: the entry stays as it was claimed.
    assert await read_row(store, entry_id) == claimed

    (gate / "open").touch()
    replacement = workers.start()
    await eventually(entry_done, while_running=replacement)

    second_start = datetime.fromisoformat((gate / f"started-{entry_id}-2").read_text())
    assert second_start >= claimed.lease_until  # not taken before the lease expired
    done = await read_row(store, entry_id)
    assert (done.state, done.attempts, done.claimed_by) == (
        OutboxState.DONE,
        2,
        worker_id(replacement.pid),
    )
    assert lines(gate / "finished") == [f"{entry_id} 2 {replacement.pid}"]
    assert not (gate / f"started-{entry_id}-3").exists()

    replacement.send_signal(signal.SIGTERM)  # a clean stop, lock released
    _, errors = await asyncio.to_thread(replacement.communicate, timeout=PATIENCE_S)
    assert replacement.returncode == 0, errors
