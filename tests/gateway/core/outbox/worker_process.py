"""A real outbox worker process for the crash tests.

    python -m tests.gateway.core.outbox.worker_process DATABASE_URL GATE_DIR LEASE_S

It takes the worker lock (exit status 3, and the reason on stderr, if another worker
holds it) and runs the loop until SIGTERM. Its one handler, kind "gated", records that
a run started (started-<id>-<attempt>, holding the wall-clock time), waits until the
file GATE_DIR/open exists, then appends "<id> <attempt> <pid>" to GATE_DIR/finished.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path

from gateway.core.outbox import (
    AnotherWorkerRunning,
    Handler,
    OutboxMessage,
    OutboxRunner,
    RetryPolicy,
    acquire_worker_lock,
)
from gateway.core.store.open import open_store

REFUSED = 3
KIND = "gated"


def worker_id(pid: int) -> str:
    return f"process-{pid}"


def _note_start(gate: Path, message: OutboxMessage) -> None:
    (gate / f"started-{message.id}-{message.attempt}").write_text(datetime.now(UTC).isoformat())


def _note_finish(gate: Path, message: OutboxMessage) -> None:
    with (gate / "finished").open("a") as finished:
        finished.write(f"{message.id} {message.attempt} {os.getpid()}\n")


def _is_open(gate: Path) -> bool:
    return (gate / "open").exists()


def gated(gate: Path) -> Handler:
    async def run(message: OutboxMessage) -> None:
        _note_start(gate, message)
        while True:  # a file, not an event: the test process opens the gate
            if _is_open(gate):
                break
            await asyncio.sleep(0.02)
        _note_finish(gate, message)

    return run


async def work(database_url: str, gate: Path, lease_s: float) -> None:
    store = open_store(database_url)
    try:
        runner = OutboxRunner(
            store.engine,
            {KIND: gated(gate)},
            worker_id=worker_id(os.getpid()),
            batch_size=5,
            poll_interval_s=0.05,
            lease_s=lease_s,
            retry=RetryPolicy(base_s=0.05, cap_s=0.1, max_attempts=5),
        )
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await runner.run(stop)
    finally:
        await store.aclose()


def main(argv: list[str]) -> int:
    database_url, gate, lease_s = argv[0], Path(argv[1]), float(argv[2])
    try:
        lock = acquire_worker_lock(database_url)
    except AnotherWorkerRunning as refused:
        print(refused, file=sys.stderr)
        return REFUSED
    with lock:
        asyncio.run(work(database_url, gate, lease_s))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
