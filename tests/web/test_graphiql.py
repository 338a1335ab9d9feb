"""GraphiQL in a real browser with no network beyond loopback, as a newcomer meets it:
`coop-gateway demo` serves it, the sign-in tab runs, then the dashboard tab shows the
demo member's account; the Sign in pane signs in and forgets. The screenshot of the
dashboard is kept in var/test-artifacts/graphiql.png."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    BrowserContext,
    ConsoleMessage,
    Page,
    Request,
    Response,
    Route,
    expect,
    sync_playwright,
)

from gateway.api.graphiql import CONTENT_SECURITY_POLICY
from gateway.demo import DEMO_STAFF
from simulators.seed import DEMO_EMAIL, generate_world
from tests.web.demo_process import DEMO_ACCOUNTS, DEMO_SEED, ROOT, DemoProcess

CHROMIUM = Path("/usr/bin/chromium")
BUILT_PAGE = ROOT / "web" / "dist" / "graphiql" / "index.html"
ARTIFACTS = ROOT / "var" / "test-artifacts"
LOOPBACK = "127.0.0.1"
STAFF_EMAIL = "staff@example.com"
# GraphiQL fetches the schema, then each run goes to the demo's backends: ample for a
# machine busy with other tests.
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


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoProcess]:
    if not BUILT_PAGE.is_file():
        pytest.fail("GraphiQL is not built: run `make web` (`make test` does)")
    if not CHROMIUM.is_file():
        pytest.fail("no Chromium at /usr/bin/chromium: run `scripts/system-packages test`")
    demo = DemoProcess.start(tmp_path_factory.mktemp("demo"))
    yield demo
    demo.close()


def demo_member_account_numbers() -> list[str]:
    """The demo member's accounts in the co-op `coop-gateway demo` generates."""
    world = generate_world(accounts=DEMO_ACCOUNTS, seed=DEMO_SEED, as_of=date.today())
    login = next(login for login in world.logins if login.email == DEMO_EMAIL)
    return [a.account_number for a in world.accounts if a.customer_id in login.customer_ids]


@dataclass
class Watched:
    """What the page did beside what it showed: requests beyond loopback (refused),
    policy violations it logged, answers that failed, GraphQL requests it sent."""

    elsewhere: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    graphql_requests: list[Request] = field(default_factory=list)

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
        if request.method == "POST" and urlsplit(request.url).path == "/graphql":
            self.graphql_requests.append(request)


@dataclass(frozen=True, slots=True)
class Browser:
    """A fresh Chromium profile with one page, watched, that may reach loopback only."""

    context: BrowserContext
    page: Page
    watched: Watched

    def open_graphiql(self, demo: DemoProcess) -> None:
        # GraphiQL runs a tab once it has the schema: wait for its introspection.
        with self.page.expect_response(is_introspection, timeout=TIMEOUT_MS):
            response = self.page.goto(f"{demo.url}/graphql", timeout=TIMEOUT_MS)
        assert response is not None
        assert response.status == 200
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        # GraphiQL loads its editors after the page (CodeMirror comes in chunks of its
        # own), and ▶ does nothing until they are there.
        for editor in (".graphiql-query-editor", ".result-window"):
            expect(self.page.locator(f"{editor} .CodeMirror")).to_be_attached(timeout=TIMEOUT_MS)

    def assert_kept_to_itself(self) -> None:
        """Nothing beyond loopback, no policy violation, no failed answer."""
        assert self.watched.elsewhere == [], "the page asked for something beyond loopback"
        assert self.watched.csp_violations == []
        assert self.watched.failed == []


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    watched = Watched()
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),  # a fresh profile: no tabs kept from before
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
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


def test_the_demo_tabs_run_in_graphiql_without_the_internet(
    demo: DemoProcess, browser: Browser
) -> None:
    page = browser.page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        browser.open_graphiql(demo)
        run_tab(page, "SignIn", expect_text='"LoginSuccess"')
        page.get_by_role("button", name="Show Sign in").click()
        expect(page.get_by_test_id("session-state")).to_contain_text("Signed in.")
        page.get_by_role("button", name="Show GraphiQL Explorer").click()
        expect(page.locator(".graphiql-plugin")).to_contain_text("refreshSession")
        number = demo_member_account_numbers()[0]
        run_tab(page, "Dashboard", expect_text=f'"number": "{number}"')
    finally:
        page.screenshot(path=str(ARTIFACTS / "graphiql.png"))

    assert not browser.context.cookies(), "the page keeps no token in a cookie"
    # Nor anything in the browser's storage: not the token, and not the tabs and history,
    # where the sign-in tab's password would stay after signing out.
    stored = page.evaluate(
        "async () => [localStorage.length, sessionStorage.length,"
        " (await indexedDB.databases()).length]"
    )
    assert stored == [0, 0, 0], stored
    browser.assert_kept_to_itself()
    sent = [r for r in browser.watched.graphql_requests if "query Dashboard" in (r.post_data or "")]
    assert sent, "the dashboard tab was not sent"
    assert sent[-1].headers.get("authorization", "").startswith("Bearer ")


def test_the_sign_in_pane_signs_in_and_forgets(demo: DemoProcess, browser: Browser) -> None:
    page = browser.page
    browser.open_graphiql(demo)
    page.get_by_role("button", name="Show Sign in").click()
    state = page.get_by_test_id("session-state")
    expect(state).to_contain_text("Not signed in.")

    sign_in(page, STAFF_EMAIL, "not-the-password")
    expect(page.locator(".session-problem")).to_contain_text("not right")
    expect(state).to_contain_text("Not signed in.")

    sign_in(page, STAFF_EMAIL, DEMO_STAFF[STAFF_EMAIL][0])
    expect(state).to_contain_text("Signed in.", timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Forget the token").click()
    expect(state).to_contain_text("Not signed in.")
    browser.assert_kept_to_itself()


def sign_in(page: Page, email: str, password: str) -> None:
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def is_introspection(response: Response) -> bool:
    return "IntrospectionQuery" in (response.request.post_data or "")


def run_tab(page: Page, title: str, *, expect_text: str) -> None:
    """Open the tab called `title`, run it, and wait for the result pane to show `expect_text`."""
    page.locator(".graphiql-tab-button", has_text=title).click(timeout=TIMEOUT_MS)
    expect(page.locator(".graphiql-query-editor")).to_contain_text(title, timeout=TIMEOUT_MS)
    # At once, as an impatient person would: GraphiQL still holds the other tab's
    # operation name for 100 ms, which the page's fetcher must not send.
    page.locator(".graphiql-execute-button").click(timeout=TIMEOUT_MS)
    expect(page.locator(".result-window")).to_contain_text(expect_text, timeout=TIMEOUT_MS)
