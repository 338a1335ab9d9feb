"""Who may follow a document link: the login it was made for, while it may see the
account; staff downloads are audited; everything else gets one plain answer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

from pydantic import SecretStr

from adapters.meters.fake import FakeMeterData
from gateway.audit.entries import AuditFilter, audit_page
from gateway.core.backends import Adapters
from gateway.core.signed_links import LinkHolder
from gateway.core.store.gateway_store import GatewayStore
from gateway.documents.links import bill_pdf_link
from simulators.world import World
from tests.gateway.conftest import Members
from tests.gateway.documents.conftest import LINK_KEY, DocumentsGateway, link_signer
from tests.gateway.served import served, served_settings

PDF_LINK = """query ($n: String!) { account(number: $n) { ... on Account {
  bills(first: 1) { edges { node { billDate pdfUrl } } } } } }"""
GREEN_LINK = """query ($n: String!) { account(number: $n) { ... on Account {
  greenButtonUrl(from: "2026-10-01", to: "2026-10-02", interval: DAY) } } }"""
REFUSED = "This link is not valid or has expired: ask for a new one."


def latest_bill(world: World, number: str) -> date:
    return max(b.bill_date for b in world.bills if b.account_number == number)


async def test_a_link_made_for_one_member_to_anothers_bill_is_not_found(
    documents: DocumentsGateway, world: World, members: Members
) -> None:
    theirs = members.neighbor.account_numbers[0]
    # Signed with the gateway's own key: as if the account had been the member's once.
    forged = bill_pdf_link(
        link_signer(),
        holder=LinkHolder(members.demo.user_id, None),
        account_number=theirs,
        bill_date=latest_bill(world, theirs),
    )
    missing = bill_pdf_link(
        link_signer(),
        holder=LinkHolder(members.demo.user_id, None),
        account_number="9999999",
        bill_date=date(2026, 10, 26),
    )

    asked = await documents.http.client.get(forged)
    nothing = await documents.http.client.get(missing)

    assert (asked.status_code, asked.text) == (404, "Not found.")
    assert (nothing.status_code, nothing.text) == (404, "Not found.")
    # The neighbor's own link to the same bill works.
    data = await documents.ok(PDF_LINK, documents.neighbor_token, n=theirs)
    own = data["account"]["bills"]["edges"][0]["node"]["pdfUrl"]
    assert (await documents.http.client.get(own)).status_code == 200


async def test_an_altered_or_expired_link_is_refused_alike(
    documents: DocumentsGateway, world: World, members: Members
) -> None:
    number = members.demo.account_numbers[0]
    data = await documents.ok(PDF_LINK, documents.member_token, n=number)
    url = data["account"]["bills"]["edges"][0]["node"]["pdfUrl"]
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    other_bill = url.replace(parts.path.rsplit("/", 1)[1], "2026-09-26.pdf")
    other_user = f"{parts.path}?{urlencode({**params, 'u': str(members.neighbor.user_id)})}"
    expired = bill_pdf_link(
        link_signer(clock=lambda: datetime.now(UTC) - timedelta(minutes=6)),
        holder=LinkHolder(members.demo.user_id, None),
        account_number=number,
        bill_date=latest_bill(world, number),
    )

    for refused in (other_bill, other_user, expired, parts.path):
        response = await documents.http.client.get(refused)
        assert (response.status_code, response.text) == (403, REFUSED), refused


async def test_staff_downloads_are_audited_and_members_are_not(
    documents: DocumentsGateway, members: Members, gateway_store: GatewayStore
) -> None:
    number = members.demo.account_numbers[0]
    staff_link = await documents.ok(PDF_LINK, documents.staff_token, n=number)
    staff_green = await documents.ok(GREEN_LINK, documents.staff_token, n=number)
    member_link = await documents.ok(PDF_LINK, documents.member_token, n=number)
    before = await audit_page(
        gateway_store, wanted=AuditFilter(account_number=number), first=200, after=None
    )

    for url in (
        staff_link["account"]["bills"]["edges"][0]["node"]["pdfUrl"],
        staff_green["account"]["greenButtonUrl"],
        member_link["account"]["bills"]["edges"][0]["node"]["pdfUrl"],
    ):
        assert (await documents.http.client.get(url)).status_code == 200

    after = await audit_page(
        gateway_store, wanted=AuditFilter(account_number=number), first=200, after=None
    )
    new = after.entries[: len(after.entries) - len(before.entries)]
    downloads = sorted(
        (entry.fields, entry.operation_name, entry.actor_email)
        for entry in new
        if entry.operation_name and entry.operation_name.startswith("GET ")
    )
    assert downloads == [
        (("billPdf",), f"GET /documents/bills/{number}", members.staff.email),
        (("greenButton",), "GET /documents/green-button", members.staff.email),
    ]


async def test_a_malformed_path_is_not_found(documents: DocumentsGateway) -> None:
    for path in (
        "/documents/bills/2000100/2026-13-01.pdf",
        "/documents/bills/2000100/²⁰²⁶-10-26.pdf",
        "/documents/bills/not%20an%20account/2026-10-26.pdf",
        "/documents/green-button/2000100.json?from=2026-01-01&to=2026-01-02&interval=day",
        "/documents/green-button/2000100.xml?from=2026-01-01&interval=day",
    ):
        response = await documents.http.client.get(path)
        assert (response.status_code, response.text) == (404, "Not found."), path


async def test_a_link_stops_working_when_its_sign_in_ends(
    documents: DocumentsGateway, members: Members
) -> None:
    token = await documents.http.sign_in(members.demo)
    data = await documents.ok(PDF_LINK, token, n=members.demo.account_numbers[0])
    url = data["account"]["bills"]["edges"][0]["node"]["pdfUrl"]
    assert (await documents.http.client.get(url)).status_code == 200

    await documents.ok("mutation { logout { sessionsEnded } }", token)

    response = await documents.http.client.get(url)
    assert (response.status_code, response.text) == (403, REFUSED)


async def test_a_meter_store_that_is_down_costs_the_chart_or_the_download_only(
    adapters: Adapters, gateway_database_path: Path, members: Members
) -> None:
    assert isinstance(adapters.meters, FakeMeterData)
    settings = served_settings(
        gateway_database_path,
        document_link_secret=SecretStr(LINK_KEY),
        rate_limit_enabled=False,
        backend_retry_jitter_s=0,
    )
    async with served(settings, adapters) as http:
        token = await http.sign_in(members.demo)
        number = members.demo.account_numbers[0]
        links = await http.graphql(PDF_LINK, token, n=number)
        green = await http.graphql(GREEN_LINK, token, n=number)
        adapters.meters.unavailable = True

        pdf = await http.client.get(links["data"]["account"]["bills"]["edges"][0]["node"]["pdfUrl"])
        data = await http.client.get(green["data"]["account"]["greenButtonUrl"])

    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")
    assert (data.status_code, data.text) == (
        503,
        "The meter data system is not available right now: try again in a moment.",
    )
