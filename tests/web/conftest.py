"""One demo for every browser test (starting it takes tens of seconds), and a fresh
Chromium for each test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, Browser, Watched
from tests.web.demo_process import ROOT, DemoProcess

WEB_APPS = ("graphiql", "portal", "staff")
BUILT_PAGES = [ROOT / "web" / "dist" / app / "index.html" for app in WEB_APPS]


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoProcess]:
    if not all(page.is_file() for page in BUILT_PAGES):
        pytest.fail("the web apps are not built: run `make web` (`make test` does)")
    if not CHROMIUM.is_file():
        pytest.fail("no Chromium at /usr/bin/chromium: run `scripts/system-packages test`")
    demo = DemoProcess.start(tmp_path_factory.mktemp("demo"))
    yield demo
    demo.close()


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    watched = Watched()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a fresh profile: no tabs kept from before
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 900},
        )
        try:
            context.route("**/*", watched.loopback_only)
            page = context.pages[0] if context.pages else context.new_page()
            page.on("console", watched.console)
            page.on("request", watched.sent)
            page.on("response", watched.answered)
            yield Browser(context, page, watched)
        finally:
            context.close()
