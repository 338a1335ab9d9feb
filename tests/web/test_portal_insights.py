"""The member portal's insights in a real browser against `coop-gateway demo`: the
projected bill on the dashboard; month to month, why the bill changed, peak hours,
similar homes and Green Button downloads on the usage screen; a bill's PDF and two
bills compared; and an e-check whose bank account goes to the processor's stand-in
only. Every screen passes axe-core's WCAG 2.1 AA checks and fits a phone. Screenshots:
var/test-artifacts/insights-*.png.

The demo member's accounts are only read here; the e-check is paid by the neighbour,
whose account the other browser tests leave alone.
"""

from __future__ import annotations

import json
import re
import subprocess
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Download, Locator, Page, expect

from simulators.seed import DEMO_EMAIL, DEMO_PASSWORD, NEIGHBOR_EMAIL, NEIGHBOR_PASSWORD
from tests.web.browser import PHONE, TIMEOUT_MS, Browser
from tests.web.demo_process import DemoProcess
from tests.web.test_portal import open_portal, show, sign_in_with_the_keyboard

ESPI = "http://naesb.org/espi"
TEST_ROUTING_NUMBER = "110000000"
SETTLING_ACCOUNT = "000123456789"


def signed_in(browser: Browser, demo: DemoProcess, email: str, password: str) -> Page:
    open_portal(browser, demo)
    sign_in_with_the_keyboard(browser.page, email, password)
    expect(browser.page.get_by_role("heading", name="Amount due")).to_be_visible(timeout=TIMEOUT_MS)
    return browser.page


def fits_and_passes_axe(browser: Browser) -> None:
    browser.assert_accessible()
    assert browser.horizontal_overflow() == 0


def downloaded(page: Page, start: Locator) -> tuple[Download, bytes]:
    """What clicking `start` downloads, and its bytes."""
    with page.expect_download(timeout=TIMEOUT_MS) as download:
        start.click()
    path = download.value.path()
    return download.value, Path(path).read_bytes()


def test_the_projected_bill_and_the_usage_insights_with_green_button_downloads(
    demo: DemoProcess, browser: Browser
) -> None:
    page = signed_in(browser, demo, DEMO_EMAIL, DEMO_PASSWORD)
    page.set_viewport_size(PHONE)
    projected = page.get_by_role("region", name="Projected bill")
    expect(projected).to_contain_text(
        re.compile(r"Likely between \$[\d,.]+ and \$[\d,.]+ \(\d+% confidence\)"),
        timeout=TIMEOUT_MS,
    )
    expect(projected).to_contain_text("Computed")
    fits_and_passes_axe(browser)
    browser.screenshot("insights-phone-dashboard.png")

    show(page, "Usage")
    months = page.get_by_role("region", name="Month to month")
    compared = months.get_by_role("region", name="The two bills compared")
    expect(compared.get_by_role("row")).to_have_count(3, timeout=TIMEOUT_MS)
    parts = months.get_by_role("list", name="What the change is made of")
    for part in ("Weather", "Days billed", "Rates and fixed charges", "Other use"):
        expect(parts).to_contain_text(part)
    expect(months).to_contain_text(re.compile(r"In all [+−]\$[\d,.]+"))
    # A bill of a year before, chosen: the table shows that bill.
    year_before = months.get_by_label("Compared with").locator("option").nth(12)
    value = year_before.get_attribute("value")
    label = year_before.text_content()
    assert value is not None
    assert label is not None
    months.get_by_label("Compared with").select_option(value)
    expect(compared.get_by_role("row").nth(2)).to_contain_text(label, timeout=TIMEOUT_MS)

    peaks = page.get_by_role("region", name="Peak hours")
    expect(
        peaks.get_by_role("img", name=re.compile("^Average use by hour")).locator("canvas")
    ).to_be_visible(timeout=TIMEOUT_MS)
    expect(
        peaks.get_by_role("list", name="The five highest hours").get_by_role("listitem")
    ).to_have_count(5)
    periods = peaks.get_by_role("region", name="Peak hour of each billing period").get_by_role(
        "row"
    )
    expect(periods.nth(12)).to_contain_text(re.compile(r"\d+:00 (AM|PM)"))
    # The demo member's home is one of six of its kind in the tests' small co-op.
    similar = page.get_by_role("region", name="Similar homes")
    expect(similar).to_contain_text(
        re.compile(r"[A-Z][a-z]+ \d{4}: Too few similar homes to compare with\."),
        timeout=TIMEOUT_MS,
    )
    fits_and_passes_axe(browser)
    browser.screenshot("insights-phone-usage.png")

    green_button = page.get_by_role("region", name="Download my data (Green Button)")
    download, xml = downloaded(page, green_button.get_by_role("button", name="Download"))
    assert download.suggested_filename.endswith(".xml")
    assert b"<feed" in xml
    assert ESPI.encode() in xml
    for element in (b"UsagePoint", b"MeterReading", b"IntervalBlock", b"IntervalReading"):
        assert element in xml, element
    green_button.get_by_label("Readings").select_option("HOUR")
    green_button.get_by_label("Spreadsheet (CSV)").check()
    download, csv = downloaded(page, green_button.get_by_role("button", name="Download"))
    assert download.suggested_filename.endswith(".csv")
    lines = csv.decode().splitlines()
    assert "kwh" in lines[0].lower()
    assert len(lines) > 24 * 25  # 30 days of hours, more than one meter's worth
    # More than a year of hours: the gateway's typed error, shown as it says it.
    green_button.get_by_label("From").fill((date.today() - timedelta(days=400)).isoformat())
    green_button.get_by_role("button", name="Download").click()
    expect(green_button.get_by_role("alert")).to_contain_text("covers at most", timeout=TIMEOUT_MS)
    fits_and_passes_axe(browser)
    browser.assert_kept_to_itself()


