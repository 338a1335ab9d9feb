"""The staff console in a real browser against `coop-gateway demo`: staff sign in, find
the demo member's account and read it; the admin sees that read in the audit log; a
member's login is turned away. Every screen passes axe-core's WCAG 2.1 AA checks and
fits a phone. The screenshots are kept in var/test-artifacts/staff-*.png."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from gateway.demo import DEMO_STAFF
from simulators.seed import DEMO_EMAIL, DEMO_PASSWORD
from tests.web.browser import PHONE, TIMEOUT_MS, Browser, assert_strict_policy
from tests.web.demo_process import DemoProcess, demo_member_account_numbers

STAFF = "staff@example.com"
ADMIN = "admin@example.com"


def sign_in_to_the_console(browser: Browser, demo: DemoProcess, email: str, password: str) -> None:
    page = browser.page
    response = page.goto(f"{demo.url}/staff", timeout=TIMEOUT_MS)
    assert response is not None
    assert_strict_policy(response.headers["content-security-policy"])
    expect(page.get_by_role("heading", name="Staff console")).to_be_visible(timeout=TIMEOUT_MS)
    browser.assert_accessible()
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def find_and_open(page: Page, number: str) -> None:
    page.get_by_label("Name, account, meter, phone or address").fill(number)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("found", timeout=TIMEOUT_MS)
    page.get_by_role("button", name=number).click()
    expect(page.get_by_role("heading", name=f"Account {number}")).to_be_visible(timeout=TIMEOUT_MS)


def show(page: Page, screen: str) -> None:
    page.get_by_role("navigation", name="Console").get_by_role("button", name=screen).click()


def test_staff_find_an_account_and_read_it(demo: DemoProcess, browser: Browser) -> None:
    page = browser.page
    number = demo_member_account_numbers()[0]
    sign_in_to_the_console(browser, demo, STAFF, DEMO_STAFF[STAFF][0])
    expect(page.get_by_role("heading", name="Find an account")).to_be_visible(timeout=TIMEOUT_MS)
    # Staff, not admins: no audit log.
    expect(page.get_by_role("button", name="Audit log")).to_have_count(0)
    browser.assert_accessible()

    find_and_open(page, number)
    expect(page.get_by_text(DEMO_EMAIL)).to_be_visible()
    expect(
        page.get_by_role("region", name="Recent bills").get_by_role("row").nth(1)
    ).to_be_visible()
    browser.assert_accessible()
    browser.screenshot("staff-account.png")

    show(page, "Payments needing attention")
    expect(page.get_by_role("heading", name="Payments needing attention")).to_be_visible()
    expect(page.get_by_text("No payment needs attention.")).to_be_visible(timeout=TIMEOUT_MS)
    browser.assert_accessible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Staff console")).to_be_visible()
    browser.assert_nothing_stored()
    browser.assert_kept_to_itself()


def test_the_admin_sees_the_read_in_the_audit_log(demo: DemoProcess, browser: Browser) -> None:
    page = browser.page
    number = demo_member_account_numbers()[1]
    sign_in_to_the_console(browser, demo, ADMIN, DEMO_STAFF[ADMIN][0])
    find_and_open(page, number)
    show(page, "Audit log")
    entries = page.get_by_role("region", name="Audit entries")
    expect(entries.get_by_role("row").filter(has_text=number).first).to_contain_text(
        ADMIN, timeout=TIMEOUT_MS
    )
    browser.assert_accessible()
    browser.screenshot("staff-audit-log.png")
    browser.assert_kept_to_itself()


def test_the_console_fits_a_phone_and_turns_members_away(
    demo: DemoProcess, browser: Browser
) -> None:
    page = browser.page
    page.set_viewport_size(PHONE)
    sign_in_to_the_console(browser, demo, STAFF, DEMO_STAFF[STAFF][0])
    find_and_open(page, demo_member_account_numbers()[0])
    assert browser.horizontal_overflow() == 0
    browser.screenshot("staff-phone-account.png")
    page.get_by_role("button", name="Sign out").click()

    sign_in_to_the_console(browser, demo, DEMO_EMAIL, DEMO_PASSWORD)
    expect(page.get_by_role("alert")).to_contain_text("member login", timeout=TIMEOUT_MS)
    assert browser.horizontal_overflow() == 0
    browser.assert_accessible()
    browser.assert_kept_to_itself()
