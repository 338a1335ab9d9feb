"""The demo's third GraphiQL tab, run as it is: its links download the bill's PDF and
a year of hourly Green Button data that validates, XML and CSV alike."""

from __future__ import annotations

import io
from datetime import date

import xmlschema

from gateway.demo import DEMO_DOCUMENTS_ACCOUNT
from gateway.demo_tabs import demo_tabs, last_twelve_months
from tests.fixtures.world import TEST_AS_OF
from tests.gateway.conftest import Members
from tests.gateway.documents.conftest import ESPI_XSD, DocumentsGateway


def test_the_last_twelve_months_are_whole_calendar_months() -> None:
    assert last_twelve_months(date(2026, 12, 3)) == (date(2025, 12, 1), date(2026, 11, 30))
    assert last_twelve_months(date(2027, 1, 1)) == (date(2026, 1, 1), date(2026, 12, 31))


async def test_the_documents_tab_gives_links_that_download(
    documents: DocumentsGateway, members: Members
) -> None:
    assert members.demo.account_numbers[0] == DEMO_DOCUMENTS_ACCOUNT
    *_, tab = demo_tabs(
        email=members.demo.email,
        password=members.demo.password,
        documents_account=DEMO_DOCUMENTS_ACCOUNT,
        today=TEST_AS_OF,
    )

    data = await documents.ok(tab.query, documents.member_token)

    account = data["account"]
    pdf_url = account["bills"]["edges"][0]["node"]["pdfUrl"]
    # Absolute, at the address the GraphQL request came to.
    assert pdf_url.startswith("http://gw/documents/bills/")
    pdf = await documents.http.client.get(pdf_url)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF-")
    xml = await documents.http.client.get(account["greenButtonXml"])
    assert xml.status_code == 200
    xmlschema.XMLSchema(str(ESPI_XSD)).validate(io.BytesIO(xml.content))
    assert xml.content.count(b"<IntervalReading>") > 2 * 24 * 300
    text = await documents.http.client.get(account["greenButtonCsv"])
    assert text.status_code == 200
    assert text.text.count("\r\n") == xml.content.count(b"<IntervalReading>") + 1
