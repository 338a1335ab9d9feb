"""The staff console's admin screens in a real browser against `coop-gateway demo`: an
admin refunds a member's card payment, which the worker carries out; plain staff are
shown no refund and the gateway refuses theirs; staff read an account's log of consent
to texts, and the admin finds that read and the refund in the audit log. Every screen
passes axe-core's WCAG 2.1 AA checks and fits a phone. Screenshots:
var/test-artifacts/staff-admin-*.png.

The member is the demo's neighbour, whose account the other browser tests leave alone:
the card payment and the activated phone number are made for it here, through the API,
as the portal would make them.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from gateway.demo import DEMO_STAFF
from simulators.seed import NEIGHBOR_EMAIL, NEIGHBOR_PASSWORD
from tests.web.browser import PHONE, TIMEOUT_MS, Browser
from tests.web.demo_process import DemoProcess
from tests.web.test_staff import ADMIN, STAFF, find_and_open, show, sign_in_to_the_console

APPROVED_CARD = "4242424242424242"
PAID = "17.00"
PHONE_NUMBER = "+15055550142"
WAIT_S = 60.0


@dataclass(frozen=True, slots=True)
class MemberActivity:
    account_number: str
    payment_id: str


class Api:
    """GraphQL over HTTP to the demo's gateway, as one login."""

    def __init__(self, demo: DemoProcess, email: str, password: str) -> None:
        self._client = httpx.Client(base_url=demo.url, timeout=30.0)
        answer = self.ask(
            "mutation($input: LoginInput!) { login(input: $input) {"
            " ... on LoginSuccess { accessToken } } }",
            {"input": {"email": email, "password": password, "deviceName": "browser tests"}},
        )
        self._client.headers["Authorization"] = f"Bearer {answer['data']['login']['accessToken']}"

    def ask(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self._client.post("/graphql", json={"query": query, "variables": variables})
        body: dict[str, Any] = response.json()
        return body

    def close(self) -> None:
        self._client.close()


def eventually(check: Any, what: str) -> Any:
    """`check()`'s first truthy answer, asked again until WAIT_S has passed."""
    ends = time.monotonic() + WAIT_S
    while time.monotonic() < ends:
        found = check()
        if found:
            return found
        time.sleep(0.3)
    raise AssertionError(f"{what} did not happen within {WAIT_S} s")


def payment_status(member: Api, account_number: str, payment_id: str) -> str | None:
    answer = member.ask(
        "query($n: String!) { account(number: $n) { ... on Account {"
        " payments(first: 20) { edges { node { id status } } } } } }",
        {"n": account_number},
    )
    edges = answer["data"]["account"]["payments"]["edges"]
    return next((e["node"]["status"] for e in edges if e["node"]["id"] == payment_id), None)


def pay_with_a_card(demo: DemoProcess, member: Api, account_number: str) -> str:
    """A card payment as the portal makes one: tokenized at the processor, then paid."""
    processor = httpx.get(f"{demo.url}/portal/config.json").json()["payments"]
    token = httpx.post(
        f"{processor['url']}/v1/tokens",
        headers={"Authorization": f"Bearer {processor['publishableKey']}"},
        json={
            "card": {
                "number": APPROVED_CARD,
                "exp_month": 12,
                "exp_year": 2030,
                "cvc": "123",
                "postal_code": "87035",
            }
        },
    ).json()["id"]
    answer = member.ask(
        "mutation($input: PayBillInput!) { payBill(input: $input) {"
        " __typename ... on PaymentAccepted { payment { id } } } }",
        {
            "input": {
                "accountNumber": account_number,
                "amount": PAID,
                "method": {"token": token},
                "idempotencyKey": str(uuid.uuid4()),
                "confirmDuplicate": True,  # the e-check test may have paid this account
            }
        },
    )
    payment_id: str = answer["data"]["payBill"]["payment"]["id"]
    eventually(
        lambda: payment_status(member, account_number, payment_id) == "POSTED",
        "the card payment posting",
    )
    return payment_id


def sms_stand_in_url(demo: DemoProcess) -> str:
    found = re.search(r"SMS provider stand-in: (\S+)/v1", demo.log.read_text())
    assert found, "the demo did not say where its SMS stand-in is"
    return found.group(1)


def activate_a_phone(demo: DemoProcess, member: Api) -> None:
    """The member adds a number and enters the code texted to it: consent given."""
    answer = member.ask(
        "mutation($input: AddContactInput!) { addContact(input: $input) {"
        " __typename ... on ContactAdded { contact { id } } } }",
        {"input": {"kind": "SMS", "value": PHONE_NUMBER}},
    )
    contact_id = answer["data"]["addContact"]["contact"]["id"]
    outbox = f"{sms_stand_in_url(demo)}/outbox"

    def code() -> str | None:
        for message in httpx.get(outbox).json()["messages"]:
            found = re.search(r"\b(\d{6})\b", message["body"])
            if message["to"] == PHONE_NUMBER and found:
                return found.group(1)
        return None

    answer = member.ask(
        "mutation($input: ActivateContactInput!) { activateContact(input: $input) { __typename } }",
        {"input": {"contactId": contact_id, "code": eventually(code, "the code's text")}},
    )
    assert answer["data"]["activateContact"]["__typename"] == "ContactActivated"


@pytest.fixture(scope="module")
def neighbor(demo: DemoProcess) -> Iterator[MemberActivity]:
    member = Api(demo, NEIGHBOR_EMAIL, NEIGHBOR_PASSWORD)
    try:
        viewer = member.ask("{ viewer { accounts { number } } }")
        (account,) = viewer["data"]["viewer"]["accounts"]
        payment_id = pay_with_a_card(demo, member, account["number"])
        activate_a_phone(demo, member)
        yield MemberActivity(account["number"], payment_id)
    finally:
        member.close()


def open_the_consent_log(page: Page) -> None:
    consent = page.get_by_role("region", name="Consent to texts", exact=True)
    consent.get_by_role("button", name="Show the consent log").click()
    entries = consent.get_by_role("region", name="Consent entries")
    row = entries.get_by_role("row").filter(has_text=PHONE_NUMBER).first
    expect(row).to_contain_text("Granted", timeout=TIMEOUT_MS)
    expect(row).to_contain_text("Contact activation")


def test_staff_are_shown_no_refund_and_the_gateway_refuses_theirs_but_they_read_consent(
    demo: DemoProcess, browser: Browser, neighbor: MemberActivity
) -> None:
    page = browser.page
    page.set_viewport_size(PHONE)
    sign_in_to_the_console(browser, demo, STAFF, DEMO_STAFF[STAFF][0])
    find_and_open(page, neighbor.account_number)
    payments = page.get_by_role("region", name="Payments")
    expect(payments.get_by_role("row").filter(has_text=f"${PAID}").first).to_contain_text(
        "Posted", timeout=TIMEOUT_MS
    )
    expect(payments.get_by_role("columnheader", name="Refund")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Refund"))).to_have_count(0)
    open_the_consent_log(page)
    browser.assert_accessible()
    assert browser.horizontal_overflow() == 0
    browser.screenshot("staff-admin-phone-consent-log.png")
    browser.assert_kept_to_itself()

    # Past the console: the gateway itself refuses a refund from staff, and nothing changes.
    staff = Api(demo, STAFF, DEMO_STAFF[STAFF][0])
    try:
        answer = staff.ask(
            "mutation($input: RefundPaymentInput!) { refundPayment(input: $input) { __typename } }",
            {"input": {"paymentId": neighbor.payment_id, "reason": "asked by the member"}},
        )
    finally:
        staff.close()
    assert answer["data"] is None
    assert [e["extensions"]["code"] for e in answer["errors"]] == ["FORBIDDEN"]
    member = Api(demo, NEIGHBOR_EMAIL, NEIGHBOR_PASSWORD)
    try:
        assert payment_status(member, neighbor.account_number, neighbor.payment_id) == "POSTED"
    finally:
        member.close()


def test_the_admin_refunds_a_payment_and_finds_it_in_the_audit_log(
    demo: DemoProcess, browser: Browser, neighbor: MemberActivity
) -> None:
    page = browser.page
    sign_in_to_the_console(browser, demo, ADMIN, DEMO_STAFF[ADMIN][0])
    find_and_open(page, neighbor.account_number)
    row = page.get_by_role("region", name="Payments").get_by_role("row").filter(has_text=f"${PAID}")
    expect(row.first).to_contain_text("Posted", timeout=TIMEOUT_MS)
    row.first.get_by_role("button", name=re.compile("^Refund")).click()
    # A blank reason is the gateway's typed error, shown as it says it.
    page.get_by_label("Reason for the refund").fill("   ")
    page.get_by_role("button", name=re.compile(r"^Refund \$")).click()
    expect(page.get_by_role("alert")).to_contain_text("(reason)", timeout=TIMEOUT_MS)
    page.get_by_label("Reason for the refund").fill("Paid twice by mistake")
    browser.assert_accessible()
    browser.screenshot("staff-admin-refund.png")
    page.get_by_role("button", name=re.compile(r"^Refund \$")).click()
    expect(page.get_by_role("status").filter(has_text="requested")).to_be_visible(
        timeout=TIMEOUT_MS
    )
    # The worker refunds it at the processor and reverses it in the CIS.
    expect(row.first).to_contain_text("Refunded", timeout=TIMEOUT_MS)
    open_the_consent_log(page)
    browser.assert_accessible()

    show(page, "Audit log")
    entries = page.get_by_role("region", name="Audit entries").get_by_role("row")
    mine = entries.filter(has_text=neighbor.account_number).filter(has_text=ADMIN)
    expect(mine.filter(has_text="refundPayment").first).to_be_visible(timeout=TIMEOUT_MS)
    expect(mine.filter(has_text="smsConsentLog").first).to_be_visible()
    browser.assert_accessible()
    assert browser.overflow_after_resize(PHONE) == 0
    browser.screenshot("staff-admin-phone-audit-log.png")
    browser.assert_kept_to_itself()
