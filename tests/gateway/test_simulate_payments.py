"""`coop-gateway simulate payments`: the processor stand-in as a process of its own,
tokenizing the README's test card for the browser's publishable key.
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


def test_it_refuses_to_start_without_its_keys(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("COOP_PAYMENTS_SECRET_KEY", raising=False)
    monkeypatch.setenv("COOP_PAYMENTS_WEBHOOK_SECRET", "whsec_x")

    assert main(["simulate", "payments", "--port", "9"]) == 2
    assert "COOP_PAYMENTS_SECRET_KEY" in capsys.readouterr().err


def test_it_serves_tokens_to_the_portal_and_charges_to_the_secret_key() -> None:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    popen = subprocess.Popen(  # our own interpreter and entry point
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "simulate",
            "payments",
            "--port",
            str(port),
            "--allowed-origin",
            "https://portal.example.coop",
        ],
        cwd=ROOT,
        env={
            **os.environ,
            "COOP_PAYMENTS_SECRET_KEY": "sk_test_cli",
            "COOP_PAYMENTS_WEBHOOK_SECRET": "whsec_cli",
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        card = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2040, "cvc": "123"}
        ends = time.monotonic() + START_TIMEOUT_S
        while True:
            assert popen.poll() is None, "the stand-in exited"
            try:
                token = httpx.post(
                    f"{url}/v1/tokens",
                    json={"card": {**card, "postal_code": "87544"}},
                    headers={"Authorization": "Bearer pk_test_demo"},
                    timeout=2.0,
                )
                break
            except httpx.TransportError:
                assert time.monotonic() < ends, "the stand-in never answered"
                time.sleep(0.1)
        charge = httpx.post(
            f"{url}/v1/charges",
            json={
                "amount": 1000,
                "currency": "usd",
                "source": token.json()["id"],
                "reference": "P",
            },
            headers={"Authorization": "Bearer sk_test_cli", "Idempotency-Key": "k"},
        )
    finally:
        popen.terminate()
        popen.wait(timeout=10)

    assert token.status_code == 200
    assert token.json()["card"]["last4"] == "4242"
    assert charge.json()["status"] == "succeeded"
