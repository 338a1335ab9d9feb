"""A bill's PDF, drawn with ReportLab from a `BillStatement`: one US Letter page.

Top to bottom: the co-op's letterhead and the bill's key figures (account, dates,
amount due); the member's name and mailing address; each service location with its
meters' reads and kWh; the charges, per service location and then the account's own;
the account summary (previous balance, payments, new charges, new balance); thirteen
months of kWh as bars with the average temperature as a line; and the remittance stub,
which keeps the account number whole.

Only ReportLab's standard fonts are used (no font files to ship); text they cannot
encode is replaced rather than failing the bill.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Final

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from adapters.cis.port import PostalAddress
from gateway.documents.statement import BillStatement, MonthUsage

PAGE_WIDTH, PAGE_HEIGHT = LETTER
MARGIN: Final = 0.6 * inch
# Where the chart sits on the page (points from the bottom-left corner): the tests
# look for it there in the rendered page.
CHART_BOX: Final = (MARGIN, 3.05 * inch, PAGE_WIDTH - 2 * MARGIN, 2.0 * inch)
BAR_COLOR: Final = colors.HexColor("#2E7D32")
LINE_COLOR: Final = colors.HexColor("#E65100")
STUB_TOP: Final = 2.35 * inch
ROW: Final = 11  # points from one line of charges to the next
# The charges end above the chart and its title; what does not fit is counted instead.
CHARGES_FLOOR: Final = CHART_BOX[1] + CHART_BOX[3] + 16
TITLE: Final = "Electric bill"


def money_text(amount: Decimal) -> str:
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def day_text(day: date) -> str:
    return f"{day:%b} {day.day}, {day.year}"


def address_lines(address: PostalAddress) -> list[str]:
    lines = [address.line1]
    if address.line2:
        lines.append(address.line2)
    lines.append(f"{address.city}, {address.state} {address.zip_code}")
    return lines


def render_bill_pdf(statement: BillStatement) -> bytes:
    buffer = io.BytesIO()
    bill = statement.bill
    canvas = Canvas(buffer, pagesize=LETTER, invariant=True)
    canvas.setTitle(f"{statement.coop.name} {TITLE.lower()} {bill.bill_date.isoformat()}")
    canvas.setAuthor(statement.coop.name)
    _letterhead(canvas, statement)
    y = _member(canvas, statement, PAGE_HEIGHT - 2.05 * inch)
    y = _locations(canvas, statement, y - 0.15 * inch)
    rest = _charges_and_summary(canvas, statement, y - 0.15 * inch)
    _chart(canvas, statement.history)
    _stub(canvas, statement)
    canvas.showPage()
    _continued_charges(canvas, statement, rest)
    canvas.save()
    return buffer.getvalue()


def _letterhead(canvas: Canvas, statement: BillStatement) -> None:
    coop, bill = statement.coop, statement.bill
    top = PAGE_HEIGHT - MARGIN
    canvas.setFont("Helvetica-Bold", 15)
    canvas.drawString(MARGIN, top - 12, coop.name)
    canvas.setFont("Helvetica", 9)
    for index, line in enumerate([*coop.address, coop.phone]):
        canvas.drawString(MARGIN, top - 26 - 11 * index, line)
    right = PAGE_WIDTH - MARGIN
    rows = [
        ("Account", coop.shown_account(statement.account_number)),
        ("Bill date", day_text(bill.bill_date)),
        ("Service period", f"{day_text(bill.period_start)} - {day_text(bill.period_end)}"),
        ("Due date", day_text(bill.due_date)),
    ]
    canvas.setFont("Helvetica-Bold", 12)
    canvas.drawRightString(right, top - 12, TITLE)
    for index, (label, value) in enumerate(rows):
        y = top - 28 - 12 * index
        canvas.setFont("Helvetica", 9)
        canvas.drawRightString(right - 150, y, label)
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawRightString(right, y, value)
    canvas.setFillColor(colors.HexColor("#F1F8E9"))
    canvas.rect(right - 200, top - 104, 200, 36, stroke=0, fill=1)
    canvas.setFillColor(colors.black)
    canvas.setFont("Helvetica", 9)
    canvas.drawString(right - 192, top - 82, "Amount due")
    canvas.setFont("Helvetica-Bold", 15)
    canvas.drawRightString(right - 8, top - 96, money_text(bill.balance_after_billing))


def _member(canvas: Canvas, statement: BillStatement, y: float) -> float:
    customer = statement.customer
    name = customer.business_name or f"{customer.first_name} {customer.last_name}"
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(MARGIN, y, name)
    canvas.setFont("Helvetica", 9)
    for line in address_lines(customer.billing_address):
        y -= 11
        canvas.drawString(MARGIN, y, line)
    return y


def _locations(canvas: Canvas, statement: BillStatement, y: float) -> float:
    usage_by_location: dict[str | None, list[str]] = {}
    for item in statement.bill.usage:
        usage_by_location.setdefault(item.location_id, []).append(
            f"Meter {item.meter_no or '-'}: {item.previous_reading:,} to"
            f" {item.present_reading:,} x {item.multiplier.normalize():f}"
            f" = {item.kwh.normalize():,f} kWh"
        )
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(MARGIN, y, "Service locations")
    for location in statement.locations:
        address = location.address
        y -= 13
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawString(
            MARGIN,
            y,
            f"{address.line1}, {address.city} ({location.rate_class}, location"
            f" {location.location_id})",
        )
        canvas.setFont("Helvetica", 9)
        for line in usage_by_location.get(location.location_id, []):
            y -= 11
            canvas.drawString(MARGIN + 12, y, line)
    return y


def charge_rows(statement: BillStatement) -> list[tuple[bool, str, Decimal]]:
    """The charges as printed: per service location a heading with its subtotal, then
    its lines; the account's own lines (taxes, fees) last, under a heading of their own.
    Each row is (is a heading, text, amount)."""
    where = {location.location_id: location.address for location in statement.locations}
    rows: list[tuple[bool, str, Decimal]] = []
    for group in statement.bill.charges_by_location():
        address = where.get(group.location_id) if group.location_id else None
        if group.location_id is None:
            title = "Account charges"
        elif address is None:
            title = f"Service location {group.location_id}"
        else:
            street = ", ".join(part for part in (address.line1, address.line2) if part)
            title = f"{street} (location {group.location_id})"
        rows.append((True, title, group.amount))
        rows += [(False, line.description, line.amount) for line in group.lines]
    return rows


def _charges_and_summary(
    canvas: Canvas, statement: BillStatement, y: float
) -> list[tuple[bool, str, Decimal]]:
    """The first page's charges and summary; returns the rows left for the next pages."""
    bill = statement.bill
    right = PAGE_WIDTH - MARGIN
    middle = PAGE_WIDTH * 0.62
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(MARGIN, y, "Charges")
    canvas.drawString(middle + 18, y, "Account summary")
    rows = charge_rows(statement)
    room = y - CHARGES_FLOOR - 13  # the total's row
    fits = len(rows) if len(rows) * ROW <= room else max(0, int(room // ROW) - 1)
    shown = rows[:fits]
    row = _charge_rows(canvas, shown, top=y, amounts_at=middle)
    hidden = sum(1 for heading, _, _ in rows[len(shown) :] if not heading)
    if hidden > 0:
        row -= ROW
        canvas.setFont("Helvetica", 8.5)
        canvas.drawString(MARGIN, row, f"and {hidden} more charges, listed on the next page")
    row -= 13
    canvas.setFont("Helvetica-Bold", 9)
    canvas.drawString(MARGIN, row, "Total new charges")
    canvas.drawRightString(middle, row, money_text(bill.amount))
    summary = [
        ("Previous balance", bill.prior_balance),
        ("Payments received", -bill.payments_received),
        ("New charges", bill.amount),
        ("New balance", bill.balance_after_billing),
    ]
    for index, (label, amount) in enumerate(summary):
        at = y - 11 * (index + 1) - (3 if index == len(summary) - 1 else 0)
        canvas.setFont("Helvetica-Bold" if index == len(summary) - 1 else "Helvetica", 9)
        canvas.drawString(middle + 18, at, label)
        canvas.drawRightString(right, at, money_text(amount))
    return rows[len(shown) :]


def _charge_rows(
    canvas: Canvas, rows: Sequence[tuple[bool, str, Decimal]], *, top: float, amounts_at: float
) -> float:
    """Draws the rows below `top`; returns the last row's baseline."""
    row = top
    for heading, text, amount in rows:
        row -= ROW
        canvas.setFont("Helvetica-Bold" if heading else "Helvetica", 8.5)
        canvas.drawString(MARGIN if heading else MARGIN + 10, row, text[:76])
        canvas.drawRightString(amounts_at, row, money_text(amount))
    return row


def _continued_charges(
    canvas: Canvas, statement: BillStatement, rows: Sequence[tuple[bool, str, Decimal]]
) -> None:
    """What the first page had no room for, on as many pages as it takes: a bill lists
    every charge."""
    per_page = int((PAGE_HEIGHT - 2 * MARGIN - 0.5 * inch) // ROW)
    title = f"Charges, continued: bill of {day_text(statement.bill.bill_date)}"
    for first in range(0, len(rows), per_page):
        top = PAGE_HEIGHT - MARGIN
        canvas.setFont("Helvetica-Bold", 10)
        canvas.drawString(MARGIN, top, title)
        _charge_rows(
            canvas, rows[first : first + per_page], top=top - 6, amounts_at=PAGE_WIDTH * 0.62
        )
        canvas.showPage()


def _chart(canvas: Canvas, history: Sequence[MonthUsage] | None) -> None:
    x, y, width, height = CHART_BOX
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(x, y + height + 4, "Your usage: kWh per month, and the average temperature")
    if not history:
        canvas.setFont("Helvetica", 9)
        canvas.drawString(x, y + height / 2, "Usage history is not available right now.")
        return
    drawing = Drawing(width, height)
    labels = [f"{month.month:%b %y}" for month in history]
    bars = VerticalBarChart()
    bars.x, bars.y = 40, 22
    # ReportLab's stubs type the chart's size as int; it draws any number.
    bars.width, bars.height = int(width - 90), int(height - 34)
    bars.data = [[month.kwh for month in history]]
    bars.bars[0].fillColor = BAR_COLOR
    bars.bars[0].strokeColor = None
    bars.categoryAxis.categoryNames = labels
    bars.categoryAxis.labels.fontSize = 7
    bars.valueAxis.valueMin = 0
    bars.valueAxis.labels.fontSize = 7
    drawing.add(bars)
    temperatures = [month.temperature_f for month in history]
    known = [value for value in temperatures if value is not None]
    if known:
        line = HorizontalLineChart()
        line.x, line.y, line.width, line.height = bars.x, bars.y, bars.width, bars.height
        # A gap in the weather is drawn as the line's lowest value rather than a gap:
        # ReportLab's line charts take numbers only.
        line.data = [[value if value is not None else min(known) for value in temperatures]]
        line.lines[0].strokeColor = LINE_COLOR
        line.lines[0].strokeWidth = 1.5
        line.lines[0].symbol = makeMarker(  # type: ignore[no-untyped-call]
            "FilledCircle", size=3, fillColor=LINE_COLOR
        )
        line.categoryAxis.visible = False
        line.valueAxis.valueMin = min(0.0, min(known) - 5)
        line.valueAxis.valueMax = max(known) + 5
        # The line's own scale is not drawn (it would sit on the kWh axis): each
        # point carries its temperature instead.
        line.valueAxis.visible = False
        line.lineLabelFormat = "%d°"
        line.lineLabels.fontSize = 6.5
        line.lineLabels.fillColor = LINE_COLOR
        line.lineLabels.dy = 6
        drawing.add(line)
    drawing.add(String(4, height - 8, "kWh", fontSize=7, fillColor=BAR_COLOR))
    drawing.add(String(width - 90, height - 8, "average °F", fontSize=7, fillColor=LINE_COLOR))
    drawing.drawOn(canvas, x, y)


def _stub(canvas: Canvas, statement: BillStatement) -> None:
    coop, bill, customer = statement.coop, statement.bill, statement.customer
    canvas.setDash(4, 3)
    canvas.line(MARGIN, STUB_TOP, PAGE_WIDTH - MARGIN, STUB_TOP)
    canvas.setDash()
    canvas.setFont("Helvetica", 7.5)
    canvas.drawCentredString(
        PAGE_WIDTH / 2,
        STUB_TOP - 12,
        "Please detach and return this part with your payment.",
    )
    top = STUB_TOP - 32
    canvas.setFont("Helvetica-Bold", 10)
    canvas.drawString(MARGIN, top, "Remit to")
    canvas.setFont("Helvetica", 9)
    for index, line in enumerate([coop.name, *coop.address]):
        canvas.drawString(MARGIN, top - 12 - 11 * index, line)
    name = customer.business_name or f"{customer.first_name} {customer.last_name}"
    rows = [
        ("Account number", statement.account_number),
        ("Member", name),
        ("Due date", day_text(bill.due_date)),
        ("Amount due", money_text(bill.balance_after_billing)),
        ("Amount enclosed", "$ ______________"),
    ]
    right = PAGE_WIDTH - MARGIN
    for index, (label, value) in enumerate(rows):
        at = top - 12 * index
        canvas.setFont("Helvetica", 9)
        canvas.drawString(right - 240, at, label)
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawRightString(right, at, value)
