"""The member portal and the staff console as the gateway serves them: their own built
pages under a strict policy, HSTS only over HTTPS (a proxy's `X-Forwarded-Proto`
counts when the proxy is trusted), and nothing at all unless they are on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from gateway.api.web_apps import CONTENT_SECURITY_POLICY, STRICT_TRANSPORT_SECURITY
from gateway.app import create_app
from gateway.members.emails import (
    ACCEPT_INVITATION_PATH,
    CONFIRM_EMAIL_PATH,
    RESET_PASSWORD_PATH,
)
from gateway.notifications.sending import MANAGE_PATH
from gateway.settings import GatewaySettings

SECRET = SecretStr("web-apps-test-signing-secret-" + "w" * 20)
PORTAL = '<!doctype html><script type="module" src="/assets/portal-AbC123.js"></script>'
STAFF = '<!doctype html><script type="module" src="/assets/staff-DeF456.js"></script>'
SCRIPT = "console.log('portal');\n"


@asynccontextmanager
async def client_of(
    *, base_url: str = "http://gateway", trust_proxy: bool = False, **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    # No lifespan: neither the pages nor their files need the backends.
    app: Any = create_app(GatewaySettings(jwt_secret=SECRET, **settings))
    if trust_proxy:
        app = ProxyHeadersMiddleware(app, trusted_hosts="*")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=base_url) as client:
        yield client


def built(build_dir: Path) -> Path:
    """A build folder laid out as Vite writes it."""
    for app, page in (("portal", PORTAL), ("staff", STAFF)):
        (build_dir / app).mkdir(parents=True)
        (build_dir / app / "index.html").write_text(page)
    (build_dir / "assets").mkdir()
    (build_dir / "assets" / "portal-AbC123.js").write_text(SCRIPT)
    return build_dir


@pytest.mark.parametrize(("path", "page"), [("/", PORTAL), ("/staff", STAFF)])
async def test_each_app_is_served_under_a_strict_policy(
    tmp_path: Path, path: str, page: str
) -> None:
    async with client_of(web_apps_enabled=True, web_build_dir=built(tmp_path)) as client:
        answer = await client.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/html")
    assert answer.text == page
    policy = answer.headers["content-security-policy"]
    assert policy == CONTENT_SECURITY_POLICY
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"  # no inline script, no other origin
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy
    assert answer.headers["x-frame-options"] == "DENY"
    assert answer.headers["x-content-type-options"] == "nosniff"
    assert answer.headers["referrer-policy"] == "no-referrer"
    assert answer.headers["cache-control"] == "no-cache"
    assert "strict-transport-security" not in answer.headers  # plain HTTP


async def test_assets_are_immutable_whether_or_not_graphiql_is_on(tmp_path: Path) -> None:
    build = built(tmp_path)
    for graphiql in (False, True):
        async with client_of(
            web_apps_enabled=True, graphiql_enabled=graphiql, web_build_dir=build
        ) as client:
            script = await client.get("/assets/portal-AbC123.js")
        assert script.status_code == 200
        assert script.text == SCRIPT
        assert script.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_over_https_browsers_are_told_to_keep_to_it(tmp_path: Path) -> None:
    async with client_of(
        base_url="https://gateway", web_apps_enabled=True, web_build_dir=built(tmp_path)
    ) as client:
        answer = await client.get("/staff")
    assert answer.headers["strict-transport-security"] == STRICT_TRANSPORT_SECURITY


async def test_behind_a_trusted_proxy_its_forwarded_scheme_counts(tmp_path: Path) -> None:
    build = built(tmp_path)
    https = {"x-forwarded-proto": "https"}
    async with client_of(web_apps_enabled=True, web_build_dir=build, trust_proxy=True) as client:
        assert (await client.get("/", headers=https)).headers[
            "strict-transport-security"
        ] == STRICT_TRANSPORT_SECURITY
    # Not trusted: a client saying so is not believed.
    async with client_of(web_apps_enabled=True, web_build_dir=build) as client:
        assert "strict-transport-security" not in (await client.get("/", headers=https)).headers


async def test_before_the_build_the_pages_say_how_to_build(tmp_path: Path) -> None:
    async with client_of(web_apps_enabled=True, web_build_dir=tmp_path / "none") as client:
        answer = await client.get("/")
    assert answer.status_code == 503
    assert "make web" in answer.text
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


async def test_off_by_default(tmp_path: Path) -> None:
    async with client_of(web_build_dir=built(tmp_path)) as client:
        assert (await client.get("/")).status_code == 404
        assert (await client.get("/staff")).status_code == 404
        assert (await client.get("/assets/portal-AbC123.js")).status_code == 404


async def test_the_portal_is_told_where_to_tokenize_and_may_connect_there(
    tmp_path: Path,
) -> None:
    async with client_of(
        web_apps_enabled=True,
        web_build_dir=built(tmp_path),
        payments_browser_url="https://pay.example.net/processor",
        payments_publishable_key="pk_test_portal",
    ) as client:
        config = await client.get("/portal/config.json")
        page = await client.get("/")
    assert config.json() == {
        "payments": {"url": "https://pay.example.net/processor", "publishableKey": "pk_test_portal"}
    }
    assert config.headers["cache-control"] == "no-store"
    assert "connect-src 'self' https://pay.example.net;" in page.headers["content-security-policy"]


async def test_without_a_processor_the_portal_connects_to_the_gateway_only(
    tmp_path: Path,
) -> None:
    async with client_of(web_apps_enabled=True, web_build_dir=built(tmp_path)) as client:
        assert (await client.get("/portal/config.json")).json() == {"payments": None}
        page = await client.get("/")
    assert "connect-src 'self';" in page.headers["content-security-policy"]


@pytest.mark.parametrize(
    "path", [CONFIRM_EMAIL_PATH, RESET_PASSWORD_PATH, ACCEPT_INVITATION_PATH, MANAGE_PATH]
)
async def test_the_links_in_members_emails_open_the_portal(tmp_path: Path, path: str) -> None:
    async with client_of(web_apps_enabled=True, web_build_dir=built(tmp_path)) as client:
        answer = await client.get(path, params={"token": "from-the-email"})
    assert answer.status_code == 200
    assert answer.text == PORTAL
    assert answer.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert answer.headers["referrer-policy"] == "no-referrer"  # the token goes nowhere
