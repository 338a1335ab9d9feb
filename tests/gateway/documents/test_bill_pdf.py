"""Bill PDFs over HTTP, from the CIS stand-in's bills: what GraphQL says the bill holds
is what the PDF prints (read back with poppler's pdftotext), and its page, rendered with
pdftoppm, has ink on it and a chart where the chart belongs."""

from __future__ import annotations

import dataclasses
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from adapters.cis.port import ChargeLine
from gateway.documents.bill_pdf import (
    CHART_BOX,
    PAGE_HEIGHT,
    day_text,
    money_text,
    render_bill_pdf,
)
from gateway.documents.coop import CoopIdentity
from gateway.documents.statement import BillStatement
from tests.gateway.conftest import Members
from tests.gateway.core.cache import examples
from tests.gateway.documents.conftest import DocumentsGateway

BILLS = """query ($n: String!) { account(number: $n) { ... on Account {
  bills(first: 2) { edges { node {
    billDate dueDate amount priorBalance paymentsReceived balanceAfterBilling pdfUrl
    servicePeriod { start end }
    lineItems { description amount }
    lineItemsByLocation { serviceLocationId amount }
    usage { meterNo previousReading presentReading kwh }
  } } } } } }"""
DPI = 50
SCALE = DPI / 72


def money(text: str) -> str:
    return money_text(Decimal(text))


def day(text: str) -> str:
    return day_text(date.fromisoformat(text))


async def latest_bills(gateway: DocumentsGateway, number: str) -> list[dict[str, Any]]:
    data = await gateway.ok(BILLS, gateway.member_token, n=number)
    return [edge["node"] for edge in data["account"]["bills"]["edges"]]


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def gray_page(pdf: Path, tmp_path: Path) -> tuple[int, int, bytes]:
    """The first page at `DPI`, as (width, height, one byte per pixel, 255 white)."""
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", "-singlefile", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    data = (tmp_path / "page.pgm").read_bytes()
    magic, width, height, depth, pixels = data.split(maxsplit=4)
    assert (magic, depth) == (b"P5", b"255")
    return int(width), int(height), pixels


def inked(pixels: bytes) -> float:
    return sum(1 for value in pixels if value < 200) / len(pixels)


async def download(gateway: DocumentsGateway, url: str) -> httpx.Response:
    # A browser following the link: no Authorization header.
    return await gateway.http.client.get(url)


async def test_the_pdf_prints_what_graphql_says_the_bill_holds(
    documents: DocumentsGateway, members: Members, tmp_path: Path
) -> None:
    number = members.demo.account_numbers[0]
    bills = await latest_bills(documents, number)
    for bill in bills:
        response = await download(documents, bill["pdfUrl"])
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"] == (
            f'attachment; filename="bill-{number}-{bill["billDate"]}.pdf"'
        )
        assert "no-store" in response.headers["cache-control"]
        pdf = tmp_path / f"{bill['billDate']}.pdf"
        pdf.write_bytes(response.content)
        text = pdf_text(pdf)

        assert bills[0]["lineItems"]
        for line in bill["lineItems"]:
            assert line["description"] in text
            assert money(line["amount"]) in text
        for field in ("amount", "priorBalance", "balanceAfterBilling"):
            assert money(bill[field]) in text, field
        assert money_text(-Decimal(bill["paymentsReceived"])) in text
        for field in ("billDate", "dueDate"):
            assert day(bill[field]) in text, field
        period = bill["servicePeriod"]
        assert f"{day(period['start'])} - {day(period['end'])}" in text
        for usage in bill["usage"]:
            assert f"Meter {usage['meterNo']}" in text
            assert f"= {Decimal(str(usage['kwh'])).normalize():,f} kWh" in text
        # The lines under a heading per service location, with its subtotal, and the
        # account's own last.
        headings = [
            line.strip()
            for line in text.splitlines()
            if line.lstrip().startswith("Account charges") or ("(location " in line and "$" in line)
        ]
        assert len(headings) == len(bill["lineItemsByLocation"]) > 1
        for heading, group in zip(headings, bill["lineItemsByLocation"], strict=True):
            where = group["serviceLocationId"]
            assert (f"(location {where})" if where else "Account charges") in heading
            # (beside it, to the right, may be a line of the account summary)
            assert money(group["amount"]) in heading
        # The remittance stub keeps the account number whole.
        assert f"Account number {number}" in " ".join(text.split())


async def test_the_page_has_ink_and_the_chart_is_drawn_where_it_belongs(
    documents: DocumentsGateway, members: Members, tmp_path: Path
) -> None:
    (bill, *_) = await latest_bills(documents, members.demo.account_numbers[0])
    pdf = tmp_path / "bill.pdf"
    pdf.write_bytes((await download(documents, bill["pdfUrl"])).content)

    width, height, pixels = gray_page(pdf, tmp_path)

    assert inked(pixels) > 0.02
    x, y, box_width, box_height = CHART_BOX
    left, right = int(x * SCALE), int((x + box_width) * SCALE)
    top, bottom = int((PAGE_HEIGHT - y - box_height) * SCALE), int((PAGE_HEIGHT - y) * SCALE)
    chart = b"".join(pixels[row * width + left : row * width + right] for row in range(top, bottom))
    # Thirteen bars fill a good part of the chart's box; the page around it far less.
    assert inked(chart) > 0.15
    above = b"".join(
        pixels[row * width + left : row * width + right] for row in range(top - (bottom - top), top)
    )
    assert inked(above) < inked(chart) / 2
    assert height == int(PAGE_HEIGHT * SCALE) or abs(height - PAGE_HEIGHT * SCALE) <= 1


def test_charges_the_first_page_has_no_room_for_are_listed_on_the_next(tmp_path: Path) -> None:
    # Three locations' lines and the account's own: more than the first page holds.
    charges = (
        *(
            ChargeLine(f"Charge {number} at {location}", Decimal(f"{number}.25"), location)
            for location in ("L000456", "L000457", "L000458")
            for number in range(1, 9)
        ),
        ChargeLine("Gross receipts tax", Decimal("6.10")),
    )
    bill = dataclasses.replace(examples.BILL, charges=charges)
    statement = BillStatement(
        coop=CoopIdentity("Demo Electric Cooperative", ("PO Box 1000",), "505-555-0100"),
        account_number=bill.account_number,
        customer=examples.CUSTOMER,
        locations=(examples.LOCATION, examples.NEW_LOCATION),
        bill=bill,
        history=None,
    )
    pdf = tmp_path / "bill.pdf"
    pdf.write_bytes(render_bill_pdf(statement))

    text = pdf_text(pdf)

    assert "more charges, listed on the next page" in text
    assert "Charges, continued" in text
    for line in charges:
        assert line.description in text, line.description
        assert money_text(line.amount) in text
