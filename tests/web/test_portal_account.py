"""The member portal's account screens in a real browser against `coop-gateway demo`:
a new user registers with the facts of a bill, confirms the address from the link in
the email the demo wrote, later chooses a new password from another emailed link, and
accepts another member's invitation to share an account;
a member adds an email address and a mobile number and activates each with the code
sent to it, chooses in the matrix which notices go where, and sees what was sent;
reports an outage and sees its status; changes a phone number and the billing address;
and signs out another of their devices. Every screen passes axe-core's WCAG 2.1 AA
checks and fits a phone without scrolling sideways.

The members here are new logins on accounts no published demo login holds, so that
nothing the other browser tests read (the demo member's password, contacts, details)
changes. Screenshots go to var/test-artifacts/portal-account-*.png."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from gateway.members.emails import (
    ACCEPT_INVITATION_PATH,
    CONFIRM_EMAIL_PATH,
    RESET_PASSWORD_PATH,
)
from tests.gateway.members.registration_support import AccountFacts, free_accounts
from tests.web.browser import PHONE, TIMEOUT_MS, Browser
from tests.web.demo_process import DemoProcess, demo_world
from tests.web.outboxes import code_in, code_texted_to, link_in, new_email
from tests.web.test_portal import open_portal, show, sign_in_with_the_keyboard

CONFIRM_SUBJECT = "Confirm your email address"
RESET_SUBJECT = "Reset your password"
CODE_SUBJECT = "Your code to receive co-op notifications here"
INVITATION_SUBJECT = "You are invited to share a co-op account"
# A number outside the SMS sandbox's area code 500, which the stand-in delivers.
MOBILE = "505-555-0142"
MOBILE_E164 = "+15055550142"


@dataclass(frozen=True, slots=True)
class Member:
    email: str
    password: str
    account: AccountFacts


def post(demo: DemoProcess, query: str, token: str | None = None, **variables: Any) -> Any:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    answer = httpx.post(
        f"{demo.url}/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=TIMEOUT_MS / 1000,
    )
    return answer.json()


def graphql(demo: DemoProcess, query: str, token: str | None = None, **variables: Any) -> Any:
    body = post(demo, query, token, **variables)
    assert "errors" not in body, body
    return body["data"]


def sign_in_by_api(demo: DemoProcess, member: Member, device: str) -> str:
    data = graphql(
        demo,
        "mutation ($i: LoginInput!) { login(input: $i) {"
        " __typename ... on LoginSuccess { accessToken } } }",
        i={"email": member.email, "password": member.password, "deviceName": device},
    )
    assert data["login"]["__typename"] == "LoginSuccess", data
    return str(data["login"]["accessToken"])


@pytest.fixture(scope="module")
def member(demo: DemoProcess) -> Member:
    """A login registered and confirmed through the API, on an account of its own."""
    facts = free_accounts(demo_world())[-1]
    new = Member("lena.sandoval@example.net", "blue corn and red chile", facts)
    registered = graphql(
        demo,
        "mutation ($i: RegisterInput!) { register(input: $i) { __typename } }",
        i={
            "email": new.email,
            "password": new.password,
            "accountNumber": facts.number,
            "proof": {"lastBillAmount": str(facts.last_bill_amount)},
        },
    )
    assert registered["register"]["__typename"] == "CheckYourEmail"
    link = link_in(new_email(demo, new.email, after=0, subject=CONFIRM_SUBJECT), CONFIRM_EMAIL_PATH)
    token = link.rpartition("token=")[2]
    confirmed = graphql(
        demo,
        "mutation ($t: String!) { confirmEmail(input: {token: $t}) { __typename } }",
        t=token,
    )
    assert confirmed["confirmEmail"]["__typename"] == "EmailConfirmed"
    return new


def on_a_phone(browser: Browser, demo: DemoProcess) -> Page:
    browser.page.set_viewport_size(PHONE)
    open_portal(browser, demo)
    return browser.page


def assert_fits_and_is_accessible(browser: Browser, screenshot: str) -> None:
    assert browser.horizontal_overflow() == 0
    browser.assert_accessible()
    browser.screenshot(f"portal-account-{screenshot}.png")


def sign_in(page: Page, member: Member) -> None:
    # The keyboard starts from the top of the page: only once the form is there.
    expect(page.get_by_role("heading", name="Sign in to your co-op account")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    sign_in_with_the_keyboard(page, member.email, member.password)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=TIMEOUT_MS)


def test_a_new_user_registers_confirms_the_email_resets_the_password_and_accepts_a_share(
    demo: DemoProcess, browser: Browser, member: Member
) -> None:
    facts = free_accounts(demo_world())[-2]
    new = Member("tomas.chavez@example.net", "sandia peaks at sunset", facts)
    page = on_a_phone(browser, demo)
    page.get_by_role("button", name="New user? Register").click()
    expect(page.get_by_role("heading", name="Register for the member portal")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    page.get_by_label("Account number", exact=True).fill(facts.number)
    page.get_by_label("Last name (or business name)", exact=True).fill(facts.last_name)
    page.get_by_label("Service ZIP code", exact=True).fill("00000")
    page.get_by_label("Email", exact=True).fill(new.email)
    page.get_by_label("Password", exact=True).fill(new.password)
    page.get_by_role("button", name="Register").click()
    # Facts that do not match: said plainly, and nothing is sent.
    expect(page.get_by_role("alert")).to_contain_text("do not match", timeout=TIMEOUT_MS)
    assert_fits_and_is_accessible(browser, "register")

    page.get_by_label("Service ZIP code", exact=True).fill(facts.service_zip)
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status")).to_contain_text("Check your email", timeout=TIMEOUT_MS)
    text = new_email(demo, new.email, after=0, subject=CONFIRM_SUBJECT)
    link = link_in(text, CONFIRM_EMAIL_PATH)
    assert link.startswith(f"{demo.url}{CONFIRM_EMAIL_PATH}?token=")

    # The link opens the portal, which takes the token out of the address bar.
    page.goto(link)
    expect(page.get_by_role("heading", name="Confirm your email address")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    assert page.url == f"{demo.url}/"
    assert_fits_and_is_accessible(browser, "confirm-email")
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_role("status")).to_contain_text(new.email, timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Sign in").click()
    sign_in(page, new)
    expect(page.get_by_role("heading", name=f"Account {facts.number}")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    page.get_by_role("button", name="Sign out").click()

    page.get_by_role("button", name="Forgot your password?").click()
    page.get_by_label("Email", exact=True).fill(new.email)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("status")).to_contain_text("Check your email", timeout=TIMEOUT_MS)
    text = new_email(demo, new.email, after=1, subject=RESET_SUBJECT)
    page.goto(link_in(text, RESET_PASSWORD_PATH))
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    page.get_by_label("New password", exact=True).fill("too short")
    page.get_by_label("New password again", exact=True).fill("too short")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("alert")).to_contain_text("12", timeout=TIMEOUT_MS)
    assert_fits_and_is_accessible(browser, "reset-password")
    changed = Member(new.email, "mesa winds in march", facts)
    page.get_by_label("New password", exact=True).fill(changed.password)
    page.get_by_label("New password again", exact=True).fill(changed.password)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("new password is set", timeout=TIMEOUT_MS)
    page.get_by_role("button", name="Sign in").click()
    sign_in(page, changed)
    expect(page.get_by_role("heading", name=f"Account {facts.number}")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    page.get_by_role("button", name="Sign out").click()

    # Another member shares their account; the emailed link opens the portal, and the
    # invitation is accepted once signed in.
    invited = graphql(
        demo,
        "mutation ($i: InviteToAccountInput!) { inviteToAccount(input: $i) { __typename } }",
        sign_in_by_api(demo, member, "Laptop"),
        i={"accountNumber": member.account.number, "email": new.email},
    )
    assert invited["inviteToAccount"]["__typename"] == "InvitationSent"
    text = new_email(demo, new.email, after=2, subject=INVITATION_SUBJECT)
    page.goto(link_in(text, ACCEPT_INVITATION_PATH))
    sign_in(page, changed)
    page.get_by_role("button", name="Accept the invitation").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Account {member.account.number} is shared with you", timeout=TIMEOUT_MS
    )
    expect(page.get_by_role("heading", name=f"Account {member.account.number}")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    expect(page.get_by_label("Account", exact=True)).to_be_visible()  # the switcher
    assert_fits_and_is_accessible(browser, "invitation-accepted")
    browser.assert_nothing_stored()
    browser.assert_kept_to_itself()


def test_a_member_activates_contacts_with_their_codes_and_chooses_where_notices_go(
    demo: DemoProcess, browser: Browser, member: Member
) -> None:
    page = browser.page
    page.set_viewport_size(PHONE)
    # The "manage notifications" link in every notice opens this screen after sign-in.
    page.goto(f"{demo.url}/notifications", timeout=TIMEOUT_MS)
    sign_in(page, member)
    expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible(
        timeout=TIMEOUT_MS
    )

    alerts = "lena.alerts@example.net"
    page.get_by_label("Email address", exact=True).fill(alerts)
    page.get_by_role("button", name="Add and send a code").click()
    expect(page.get_by_role("status")).to_contain_text("A code is on its way", timeout=TIMEOUT_MS)
    code = code_in(new_email(demo, alerts, after=0, subject=CODE_SUBJECT))
    page.get_by_label(f"Code sent to {alerts}", exact=True).fill(code)
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("status")).to_contain_text(f"{alerts} is active", timeout=TIMEOUT_MS)

    page.get_by_label("Kind", exact=True).select_option("SMS")
    page.get_by_label("Mobile number", exact=True).fill(MOBILE)
    page.get_by_role("button", name="Add and send a code").click()
    code_box = page.get_by_label(f"Code sent to {MOBILE_E164}", exact=True)
    expect(code_box).to_be_visible(timeout=TIMEOUT_MS)
    # Entering the code is consent to texts: the words are beside the box.
    expect(code_box).to_have_attribute("aria-describedby", re.compile(".+"))
    assert_fits_and_is_accessible(browser, "notifications-code")
    code_box.fill("000000" if code_texted_to(demo, MOBILE_E164) != "000000" else "111111")
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("alert")).to_be_visible(timeout=TIMEOUT_MS)  # a wrong code
    code_box.fill(code_texted_to(demo, MOBILE_E164))
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"{MOBILE_E164} is active", timeout=TIMEOUT_MS
    )

    # The matrix: outage news by text too, and payment reminders five days ahead.
    outage_by_text = page.get_by_label(f"Outage to {MOBILE_E164}", exact=True)
    outage_by_text.click()  # saved at once; ticked once the gateway has it
    expect(outage_by_text).to_be_checked(timeout=TIMEOUT_MS)
    reminders = page.get_by_role("form", name="Payment due settings")
    reminders.get_by_label("Days before", exact=True).fill("5")
    reminders.get_by_role("button", name="Save payment due settings").click()
    # Read back from the gateway on another visit to the screen.
    show(page, "Dashboard")
    show(page, "Notifications")
    outage_by_text = page.get_by_label(f"Outage to {MOBILE_E164}", exact=True)
    expect(outage_by_text).to_be_checked(timeout=TIMEOUT_MS)
    expect(page.get_by_label(f"Outage to {alerts}", exact=True)).not_to_be_checked()
    reminders = page.get_by_role("form", name="Payment due settings")
    expect(reminders.get_by_label("Days before", exact=True)).to_have_value("5")

    page.get_by_role("button", name=f"Send a test to {alerts}").click()
    sent = page.get_by_role("region", name="Notifications sent").get_by_role("row")
    expect(sent.filter(has_text=alerts).first).to_contain_text("Test message", timeout=TIMEOUT_MS)
    expect(sent.filter(has_text=alerts).first).to_contain_text("Sent", timeout=TIMEOUT_MS)
    assert_fits_and_is_accessible(browser, "notifications")
    browser.assert_kept_to_itself()


def test_a_member_reports_an_outage_updates_details_and_signs_out_another_device(
    demo: DemoProcess, browser: Browser, member: Member
) -> None:
    tablet = sign_in_by_api(demo, member, "Kitchen tablet")
    page = on_a_phone(browser, demo)
    sign_in(page, member)

    show(page, "Outages")
    expect(page.get_by_role("heading", name="Report an outage")).to_be_visible(timeout=TIMEOUT_MS)
    assert_fits_and_is_accessible(browser, "outages")
    page.get_by_label("What you see (optional)", exact=True).fill("A bang from the transformer")
    page.get_by_role("button", name="Report outage").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you", timeout=TIMEOUT_MS)
    expect(page.get_by_text(re.compile("power is out"))).to_be_visible(timeout=TIMEOUT_MS)
    # The location's outage, as the OMS has it: new, or one the co-op knew of already.
    expect(page.get_by_text(re.compile("^(Reported|Crew dispatched|Crew on site)"))).to_be_visible()
    assert_fits_and_is_accessible(browser, "outage-reported")

    show(page, "Profile")
    page.get_by_label("Mobile phone", exact=True).fill("(505) 555-0187")
    page.get_by_label("Street address", exact=True).fill("12 Camino del Sol")
    page.get_by_label("ZIP code", exact=True).fill("87035-1234")
    page.get_by_label("State", exact=True).fill("XX")
    page.get_by_role("button", name="Save details").click()
    # A rejected field is named beside it, and nothing is saved.
    state = page.get_by_label("State", exact=True)
    expect(state).to_have_attribute("aria-invalid", "true", timeout=TIMEOUT_MS)
    expect(page.get_by_role("alert")).to_be_visible()
    state.fill("NM")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("status")).to_contain_text("saved", timeout=TIMEOUT_MS)
    show(page, "Dashboard")
    show(page, "Profile")
    expect(page.get_by_label("Street address", exact=True)).to_have_value(
        "12 Camino del Sol", timeout=TIMEOUT_MS
    )
    expect(page.get_by_label("Mobile phone", exact=True)).to_have_value(re.compile("555.?0187"))

    devices = page.get_by_role("region", name="Signed-in devices")
    expect(devices).to_contain_text("Kitchen tablet", timeout=TIMEOUT_MS)
    expect(devices).to_contain_text("This device")
    assert_fits_and_is_accessible(browser, "profile")
    devices.get_by_role("button", name="Sign out Kitchen tablet").click()
    expect(page.get_by_role("status")).to_contain_text("Kitchen tablet is signed out")
    tablets = devices.get_by_role("listitem").filter(has_text="Kitchen tablet")
    expect(tablets).to_have_count(0, timeout=TIMEOUT_MS)
    # The tablet's token stops working at once.
    [refused] = post(demo, "{ viewer { email } }", tablet)["errors"]
    assert refused["extensions"]["code"] == "UNAUTHENTICATED"
    browser.assert_kept_to_itself()
