"""`coop-gateway serve --workers N` without Redis: what each process would keep of its
own (stored answers, held sign-ins) is switched off, since no process would hear of a
change made in another."""

from __future__ import annotations

import os

import pytest
import uvicorn

from gateway.cli import PROCESS_LOCAL_OFF, main


@pytest.fixture
def serving(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, str]]:
    """The process-local settings as each `serve` left them for its workers."""
    for name in PROCESS_LOCAL_OFF:
        monkeypatch.setenv(name, "unset by serve")  # restored after the test
    seen: list[dict[str, str]] = []
    monkeypatch.setattr(
        uvicorn, "run", lambda app, **_: seen.append({n: os.environ[n] for n in PROCESS_LOCAL_OFF})
    )
    return seen


def test_several_workers_without_redis_keep_no_answers_or_sign_ins_of_their_own(
    serving: list[dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COOP_REDIS_URL", raising=False)
    monkeypatch.delenv("REDIS_URL", raising=False)

    assert main(["serve", "--workers", "2"]) == 0

    assert serving == [PROCESS_LOCAL_OFF]


@pytest.mark.parametrize(("workers", "redis_url"), [("1", None), ("2", "redis://127.0.0.1:6379/0")])
def test_one_worker_or_a_shared_redis_leaves_them_as_configured(
    serving: list[dict[str, str]],
    monkeypatch: pytest.MonkeyPatch,
    workers: str,
    redis_url: str | None,
) -> None:
    monkeypatch.delenv("REDIS_URL", raising=False)
    if redis_url is None:
        monkeypatch.delenv("COOP_REDIS_URL", raising=False)
    else:
        monkeypatch.setenv("COOP_REDIS_URL", redis_url)

    assert main(["serve", "--workers", workers]) == 0

    assert serving == [dict.fromkeys(PROCESS_LOCAL_OFF, "unset by serve")]
