"""The download links of an account's documents: their paths, and reading them back.

A link names the account and the document in its path (and a Green Button range in
its query); `gateway.core.signed_links` binds it to the login and makes it expire.
Everything read back from a path is checked again, with the project's one rule for
digits, although a signed link was written by the gateway: a route must never turn a
malformed path into an internal error.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Final

from adapters.rules.numbers import parse_natural
from gateway.core.signed_links import LinkHolder, LinkSigner
from gateway.identity.policy import ACCOUNT_NUMBER

BILL_PDF_ROUTE: Final = "/documents/bills/{account}/{bill_date}.pdf"
GREEN_BUTTON_ROUTE: Final = "/documents/green-button/{account}.{format}"


class DownloadFormat(Enum):
    XML = "xml"
    CSV = "csv"


class ReadingInterval(Enum):
    HOUR = "hour"
    DAY = "day"


class NotADocument(ValueError):
    """A path or query that names no document (answered as "not found")."""


@dataclass(frozen=True, slots=True)
class GreenButtonRange:
    start: date  # local date, included
    end: date  # local date, included
    interval: ReadingInterval


def bill_pdf_path(account_number: str, bill_date: date) -> str:
    return BILL_PDF_ROUTE.format(account=account_number, bill_date=bill_date.isoformat())


def green_button_path(account_number: str, download: DownloadFormat) -> str:
    return GREEN_BUTTON_ROUTE.format(account=account_number, format=download.value)


def bill_pdf_link(
    links: LinkSigner, *, holder: LinkHolder, account_number: str, bill_date: date
) -> str:
    return links.sign(bill_pdf_path(account_number, bill_date), {}, holder=holder)


def green_button_link(
    links: LinkSigner,
    *,
    holder: LinkHolder,
    account_number: str,
    wanted: GreenButtonRange,
    download: DownloadFormat,
) -> str:
    params = {
        "from": wanted.start.isoformat(),
        "to": wanted.end.isoformat(),
        "interval": wanted.interval.value,
    }
    return links.sign(green_button_path(account_number, download), params, holder=holder)


def checked_account(text: str) -> str:
    if not ACCOUNT_NUMBER.fullmatch(text):
        raise NotADocument("not an account number")
    return text


def parse_day(text: str) -> date:
    """A date written YYYY-MM-DD in ASCII digits (as the gateway writes one)."""
    parts = text.split("-")
    if len(parts) != 3 or len(parts[0]) != 4:
        raise NotADocument("not a date")
    values = [parse_natural(part, max_digits=n) for part, n in zip(parts, (4, 2, 2), strict=True)]
    year, month, day = values
    if year is None or month is None or day is None:
        raise NotADocument("not a date")
    try:
        return date(year, month, day)
    except ValueError:
        raise NotADocument("not a date") from None


def parse_format(text: str) -> DownloadFormat:
    try:
        return DownloadFormat(text)
    except ValueError:
        raise NotADocument("not a download format") from None


def parse_range(start: str | None, end: str | None, interval: str | None) -> GreenButtonRange:
    if start is None or end is None or interval is None:
        raise NotADocument("the range is incomplete")
    try:
        kind = ReadingInterval(interval)
    except ValueError:
        raise NotADocument("not an interval") from None
    wanted = GreenButtonRange(parse_day(start), parse_day(end), kind)
    if wanted.end < wanted.start:
        raise NotADocument("the range ends before it starts")
    return wanted
