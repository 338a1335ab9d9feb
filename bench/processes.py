"""Child processes the harness starts: each in its own process group, logged to a file.

Every child is a session leader, so stopping it signals its whole group (uvicorn's
workers, multiprocessing's helpers) and nothing is left behind. A child that does not
come up in time is reported with the tail of its log.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Final

import httpx

STOP_TIMEOUT_S: Final = 10.0
POLL_INTERVAL_S: Final = 0.1


class StartupError(Exception):
    """A child process exited or did not become ready in time."""


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class ChildProcess:
    def __init__(self, name: str, popen: subprocess.Popen[bytes], log: Path) -> None:
        self.name = name
        self._popen = popen
        self.log = log

    @property
    def pid(self) -> int:
        return self._popen.pid

    def running(self) -> bool:
        return self._popen.poll() is None

    def log_tail(self, characters: int = 3000) -> str:
        try:
            return self.log.read_text(errors="replace")[-characters:]
        except OSError:
            return "(no log)"

    def require_running(self) -> None:
        code = self._popen.poll()
        if code is not None:
            raise StartupError(
                f"{self.name} exited with status {code}; the end of its log ({self.log}):\n"
                f"{self.log_tail()}"
            )

    def wait_until(self, ready: Callable[[], bool], *, timeout_s: float, what: str) -> None:
        """Poll `ready` until it holds; fail early if the process exits."""
        deadline = time.monotonic() + timeout_s
        while True:
            self.require_running()
            if ready():
                return
            if time.monotonic() > deadline:
                raise StartupError(
                    f"{self.name} was not {what} after {timeout_s:.0f} s; the end of its log"
                    f" ({self.log}):\n{self.log_tail()}"
                )
            time.sleep(POLL_INTERVAL_S)

    def wait_for_http(self, url: str, *, timeout_s: float) -> None:
        self.wait_until(lambda: http_ok(url), timeout_s=timeout_s, what=f"answering {url}")

    def pause(self) -> None:
        """SIGSTOP to the whole group: a hung process, whose sockets still take requests."""
        self._signal_group(signal.SIGSTOP)

    def resume(self) -> None:
        self._signal_group(signal.SIGCONT)

    def stop(self) -> None:
        """SIGTERM to the whole group, SIGKILL to whatever is still there after a while."""
        self.resume()  # a stopped process would act on SIGTERM only once continued
        if self._signal_group(signal.SIGTERM):
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._popen.wait(timeout=STOP_TIMEOUT_S)
        # Workers may outlive their supervisor: whatever is left of the group goes too.
        self._signal_group(signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._popen.wait(timeout=STOP_TIMEOUT_S)

    def _signal_group(self, signum: signal.Signals) -> bool:
        try:
            os.killpg(self._popen.pid, signum)
        except ProcessLookupError:
            return False
        return True


def start_child(
    name: str, argv: Sequence[str], *, env: Mapping[str, str], log_dir: Path
) -> ChildProcess:
    log = log_dir / f"{name}.log"
    with log.open("wb") as output:
        try:
            popen = subprocess.Popen(  # noqa: S603 - argument lists built by the harness
                list(argv),
                env=dict(env),
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except OSError as error:
            raise StartupError(f"could not start {name} ({argv[0]}): {error}") from error
    return ChildProcess(name, popen, log)


def http_ok(url: str) -> bool:
    try:
        return httpx.get(url, timeout=5.0).status_code == 200
    except httpx.HTTPError:
        return False
