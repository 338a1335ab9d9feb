"""The member portal in a real browser against `coop-gateway demo`: a member signs in
from the keyboard, sees the dashboard, the usage charts and the bills, and signs out
leaving nothing behind; pays with the test card from the keyboard, saves it, pays
again with it past the duplicate warning, sees a declined card's reason and turns
autopay on; a page left open refreshes its tokens. Every screen passes axe-core's
WCAG 2.1 AA checks and fits a phone. The screenshots are kept in
var/test-artifacts/portal-*.png, the first-load JavaScript's size in
var/test-artifacts/portal-first-load-js.txt."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request, expect

from simulators.seed import DEMO_EMAIL, DEMO_PASSWORD
from tests.web.browser import ARTIFACTS, PHONE, TIMEOUT_MS, Browser, assert_strict_policy
from tests.web.demo_process import ROOT, DemoProcess, demo_member_account_numbers

DIST = ROOT / "web" / "dist"
MANIFEST = DIST / "persisted-documents.json"
# The budget for the JavaScript the portal loads before it is usable, gzipped.
FIRST_LOAD_BUDGET_BYTES = 200 * 1000


# The portal refreshes a minute before its access token expires: with tokens that last
# 65 seconds, five seconds after signing in.
SHORT_LIVED_TOKENS = {"COOP_ACCESS_TOKEN_TTL": "65"}


@pytest.fixture(scope="module")
def short_lived_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoProcess]:
    demo = DemoProcess.start(tmp_path_factory.mktemp("short-lived"), SHORT_LIVED_TOKENS)
    yield demo
    demo.close()


def open_portal(browser: Browser, demo: DemoProcess) -> None:
    response = browser.page.goto(f"{demo.url}/", timeout=TIMEOUT_MS)
    assert response is not None
    assert response.status == 200
    assert_strict_policy(response.headers["content-security-policy"])
    expect(browser.page.get_by_role("heading", name="Sign in to your co-op account")).to_be_visible(
        timeout=TIMEOUT_MS
    )


def sign_in_with_the_keyboard(page: Page, email: str, password: str) -> None:
    """Tab to each field and type, as someone without a mouse does, and press Enter."""
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.name") == "email"
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.name") == "password"
    page.keyboard.type(password)
    page.keyboard.press("Enter")


def show(page: Page, screen: str) -> None:
    page.get_by_role("navigation", name="Portal").get_by_role("button", name=screen).click()


def test_a_member_signs_in_and_sees_the_dashboard_usage_and_bills(
    demo: DemoProcess, browser: Browser
) -> None:
    page = browser.page
    first, second = demo_member_account_numbers()[:2]
    open_portal(browser, demo)
    browser.assert_accessible()
    browser.screenshot("portal-sign-in.png")

    sign_in_with_the_keyboard(page, DEMO_EMAIL, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name=f"Account {first}")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_role("heading", name="Amount due")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^\$[\d,]+\.\d\d$")).first).to_be_visible()
    expect(page.get_by_role("heading", name="This bill vs the last")).to_be_visible()
    expect(page.get_by_text(re.compile("Power is (on|out)"))).to_be_visible()
    browser.assert_accessible()
    browser.screenshot("portal-dashboard.png")

    # The demo member holds two accounts: the switcher shows the other one.
    page.get_by_label("Account", exact=True).select_option(second)
    expect(page.get_by_role("heading", name=f"Account {second}")).to_be_visible(timeout=TIMEOUT_MS)

    show(page, "Usage")
    chart = page.get_by_role("img", name=re.compile("^Daily"))
    expect(chart.locator("canvas")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text(re.compile(r"[\d,]+ kWh from"))).to_be_visible()
    browser.assert_accessible()
    browser.screenshot("portal-usage-daily.png")
    page.get_by_label("Show").select_option("HOUR")
    hourly = page.get_by_role("img", name=re.compile("^Hourly"))
    expect(hourly.locator("canvas")).to_be_visible(timeout=TIMEOUT_MS)
    browser.assert_accessible()
    browser.screenshot("portal-usage-hourly.png")

    show(page, "Bills")
    bills = page.get_by_role("region", name="Bills").get_by_role("row")
    expect(bills.nth(12)).to_be_visible(timeout=TIMEOUT_MS)  # a year of bills and more
    browser.assert_accessible()
    browser.screenshot("portal-bills.png")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in to your co-op account")).to_be_visible()
    expect(page.get_by_text(second)).to_have_count(0)
    browser.assert_nothing_stored()
    browser.assert_kept_to_itself()
    assert_sent_only_trusted_hashes(browser)


def assert_sent_only_trusted_hashes(browser: Browser) -> None:
    """Every operation went as the SHA-256 of a document the build's manifest holds,
    without its text, and all but the sign-in with the member's bearer token."""
    trusted = json.loads(MANIFEST.read_text())
    sent = browser.watched.graphql_requests
    names = [json.loads(request.post_data or "{}").get("operationName") for request in sent]
    assert {"SignIn", "PortalViewer", "PortalDashboard", "PortalUsage", "PortalBills"} <= set(names)
    assert names[-1] == "SignOut"
    for request in sent:
        body = json.loads(request.post_data or "{}")
        assert "query" not in body, body
        assert body["extensions"]["persistedQuery"]["sha256Hash"] in trusted
        if body["operationName"] != "SignIn":
            assert request.headers.get("authorization", "").startswith("Bearer ")


