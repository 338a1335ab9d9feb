"""GraphiQL in a real browser with no network beyond loopback, as a newcomer meets it:
`coop-gateway demo` serves it, the sign-in tab runs, then the dashboard tab shows the
demo member's account; the Sign in pane signs in and forgets. The screenshot of the
dashboard is kept in var/test-artifacts/graphiql.png."""

from __future__ import annotations

from playwright.sync_api import Page, Response, expect

from gateway.api.graphiql import CONTENT_SECURITY_POLICY
from gateway.demo import DEMO_STAFF
from tests.web.browser import ARTIFACTS, TIMEOUT_MS, Browser
from tests.web.demo_process import DemoProcess, demo_member_account_numbers

STAFF_EMAIL = "staff@example.com"


def open_graphiql(browser: Browser, demo: DemoProcess) -> None:
    # GraphiQL runs a tab once it has the schema: wait for its introspection.
    with browser.page.expect_response(is_introspection, timeout=TIMEOUT_MS):
        response = browser.page.goto(f"{demo.url}/graphql", timeout=TIMEOUT_MS)
    assert response is not None
    assert response.status == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    # GraphiQL loads its editors after the page (CodeMirror comes in chunks of its
    # own), and ▶ does nothing until they are there.
    for editor in (".graphiql-query-editor", ".result-window"):
        expect(browser.page.locator(f"{editor} .CodeMirror")).to_be_attached(timeout=TIMEOUT_MS)


def test_the_demo_tabs_run_in_graphiql_without_the_internet(
    demo: DemoProcess, browser: Browser
) -> None:
    page = browser.page
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        open_graphiql(browser, demo)
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
    open_graphiql(browser, demo)
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
