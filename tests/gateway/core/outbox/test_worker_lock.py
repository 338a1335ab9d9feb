"""One worker per SQLite database; PostgreSQL takes any number."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.core.outbox import AnotherWorkerRunning, acquire_worker_lock, worker_lock

REFUSAL = "another worker already runs against this SQLite database"


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def test_a_second_worker_on_the_same_sqlite_database_is_refused(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "gateway.db")
    with acquire_worker_lock(url) as first:
        with pytest.raises(AnotherWorkerRunning, match=REFUSAL) as refused:
            acquire_worker_lock(url)
        assert first.held
    assert refused.value.holder == f"pid {os.getpid()}"
    assert str(tmp_path / "gateway.db") in str(refused.value)


def test_the_lock_is_free_again_once_released(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "gateway.db")
    first = acquire_worker_lock(url)
    first.release()

    with acquire_worker_lock(url) as second:
        assert second.held
    assert not second.held


def test_other_spellings_of_the_same_file_share_one_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "var").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "var")
    monkeypatch.chdir(tmp_path)

    with (
        acquire_worker_lock("sqlite+aiosqlite:///var/gateway.db"),
        pytest.raises(AnotherWorkerRunning),
    ):
        acquire_worker_lock(sqlite_url(tmp_path / "link" / "gateway.db"))


def test_other_databases_have_their_own_lock(tmp_path: Path) -> None:
    with (
        acquire_worker_lock(sqlite_url(tmp_path / "a.db")),
        acquire_worker_lock(sqlite_url(tmp_path / "b.db")) as other,
    ):
        assert other.held


def test_another_process_is_refused_while_this_one_holds_the_lock(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path / "gateway.db")
    attempt = (
        "import sys\n"
        "from gateway.core.outbox import AnotherWorkerRunning, acquire_worker_lock\n"
        "try:\n"
        f"    acquire_worker_lock({url!r})\n"
        "except AnotherWorkerRunning as error:\n"
        "    print(error, file=sys.stderr)\n"
        "    sys.exit(3)\n"
    )
    with acquire_worker_lock(url):
        refused = subprocess.run(
            [sys.executable, "-c", attempt], capture_output=True, text=True, timeout=60
        )
    allowed = subprocess.run(
        [sys.executable, "-c", attempt], capture_output=True, text=True, timeout=60
    )

    assert (refused.returncode, REFUSAL in refused.stderr) == (3, True)
    assert f"pid {os.getpid()}" in refused.stderr
    assert (allowed.returncode, allowed.stderr) == (0, "")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://gateway@db.example:5432/gateway",
        "sqlite+aiosqlite:///:memory:",
        "sqlite+aiosqlite://",
    ],
)
def test_databases_that_allow_several_workers_take_no_lock(url: str) -> None:
    with acquire_worker_lock(url) as first, acquire_worker_lock(url) as second:
        assert (first.held, second.held, worker_lock(url).lock_path) == (False, False, None)