TEST_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"


def fill_a_new_card(page: Page, number: str) -> None:
    fields = {
        "Card number": number,
        "Expiry month": "12",
        "Expiry year": "2030",
        "Security code": "123",
        "ZIP code": "87544",
    }
    for field, value in fields.items():
        page.get_by_label(field).fill(value)


def pay_with_a_new_card_from_the_keyboard(page: Page, amount: str, number: str) -> None:
    """From the amount, Tab through the card's fields in order, tick "save" with the
    space bar, and press Enter on the review button."""
    page.get_by_label("Amount (USD)").focus()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(amount)
    for name, value in (
        ("card-number", number),
        ("exp-month", "12"),
        ("exp-year", "2030"),
        ("cvc", "123"),
        ("postal-code", "87544"),
        ("save", " "),
    ):
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.name") == name
        page.keyboard.type(value)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Review payment"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Review your payment")).to_be_visible(
        timeout=TIMEOUT_MS
    )


def review(page: Page, amount: str) -> None:
    page.get_by_label("Amount (USD)").fill(amount)
    page.get_by_role("button", name="Review payment").click()
    expect(page.get_by_role("heading", name="Review your payment")).to_be_visible(
        timeout=TIMEOUT_MS
    )


def confirm(page: Page) -> None:
    page.get_by_role("button", name=re.compile(r"^Pay \$")).click()


def test_a_member_pays_with_the_test_card_saves_it_and_pays_again(
    demo: DemoProcess, browser: Browser
) -> None:
    page = browser.page
    second = demo_member_account_numbers()[1]
    open_portal(browser, demo)
    sign_in_with_the_keyboard(page, DEMO_EMAIL, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Amount due")).to_be_visible(timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Pay now").click()
    expect(page.get_by_role("heading", name="Pay your bill")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text(re.compile("Card payments carry (a|no) fee"))).to_be_visible(
        timeout=TIMEOUT_MS
    )
    browser.assert_accessible()

    pay_with_a_new_card_from_the_keyboard(page, "10.00", TEST_CARD)
    # The fee is shown before the member confirms, and the card only by its last four.
    expect(page.get_by_text("Card fee")).to_be_visible()
    expect(page.get_by_text(re.compile("ending 4242"))).to_be_visible()
    browser.assert_accessible()
    browser.screenshot("portal-pay-review.png")
    confirm(page)
    expect(page.get_by_role("status")).to_contain_text("Thank you: $10.00", timeout=TIMEOUT_MS)
    history = page.get_by_role("region", name="Payment history").get_by_role("row")
    # Asked again while it is on its way, until the CIS has posted it.
    expect(history.filter(has_text="$10.00").first).to_contain_text("Posted", timeout=TIMEOUT_MS)
    expect(page.get_by_role("status")).to_contain_text("posted to your account")
    browser.screenshot("portal-pay-done.png")

    # The saved card is offered next time, and a second payment so soon is held back.
    saved = page.get_by_role("group", name="Pay with").get_by_role("radio").first
    expect(saved).to_be_checked(timeout=TIMEOUT_MS)
    expect(page.get_by_label("Card number")).to_have_count(0)
    review(page, "10.00")
    confirm(page)
    expect(page.get_by_role("alert")).to_contain_text("last few days", timeout=TIMEOUT_MS)
    browser.assert_accessible()
    browser.screenshot("portal-pay-duplicate.png")
    page.get_by_role("button", name="Pay anyway").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you: $10.00", timeout=TIMEOUT_MS)
    expect(history.filter(has_text="$10.00")).to_have_count(2, timeout=TIMEOUT_MS)

    # A declined card: the payment is taken, then the processor's reason is shown.
    page.get_by_label("Account", exact=True).select_option(second)
    page.get_by_role("radio", name="A new card").check(timeout=TIMEOUT_MS)
    fill_a_new_card(page, DECLINED_CARD)
    review(page, "12.00")
    confirm(page)
    expect(page.get_by_role("alert")).to_contain_text("$12.00 was declined: ", timeout=TIMEOUT_MS)
    expect(history.filter(has_text="$12.00").first).to_contain_text("Declined (")
    browser.assert_accessible()
    browser.screenshot("portal-pay-declined.png")

    # Autopay with the saved card, on the draft day the member chooses.
    page.get_by_label("Draft day of the month").select_option("12")
    page.get_by_role("button", name="Turn on autopay").click()
    autopay = page.get_by_role("region", name="Autopay")
    expect(autopay).to_contain_text("Autopay is on", timeout=TIMEOUT_MS)
    expect(autopay).to_contain_text("On day 12 of the month")
    browser.assert_accessible()
    browser.screenshot("portal-autopay.png")
    browser.assert_kept_to_itself()
    # The cards' numbers went to the processor's stand-in only, never to the gateway.
    sent = [r.post_data or "" for r in browser.watched.graphql_requests]
    assert not any("4242 4242" in body or "0000 0002" in body for body in sent)


