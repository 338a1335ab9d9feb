"""`coop-gateway demo` in a process of its own, as `make demo` runs it, on a free port."""

from __future__ import annotations

import functools
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import httpx

from simulators.seed import DEMO_EMAIL, generate_world
from simulators.world import World

ROOT = Path(__file__).resolve().parents[2]
# Seeding a small co-op and starting the stand-ins takes seconds, more on a busy machine.
START_TIMEOUT_S = 120.0
DEMO_ACCOUNTS = 40
DEMO_SEED = 1


class DemoProcess:
    def __init__(self, popen: subprocess.Popen[bytes], url: str, log: Path) -> None:
        self._popen = popen
        self.url = url
        self.log = log

    @property
    def data_dir(self) -> Path:
        """The demo's `--data-dir`: its databases, its email outbox, its stand-ins' URLs."""
        return self.log.parent

    @classmethod
    def start(cls, data_dir: Path, settings: Mapping[str, str] | None = None) -> DemoProcess:
        """`settings`: COOP_* variables for the demo's gateway, beside its own."""
        port = _free_port()
        log = data_dir / "demo.log"
        # The demo's own settings only: none of the COOP_* variables of whoever runs this.
        env = {name: value for name, value in os.environ.items() if not name.startswith("COOP_")}
        env.update(settings or {})
        with log.open("wb") as output:
            popen = subprocess.Popen(  # our own interpreter and command line
                [
                    sys.executable,
                    "-m",
                    "gateway.cli",
                    "demo",
                    "--port",
                    str(port),
                    "--accounts",
                    str(DEMO_ACCOUNTS),
                    "--seed",
                    str(DEMO_SEED),
                    "--data-dir",
                    str(data_dir),
                ],
                cwd=ROOT,  # where `make demo` runs it, and where web/dist is
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        demo = cls(popen, f"http://127.0.0.1:{port}", log)
        try:
            demo._wait_until_ready()
        except BaseException:
            demo.close()
            raise
        return demo

    def close(self) -> None:
        if self._popen.poll() is None:
            self._popen.send_signal(signal.SIGINT)  # Ctrl+C, as a person stops it
            try:
                self._popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self._popen.kill()
                self._popen.wait()

    def _wait_until_ready(self) -> None:
        ends = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < ends:
            if self._popen.poll() is not None:
                raise RuntimeError(
                    f"the demo exited with {self._popen.returncode}:\n{self.log.read_text()}"
                )
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise TimeoutError(f"the demo did not get ready:\n{self.log.read_text()}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@functools.cache
def demo_world() -> World:
    """The co-op `coop-gateway demo` generates today."""
    return generate_world(accounts=DEMO_ACCOUNTS, seed=DEMO_SEED, as_of=date.today())


def demo_member_account_numbers() -> list[str]:
    """The demo member's accounts in the co-op `coop-gateway demo` generates."""
    world = demo_world()
    login = next(login for login in world.logins if login.email == DEMO_EMAIL)
    return [a.account_number for a in world.accounts if a.customer_id in login.customer_ids]
