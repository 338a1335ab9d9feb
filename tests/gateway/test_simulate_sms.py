"""`coop-gateway simulate sms`: the SMS provider stand-in as a process of its own, taking
a text with the account's credentials and showing it in its outbox.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from gateway.cli import main

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 30.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_it_refuses_to_start_without_its_credentials(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COOP_SMS_ACCOUNT_SID", "AC1")
    monkeypatch.delenv("COOP_SMS_AUTH_TOKEN", raising=False)

    assert main(["simulate", "sms", "--port", "9"]) == 2
    assert "COOP_SMS_AUTH_TOKEN" in capsys.readouterr().err


def test_it_sends_a_text_with_the_credentials_and_shows_it_in_the_outbox() -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    popen = subprocess.Popen(  # our own interpreter and entry point
        [sys.executable, "-m", "gateway.cli", "simulate", "sms", "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "COOP_SMS_ACCOUNT_SID": "AC1", "COOP_SMS_AUTH_TOKEN": "cli-token"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        ends = time.monotonic() + START_TIMEOUT_S
        while True:
            assert popen.poll() is None, "the stand-in exited"
            try:
                sent = httpx.post(
                    f"{url}/v1/Accounts/AC1/Messages",
                    json={"to": "+15055550142", "body": "Power is back on."},
                    headers={"Idempotency-Key": "k"},
                    auth=("AC1", "cli-token"),
                    timeout=2.0,
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < ends, "the stand-in never answered"
                time.sleep(0.1)
        page = httpx.get(f"{url}/outbox.html")
    finally:
        popen.terminate()
        popen.wait(timeout=10)

    assert sent.status_code == 201
    assert sent.json()["from"] == "+15005550100"
    assert "Power is back on." in page.text
