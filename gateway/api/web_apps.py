"""The member portal at `/` and the staff console at `/staff`, served by the gateway.

Both are built by Vite from `web/` (`make web`) into the web build folder, beside
GraphiQL: each page's HTML at `<app>/index.html`, its scripts and style sheets under
`assets/` with a content hash in their names (served at `/assets/`, cached for a year).

The pages run no inline script and load nothing from another origin, so their policy
is strict: scripts, styles and connections from the gateway's own origin only, no
framing by any page (`frame-ancestors 'none'`, and `X-Frame-Options` for browsers that
predate it), and no form posted anywhere (the apps send GraphQL with `fetch`; a form
submitted before the scripts ran must not put a password in a URL). Over HTTPS, as
the gateway sees it (the scheme, or `X-Forwarded-Proto` from a proxy that
`COOP_FORWARDED_ALLOW_IPS` trusts), browsers are also told to use HTTPS only (HSTS).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from gateway.api.graphiql import ASSETS_DIR, ASSETS_PATH, HashedFiles

PORTAL_PATH: Final = "/"
STAFF_PATH: Final = "/staff"
# Each app's page in the build folder, by the path it is served at.
PAGES: Final[Mapping[str, Path]] = {
    PORTAL_PATH: Path("portal") / "index.html",
    STAFF_PATH: Path("staff") / "index.html",
}

CONTENT_SECURITY_POLICY: Final = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    )
)
# Two years, the subdomains too: the preload lists' minimum.
STRICT_TRANSPORT_SECURITY: Final = "max-age=63072000; includeSubDomains"
PAGE_HEADERS: Final[Mapping[str, str]] = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    # The page names the current build's hashed files: always ask for it again.
    "Cache-Control": "no-cache",
}

NOT_BUILT: Final = (
    "The member portal and the staff console are on, but their files are not built.\n\n"
    "Build them from the repository with `make web` (it needs Node.js 20.19 or newer and\n"
    "npm), then reload this page. The build goes to {build_dir}.\n"
)


class WebApps:
    """The built portal and console pages, and their assets, for `gateway.app` to route."""

    def __init__(self, *, build_dir: Path) -> None:
        self._build_dir = build_dir

    async def page(self, request: Request) -> Response:
        headers = dict(PAGE_HEADERS)
        if request.url.scheme == "https":
            headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
        page = self._build_dir / PAGES[request.url.path]
        if not page.is_file():
            return PlainTextResponse(
                NOT_BUILT.format(build_dir=self._build_dir.resolve()),
                status_code=503,
                headers=headers,
            )
        return FileResponse(page, media_type="text/html", headers=headers)

    def routes(self, *, serve_assets: bool) -> list[BaseRoute]:
        """The pages' routes, and `/assets/` unless another route serves it already."""
        routes: list[BaseRoute] = [Route(path, self.page, methods=["GET"]) for path in PAGES]
        if serve_assets:
            # check_dir=False: the app starts before the first build; the pages say so.
            assets = HashedFiles(directory=self._build_dir / ASSETS_DIR, check_dir=False)
            routes.append(Mount(ASSETS_PATH, app=assets, name="web-assets"))
        return routes


__all__ = ["CONTENT_SECURITY_POLICY", "STRICT_TRANSPORT_SECURITY", "WebApps"]
