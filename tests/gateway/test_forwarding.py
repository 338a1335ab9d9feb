"""`coop-gateway serve` believes X-Forwarded-For only from the proxies it is told of."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from starlette.types import Receive, Scope, Send

from gateway.cli import main

CLIENT = "127.0.0.1"  # uvicorn's default trusted proxy address
CLAIMED = "203.0.113.99"


def served_options(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The keyword arguments `serve` gives uvicorn.run."""
    given: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: given.update(options))
    assert main(["serve"]) == 0
    return given


async def seen_address(options: dict[str, Any], *, client: str, forwarded_for: str) -> str:
    """The client address the app sees for a request from `client` with that header."""
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["client"][0])

    wanted = {k: options[k] for k in ("proxy_headers", "forwarded_allow_ips") if k in options}
    config = uvicorn.Config(app, **wanted)
    config.load()
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "headers": [(b"x-forwarded-for", forwarded_for.encode())],
        "client": (client, 40000),
        "server": ("127.0.0.1", 8000),
    }

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        return None

    await config.loaded_app(scope, receive, send)
    return seen[0]


async def test_by_default_a_client_cannot_choose_its_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("COOP_FORWARDED_ALLOW_IPS", raising=False)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    options = served_options(monkeypatch)

    assert options["proxy_headers"] is False
    assert await seen_address(options, client=CLIENT, forwarded_for=CLAIMED) == CLIENT


async def test_a_configured_proxy_is_believed_and_no_one_else(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COOP_FORWARDED_ALLOW_IPS", " 10.0.0.5 , 10.0.1.0/24")
    options = served_options(monkeypatch)

    assert await seen_address(options, client="10.0.1.7", forwarded_for=CLAIMED) == CLAIMED
    assert await seen_address(options, client=CLIENT, forwarded_for=CLAIMED) == CLIENT