def test_a_bill_downloads_as_its_pdf_and_two_bills_are_compared(
    demo: DemoProcess, browser: Browser
) -> None:
    page = signed_in(browser, demo, DEMO_EMAIL, DEMO_PASSWORD)
    show(page, "Bills")
    latest = page.get_by_role("region", name="Bills").get_by_role("row").nth(1)
    expect(latest).to_be_visible(timeout=TIMEOUT_MS)
    amount = latest.get_by_role("cell").nth(3).text_content()
    assert amount is not None
    assert amount.startswith("$")
    download, pdf = downloaded(page, latest.get_by_role("button", name=re.compile("^Download")))
    # The signed link, followed again: a private attachment the page's policy let through.
    headers = httpx.get(download.url).headers
    assert headers["content-type"] == "application/pdf"
    assert headers["content-disposition"].startswith("attachment;")
    assert "no-store" in headers["cache-control"]
    assert pdf.startswith(b"%PDF-")
    assert download.suggested_filename.endswith(".pdf")
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert amount in text

    compare = page.get_by_role("region", name="Compare two bills")
    compare.get_by_role("button", name="Compare").click()
    compared = compare.get_by_role("region", name="The bills compared")
    expect(compared.get_by_role("row")).to_have_count(3, timeout=TIMEOUT_MS)
    expect(compared).to_contain_text("Heating degree days")
    expect(compare.get_by_role("list", name="What the change is made of")).to_contain_text(
        "Weather"
    )
    expect(
        compare.get_by_role("img", name=re.compile("^Daily use")).locator("canvas")
    ).to_be_visible()
    browser.assert_accessible()
    browser.screenshot("insights-bills-compared.png")
    assert browser.overflow_after_resize(PHONE) == 0
    browser.assert_kept_to_itself()


def test_an_e_check_is_tokenized_at_the_processor_and_the_gateway_sees_only_the_token(
    demo: DemoProcess, browser: Browser
) -> None:
    page = signed_in(browser, demo, NEIGHBOR_EMAIL, NEIGHBOR_PASSWORD)
    page.set_viewport_size(PHONE)
    show(page, "Pay")
    page.get_by_role("radio", name="A bank account (e-check)").check(timeout=TIMEOUT_MS)
    page.get_by_label("Amount (USD)").fill("21.00")
    page.get_by_label("Name on the account").fill("Daniel Lucero")
    page.get_by_label("Routing number").fill(TEST_ROUTING_NUMBER)
    page.get_by_label("Account number").fill(SETTLING_ACCOUNT)
    fits_and_passes_axe(browser)
    browser.screenshot("insights-phone-echeck.png")
    page.get_by_role("button", name="Review payment").click()
    expect(page.get_by_role("heading", name="Review your payment")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    expect(page.get_by_text("E-check fee")).to_be_visible()
    expect(page.get_by_text("TEST BANK account ending 6789")).to_be_visible()
    fits_and_passes_axe(browser)
    page.get_by_role("button", name=re.compile(r"^Pay \$")).click()
    # The staff tests refund a payment made on this account too: whichever comes
    # second is told of the other first.
    paid_anyway = page.get_by_role("button", name="Pay anyway")
    thanked = page.get_by_role("status").filter(has_text="Thank you: $21.00")
    expect(paid_anyway.or_(thanked)).to_be_visible(timeout=TIMEOUT_MS)
    if paid_anyway.is_visible():
        paid_anyway.click()
    expect(thanked).to_be_visible(timeout=TIMEOUT_MS)
    history = page.get_by_role("region", name="Payment history").get_by_role("row")
    expect(history.filter(has_text="ending 6789").first).to_contain_text("$21.00")
    fits_and_passes_axe(browser)
    browser.screenshot("insights-phone-echeck-done.png")
    browser.assert_kept_to_itself()

    # The account number went to the processor's tokenization endpoint, and only there;
    # the gateway got the token it answered.
    gateway = urlsplit(demo.url).netloc
    tokenized = [r for r in browser.watched.requests if urlsplit(r.url).path == "/v1/tokens"]
    assert len(tokenized) == 1
    assert urlsplit(tokenized[0].url).netloc != gateway
    sent = json.loads(tokenized[0].post_data or "{}")
    assert sent["bank_account"]["account_number"] == SETTLING_ACCOUNT
    answered = tokenized[0].response()
    assert answered is not None
    token = answered.json()["id"]
    payments = [
        json.loads(r.post_data or "{}")
        for r in browser.watched.graphql_requests
        if '"PortalPayBill"' in (r.post_data or "")
    ]
    assert payments
    assert all(p["variables"]["input"]["method"] == {"token": token} for p in payments)
    to_gateway = [r for r in browser.watched.requests if urlsplit(r.url).netloc == gateway]
    assert not any(SETTLING_ACCOUNT in (r.url + (r.post_data or "")) for r in to_gateway), (
        "the bank account number reached the gateway"
    )
