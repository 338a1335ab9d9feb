"""A real Chromium (Debian's) on a fresh profile, that may reach loopback only, and
what the page did beside what it showed: shared by the browser tests of every page."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    Route,
    ViewportSize,
)
from playwright.sync_api import (
    TimeoutError as PlaywrightTimeoutError,
)

from tests.web.demo_process import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "var" / "test-artifacts"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
LOOPBACK = "127.0.0.1"
# Pages fetch from the demo's backends: ample for a machine busy with other tests.
TIMEOUT_MS = 60_000
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Names resolve to nothing: a request that slipped past the routing below still fails.
    f"--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE {LOOPBACK}",
]
# How long a page may take to lay itself out again for a new window size.
SETTLE_MS = 5_000
# The phone every screen must fit without scrolling sideways.
PHONE = ViewportSize(width=390, height=844)
# WCAG 2.1 A and AA, as axe-core tags its rules.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_strict_policy(policy: str) -> None:
    """The portal's and the console's policy: nothing inline, nothing from elsewhere, no
    framing; connections to the gateway and to the processor's stand-in on loopback."""
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert all(
        source == "'self'" or urlsplit(source).hostname == LOOPBACK
        for source in directives["connect-src"].split()
    )
    assert "unsafe" not in policy


@dataclass
class Watched:
    """What the page did beside what it showed: requests beyond loopback (refused),
    policy violations it logged, answers that failed, every request it sent and the
    GraphQL ones among them."""

    elsewhere: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    graphql_requests: list[Request] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)

    def loopback_only(self, route: Route) -> None:
        if urlsplit(route.request.url).hostname == LOOPBACK:
            route.continue_()
        else:
            self.elsewhere.append(route.request.url)
            route.abort()

    def console(self, message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)

    def answered(self, response: Response) -> None:
        if response.status >= 400:
            self.failed.append(f"{response.status} {response.url}")

    def sent(self, request: Request) -> None:
        self.requests.append(request)
        if request.method == "POST" and urlsplit(request.url).path == "/graphql":
            self.graphql_requests.append(request)


@dataclass(frozen=True, slots=True)
class Browser:
    """A fresh Chromium profile with one page, watched, that may reach loopback only."""

    context: BrowserContext
    page: Page
    watched: Watched

    def assert_kept_to_itself(self) -> None:
        """Nothing beyond loopback, no policy violation, no failed answer."""
        assert self.watched.elsewhere == [], "the page asked for something beyond loopback"
        assert self.watched.csp_violations == []
        assert self.watched.failed == []

    def assert_nothing_stored(self) -> None:
        """No cookie, and nothing in the page's storage."""
        assert not self.context.cookies()
        stored = self.page.evaluate(
            "async () => [localStorage.length, sessionStorage.length,"
            " (await indexedDB.databases()).length]"
        )
        assert stored == [0, 0, 0], stored

    def accessibility_violations(self) -> list[str]:
        """axe-core's serious and critical WCAG 2.1 AA violations on the page as it is.

        axe is run through the DevTools protocol, which the page's policy does not
        govern (it allows no inline script), and leaves nothing but `window.axe`.
        """
        if not self.page.evaluate("() => 'axe' in window"):
            self.page.evaluate(AXE.read_text())
        results: dict[str, Any] = self.page.evaluate(
            "async (tags) => await axe.run(document,"
            " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
            WCAG_21_AA,
        )
        return [
            f"{violation['id']} ({violation['impact']}): {violation['help']}"
            f" at {[node['target'] for node in violation['nodes']]}"
            for violation in results["violations"]
            if violation["impact"] in ("serious", "critical")
        ]

    def assert_accessible(self) -> None:
        assert self.accessibility_violations() == []

    def horizontal_overflow(self) -> int:
        """How many CSS pixels the page is wider than its window (0: no sideways scroll)."""
        overflow: int = self.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        return overflow

    def overflow_after_resize(self, size: ViewportSize) -> int:
        """`horizontal_overflow` once the page took in a new window size: charts redraw
        for it on the resize event, so the layout settles a frame or more later. Waits
        up to a few seconds for it to fit, and then tells what is left."""
        self.page.set_viewport_size(size)
        with contextlib.suppress(PlaywrightTimeoutError):
            self.page.wait_for_function(
                "() => document.documentElement.scrollWidth"
                " <= document.documentElement.clientWidth",
                timeout=SETTLE_MS,
            )
        return self.horizontal_overflow()

    def screenshot(self, name: str, *, full_page: bool = True) -> None:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name), full_page=full_page)