def test_every_portal_screen_fits_a_phone(demo: DemoProcess, browser: Browser) -> None:
    page = browser.page
    page.set_viewport_size(PHONE)
    open_portal(browser, demo)
    assert browser.horizontal_overflow() == 0
    sign_in_with_the_keyboard(page, DEMO_EMAIL, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Amount due")).to_be_visible(timeout=TIMEOUT_MS)
    assert browser.horizontal_overflow() == 0
    browser.assert_accessible()
    browser.screenshot("portal-phone-dashboard.png")
    show(page, "Usage")
    expect(page.get_by_role("img", name=re.compile("^Daily")).locator("canvas")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    assert browser.horizontal_overflow() == 0
    browser.screenshot("portal-phone-usage.png")
    show(page, "Bills")
    expect(page.get_by_role("region", name="Bills").get_by_role("row").nth(3)).to_be_visible(
        timeout=TIMEOUT_MS
    )
    assert browser.horizontal_overflow() == 0
    show(page, "Pay")
    expect(page.get_by_role("heading", name="Pay your bill")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_role("button", name="Review payment")).to_be_visible(timeout=TIMEOUT_MS)
    assert browser.horizontal_overflow() == 0
    browser.screenshot("portal-phone-pay.png")
    browser.assert_kept_to_itself()


def test_a_page_left_open_stays_signed_in_by_refreshing_its_tokens(
    short_lived_demo: DemoProcess, browser: Browser
) -> None:
    page = browser.page
    open_portal(browser, short_lived_demo)
    sign_in_with_the_keyboard(page, DEMO_EMAIL, DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Amount due")).to_be_visible(timeout=TIMEOUT_MS)
    bearer = last_bearer(browser.watched.graphql_requests, "PortalDashboard")
    # Twice: each refresh token is spent by the refresh, and its successor works.
    for _ in range(2):
        with page.expect_request(is_refresh, timeout=TIMEOUT_MS) as refresh:
            pass
        with page.expect_response(lambda r: r.request == refresh.value, timeout=TIMEOUT_MS):
            pass
    show(page, "Bills")
    expect(page.get_by_role("region", name="Bills").get_by_role("row").nth(3)).to_be_visible(
        timeout=TIMEOUT_MS
    )
    renewed = last_bearer(browser.watched.graphql_requests, "PortalBills")
    assert renewed != bearer
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    browser.assert_nothing_stored()
    browser.assert_kept_to_itself()


def is_refresh(request: Request) -> bool:
    return '"operationName":"RefreshSession"' in (request.post_data or "")


def last_bearer(sent: list[Request], operation: str) -> str:
    ran = [r for r in sent if json.loads(r.post_data or "{}").get("operationName") == operation]
    assert ran, f"{operation} was not sent"
    return ran[-1].headers["authorization"]


class _Scripts(HTMLParser):
    """The scripts a page loads at once: its module scripts and their preloads."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script" and found.get("src"):
            self.urls.append(str(found["src"]))
        if tag == "link" and found.get("rel") == "modulepreload" and found.get("href"):
            self.urls.append(str(found["href"]))


def first_load_js_gzipped(page: Path) -> dict[str, int]:
    scripts = _Scripts()
    scripts.feed(page.read_text())
    return {
        url: len(gzip.compress((DIST / url.lstrip("/")).read_bytes(), compresslevel=9))
        for url in scripts.urls
    }


def test_the_portal_loads_little_javascript_before_it_is_usable() -> None:
    sizes = first_load_js_gzipped(DIST / "portal" / "index.html")
    total = sum(sizes.values())
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    lines = [f"{size:>8} {url}" for url, size in sorted(sizes.items())]
    (ARTIFACTS / "portal-first-load-js.txt").write_text(
        "\n".join([*lines, f"{total:>8} bytes in all, gzipped (level 9)"]) + "\n"
    )
    assert not any("Usage" in url or "graphiql" in url for url in sizes), sizes
    assert total < FIRST_LOAD_BUDGET_BYTES, sizes
