"""GraphiQL as the gateway serves it: its own built files, a strict policy, off unless on."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr

from gateway.api.graphiql import CONTENT_SECURITY_POLICY, StarterTab
from gateway.app import create_app
from gateway.settings import GatewaySettings

SECRET = SecretStr("graphiql-test-signing-secret-" + "g" * 20)
BROWSER = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
PAGE = '<!doctype html><script type="module" src="/assets/graphiql-AbC123.js"></script>'
SCRIPT = "console.log('GraphiQL');\n"


@asynccontextmanager
async def browser(
    tabs: tuple[StarterTab, ...] = (), **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    # No lifespan: neither the page nor its files need the backends.
    app = create_app(GatewaySettings(jwt_secret=SECRET, **settings), graphiql_tabs=tabs)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
        yield client


def built(build_dir: Path) -> Path:
    """A build folder laid out as Vite writes it."""
    (build_dir / "graphiql").mkdir(parents=True)
    (build_dir / "graphiql" / "index.html").write_text(PAGE)
    (build_dir / "assets").mkdir()
    (build_dir / "assets" / "graphiql-AbC123.js").write_text(SCRIPT)
    return build_dir


async def test_off_by_default_a_browser_is_told_how_to_send_requests(tmp_path: Path) -> None:
    async with browser(web_build_dir=built(tmp_path)) as client:
        page = await client.get("/graphql", headers=BROWSER)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/plain")
        assert "COOP_GRAPHIQL=true" in page.text
        assert "<script" not in page.text
        assert (await client.get("/assets/graphiql-AbC123.js")).status_code == 404
        assert (await client.get("/graphiql/config.json")).status_code == 404


async def test_on_the_built_page_is_served_under_a_strict_policy(tmp_path: Path) -> None:
    async with browser(graphiql_enabled=True, web_build_dir=built(tmp_path)) as client:
        page = await client.get("/graphql", headers=BROWSER)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert page.text == PAGE
        assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "script-src 'self';" in CONTENT_SECURITY_POLICY
        assert "style-src 'self';" in CONTENT_SECURITY_POLICY
        assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
        assert page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["referrer-policy"] == "no-referrer"
        assert page.headers["cache-control"] == "no-cache"


async def test_on_hashed_assets_are_cached_for_a_year(tmp_path: Path) -> None:
    async with browser(graphiql_enabled=True, web_build_dir=built(tmp_path)) as client:
        script = await client.get("/assets/graphiql-AbC123.js")
        assert script.status_code == 200
        assert script.text == SCRIPT
        assert "javascript" in script.headers["content-type"]
        assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert script.headers["x-content-type-options"] == "nosniff"
        assert (await client.get("/assets/missing-Zz9.js")).status_code == 404
        assert (await client.get("/assets/../graphiql/index.html")).status_code == 404


async def test_on_the_page_gets_its_tabs_as_json(tmp_path: Path) -> None:
    tabs = (
        StarterTab("mutation SignIn { logout { __typename } }"),
        StarterTab("{ viewer { email } }"),
    )
    async with browser(tabs, graphiql_enabled=True, web_build_dir=built(tmp_path)) as client:
        config = await client.get("/graphiql/config.json")
        assert config.status_code == 200
        assert config.headers["cache-control"] == "no-store"
        assert config.json() == {"tabs": [{"query": tab.query} for tab in tabs]}


async def test_on_but_not_built_the_page_says_how_to_build_it(tmp_path: Path) -> None:
    async with browser(graphiql_enabled=True, web_build_dir=tmp_path / "nothing") as client:
        page = await client.get("/graphql", headers=BROWSER)
        assert page.status_code == 503
        assert "make web" in page.text
        assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY


async def test_on_a_query_sent_by_get_is_still_graphql(tmp_path: Path) -> None:
    # Only a browser's GET *without* a query gets the page.
    async with browser(graphiql_enabled=True, web_build_dir=built(tmp_path)) as client:
        refused = await client.get("/graphql", params={"query": "{"}, headers=BROWSER)
        assert refused.headers["content-type"] != "text/html"
        assert "errors" in refused.json()
