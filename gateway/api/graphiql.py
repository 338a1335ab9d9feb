"""GraphiQL served by the gateway itself, so that it works where the internet does not.

The page and its scripts are built by Vite from `web/graphiql/` (`make web`) into the
web build folder: the page's HTML at `graphiql/index.html`, every script, style sheet
and font under `assets/` with a content hash in its name. The gateway answers a
browser's GET of `/graphql` with that HTML, serves `assets/` at `/assets/` (cached for
a year: a new build has new names), and the tabs the page opens with as JSON at
`/graphiql/config.json`, because the page's Content-Security-Policy allows no inline
script to hand them over in the HTML.

Nothing on the page comes from another origin, so the policy can be strict: scripts,
styles and connections from the gateway's own origin only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

CONFIG_PATH: Final = "/graphiql/config.json"
ASSETS_PATH: Final = "/assets"
PAGE_FILE: Final = Path("graphiql") / "index.html"
ASSETS_DIR: Final = "assets"

# GraphiQL 4 edits with CodeMirror 5, which styles through the CSSOM (allowed by
# `style-src 'self'`) rather than with inline <style> elements; the explorer's React
# `style` props are CSSOM too. Fonts and icons in GraphiQL's style sheet are data: URLs.
# One thing is refused, and logged by the browser: GraphiQL's settings and short-keys
# dialogs add a <style> element that stops the page behind them from scrolling. This
# page never scrolls (GraphiQL fills the window), so nothing is lost, and it is not
# worth 'unsafe-inline', which would let any injected style sheet in.
CONTENT_SECURITY_POLICY: Final = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    )
)
PAGE_HEADERS: Final[Mapping[str, str]] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    # The page names the current build's hashed files: always ask for it again.
    "Cache-Control": "no-cache",
}
IMMUTABLE: Final = "public, max-age=31536000, immutable"

NOT_BUILT: Final = (
    "GraphiQL is on, but its files are not built.\n\n"
    "Build them from the repository with `make web` (it needs Node.js 20.19 or newer and\n"
    "npm), then reload this page. The build goes to {build_dir}.\n\n"
    "Meanwhile, send GraphQL requests as POST application/json to this URL.\n"
)
OFF: Final = (
    "GraphiQL is off on this server (COOP_GRAPHIQL=true turns it on).\n\n"
    "Send GraphQL requests as POST application/json to this URL, or queries as GET with\n"
    "a `query` parameter.\n"
)


@dataclass(frozen=True, slots=True)
class StarterTab:
    """A tab GraphiQL opens with: a GraphQL document, titled by its operation's name."""

    query: str


class GraphiQLSite:
    """The built page, its assets and its starting tabs, for `gateway.app` to route."""

    def __init__(self, *, build_dir: Path, tabs: Sequence[StarterTab] = ()) -> None:
        self._build_dir = build_dir
        self._tabs = tuple(tabs)

    def page(self) -> Response:
        """The page for a browser's GET of the GraphQL endpoint."""
        page = self._build_dir / PAGE_FILE
        if not page.is_file():
            return PlainTextResponse(
                NOT_BUILT.format(build_dir=self._build_dir.resolve()),
                status_code=503,
                headers=PAGE_HEADERS,
            )
        return FileResponse(page, media_type="text/html", headers=PAGE_HEADERS)

    async def config(self, _: Request) -> JSONResponse:
        tabs = [{"query": tab.query} for tab in self._tabs]
        return JSONResponse({"tabs": tabs}, headers={"Cache-Control": "no-store"})

    def routes(self) -> list[BaseRoute]:
        # check_dir=False: the app starts before the first build; the page says what to do.
        assets = HashedFiles(directory=self._build_dir / ASSETS_DIR, check_dir=False)
        return [
            Route(CONFIG_PATH, self.config, methods=["GET"]),
            Mount(ASSETS_PATH, app=assets, name="assets"),
        ]


class HashedFiles(StaticFiles):
    """Vite's output under `assets/`: every name holds a hash of its content, so a file
    never changes under its name and browsers may keep it for a year."""

    def file_response(
        self,
        full_path: PathLike,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = IMMUTABLE
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def graphiql_off() -> Response:
    """A browser's GET of the GraphQL endpoint while GraphiQL is off: what to do instead."""
    return PlainTextResponse(OFF, status_code=404, headers={"X-Content-Type-Options": "nosniff"})


__all__ = ["CONTENT_SECURITY_POLICY", "GraphiQLSite", "StarterTab", "graphiql_off"]
