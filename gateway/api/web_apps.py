"""The member portal at `/` and the staff console at `/staff`, served by the gateway.

Both are built by Vite from `web/` (`make web`) into the web build folder, beside
GraphiQL: each page's HTML at `<app>/index.html`, its scripts and style sheets under
`assets/` with a content hash in their names (served at `/assets/`, cached for a year).

The pages run no inline script and load nothing from another origin, so their policy
is strict: scripts, styles and connections from the gateway's own origin only (and the
payment processor's, where the portal tokenizes cards and bank accounts), no
framing by any page (`frame-ancestors 'none'`, and `X-Frame-Options` for browsers that
predate it), and no form posted anywhere (the apps send GraphQL with `fetch`; a form
submitted before the scripts ran must not put a password in a URL). Over HTTPS, as
the gateway sees it (the scheme, or `X-Forwarded-Proto` from a proxy that
`COOP_FORWARDED_ALLOW_IPS` trusts), browsers are also told to use HTTPS only (HSTS).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from gateway.api.graphiql import ASSETS_DIR, ASSETS_PATH, HashedFiles

PORTAL_PATH: Final = "/"
STAFF_PATH: Final = "/staff"
PORTAL_CONFIG_PATH: Final = "/portal/config.json"
# Each app's page in the build folder, by the path it is served at.
PAGES: Final[Mapping[str, Path]] = {
    PORTAL_PATH: Path("portal") / "index.html",
    STAFF_PATH: Path("staff") / "index.html",
}


def content_security_policy(*, connect_to: Sequence[str] = ()) -> str:
    """The pages' policy; `connect_to`: origins beyond the gateway's that the page's
    scripts may send requests to (the processor's, for tokenizing)."""
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            " ".join(("connect-src 'self'", *connect_to)),
            "object-src 'none'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        )
    )


CONTENT_SECURITY_POLICY: Final = content_security_policy()
# Two years, the subdomains too: the preload lists' minimum.
STRICT_TRANSPORT_SECURITY: Final = "max-age=63072000; includeSubDomains"
PAGE_HEADERS: Final[Mapping[str, str]] = {
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


@dataclass(frozen=True, slots=True)
class BrowserPayments:
    """Where the portal's page tokenizes payment details: the processor's base URL as
    browsers reach it, and its publishable key."""

    url: str
    publishable_key: str

    @property
    def origin(self) -> str:
        parts = urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"


class WebApps:
    """The built portal and console pages, their assets, and what the portal's page
    needs to know, for `gateway.app` to route.

    `portal_links`: paths the gateway's emails link to (confirming an address, choosing
    a new password, accepting an invitation, managing notifications); each is served
    the portal's page, which reads the path and the link's token and opens the screen
    that finishes the job.
    """

    def __init__(
        self,
        *,
        build_dir: Path,
        payments: BrowserPayments | None = None,
        portal_links: Sequence[str] = (),
    ) -> None:
        self._build_dir = build_dir
        self._payments = payments
        self._pages = {**PAGES, **dict.fromkeys(portal_links, PAGES[PORTAL_PATH])}
        connect_to = (payments.origin,) if payments is not None else ()
        self._headers = {
            "Content-Security-Policy": content_security_policy(connect_to=connect_to),
            **PAGE_HEADERS,
        }

    async def page(self, request: Request) -> Response:
        headers = dict(self._headers)
        if request.url.scheme == "https":
            headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
        page = self._build_dir / self._pages[request.url.path]
        if not page.is_file():
            return PlainTextResponse(
                NOT_BUILT.format(build_dir=self._build_dir.resolve()),
                status_code=503,
                headers=headers,
            )
        return FileResponse(page, media_type="text/html", headers=headers)

    async def portal_config(self, _: Request) -> JSONResponse:
        """What the page cannot hold in its scripts, as the policy allows no inline one."""
        payments = (
            None
            if self._payments is None
            else {"url": self._payments.url, "publishableKey": self._payments.publishable_key}
        )
        return JSONResponse({"payments": payments}, headers={"Cache-Control": "no-store"})

    def routes(self, *, serve_assets: bool) -> list[BaseRoute]:
        """The pages' routes, and `/assets/` unless another route serves it already."""
        routes: list[BaseRoute] = [Route(path, self.page, methods=["GET"]) for path in self._pages]
        routes.append(Route(PORTAL_CONFIG_PATH, self.portal_config, methods=["GET"]))
        if serve_assets:
            # check_dir=False: the app starts before the first build; the pages say so.
            assets = HashedFiles(directory=self._build_dir / ASSETS_DIR, check_dir=False)
            routes.append(Mount(ASSETS_PATH, app=assets, name="web-assets"))
        return routes


__all__ = [
    "CONTENT_SECURITY_POLICY",
    "STRICT_TRANSPORT_SECURITY",
    "BrowserPayments",
    "WebApps",
    "content_security_policy",
]
