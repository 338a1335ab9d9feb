"""A throwaway PostgreSQL server on loopback, for the tests and the benchmarks.

The server is a cluster made for the occasion (initdb into a temporary directory,
trust authentication, a free loopback port) tuned for speed over durability, and
deleted when the block exits. PostgreSQL refuses to run as root, so as root the
cluster belongs to, and runs as, the `postgres` OS user.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from sqlalchemy.ext.asyncio import create_async_engine

SUPERUSER: Final = "postgres"
_START_ATTEMPTS: Final = 3
# Durability is worthless for a cluster deleted at the end of the run.
_SERVER_SETTINGS: Final = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "4GB",
    "shared_buffers": "256MB",
    "max_connections": "200",
}
# Debian's postgresql-15 package keeps its server binaries off PATH.
_DEBIAN_BIN: Final = Path("/usr/lib/postgresql/15/bin")


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing, or the server did not start."""


@dataclass(slots=True)
class PostgresServer:
    host: str
    port: int
    root: Path
    _names: Iterator[int] = field(default_factory=itertools.count)

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://{SUPERUSER}@{self.host}:{self.port}/{database}"

    def create_database(self, prefix: str = "test") -> str:
        """Create an empty database; returns its SQLAlchemy (asyncpg) URL.

        Synchronous so that sync and async callers alike can use it: the statement runs
        on its own event loop in a helper thread.
        """
        name = f"{prefix}_{next(self._names)}"

        async def create() -> None:
            engine = create_async_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
            try:
                async with engine.connect() as connection:
                    await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            finally:
                await engine.dispose()

        with ThreadPoolExecutor(max_workers=1) as pool:
            pool.submit(asyncio.run, create()).result()
        return self.url(name)


def _binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path=str(_DEBIAN_BIN))
    if found is None:
        raise PostgresUnavailable(
            f"PostgreSQL's `{name}` is not on PATH: a throwaway server needs the PostgreSQL"
            " 15 server binaries (initdb, pg_ctl)"
        )
    return found


def _as_postgres_user() -> tuple[list[str], pwd.struct_passwd | None]:
    if os.geteuid() != 0:
        return [], None
    try:
        account = pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable(
            "running as root needs a `postgres` OS user to run PostgreSQL as"
        ) from None
    return [_binary("runuser"), "-u", "postgres", "--"], account


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run(command: list[str], *, cwd: Path, what: str) -> None:
    finished = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)  # noqa: S603
    if finished.returncode != 0:
        raise PostgresUnavailable(
            f"{what} failed ({finished.returncode}):\n{finished.stdout}{finished.stderr}"
        )


@contextmanager
def throwaway_postgres() -> Iterator[PostgresServer]:
    """A fresh PostgreSQL server until the block exits; then it is stopped and deleted."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    prefix, account = _as_postgres_user()
    root = Path(tempfile.mkdtemp(prefix="coop-postgres-"))
    if account is not None:
        os.chown(root, account.pw_uid, account.pw_gid)
    data = root / "data"
    try:
        _run(
            [
                *prefix,
                initdb,
                "--pgdata",
                str(data),
                "--username",
                SUPERUSER,
                "--auth",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                "--no-sync",
            ],
            cwd=root,
            what="initdb",
        )
        server = _start(prefix, pg_ctl, root, data)
        try:
            yield server
        finally:
            subprocess.run(  # noqa: S603 - the argument list is this module's own
                [*prefix, pg_ctl, "--pgdata", str(data), "--mode", "fast", "--wait", "stop"],
                cwd=root,
                capture_output=True,
                check=False,
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _start(prefix: list[str], pg_ctl: str, root: Path, data: Path) -> PostgresServer:
    failures: list[str] = []
    for _ in range(_START_ATTEMPTS):  # another process may grab the free port first
        port = _free_port()
        settings = {**_SERVER_SETTINGS, "port": str(port), "unix_socket_directories": str(root)}
        options = " ".join(f"-c {name}={value}" for name, value in settings.items())
        started = subprocess.run(  # noqa: S603 - the argument list is this module's own
            [
                *prefix,
                pg_ctl,
                "--pgdata",
                str(data),
                "--log",
                str(root / "server.log"),
                "--options",
                options,
                "--wait",
                "--timeout",
                "60",
                "start",
            ],
            cwd=root,
            capture_output=True,
            text=True,
            check=False,
        )
        if started.returncode == 0:
            return PostgresServer(host="127.0.0.1", port=port, root=root)
        log = root / "server.log"
        failures.append(started.stdout + started.stderr + (log.read_text() if log.exists() else ""))
    raise PostgresUnavailable("PostgreSQL did not start:\n" + "\n".join(failures))
