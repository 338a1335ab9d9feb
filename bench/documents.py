"""Documents through the running gateway: a year of hourly Green Button data for an
account with three meters, and a bill's PDF drawn on request against one from the cache.

A member of the bench co-op's first three-meter account signs in, asks GraphQL for the
links (`Account.greenButtonUrl`, `Bill.pdfUrl`) and follows them as a browser would;
each download is timed from the GET sent to its last byte read. Around each one the
web process's peak resident set is brought down to what is resident (`clear_refs`), so
its peak afterwards, over its resident set before, is what that download grew it by.

Every Green Button download starts from an empty cache (`FLUSHDB`, and no decoded
answers kept in the process), so its reads come from the meter store: a member asks
for a year once. A bill's PDF is fetched three ways: with everything emptied (the
CIS asked for the bill, then the PDF drawn), with only the cached PDFs dropped (drawn
on request over a warm entity cache), and as cached (the PDF from Redis). The web
process's CPU time per request says what each costs the gateway; drawing in the
worker instead would pay the drawn figure for every bill cut, opened or not.
"""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any, Final

import httpx
import orjson
import redis

from bench.client import GatewayClient
from bench.configs import GatewayConfig
from bench.cpu import cpu_seconds
from bench.machine import load_average
from bench.results import DocumentFetches, DocumentsRun
from bench.rss import peak_rss_mb, reset_peak_rss, rss_mb, worker_pids
from bench.stack import flush_redis, running_gateway
from bench.stats import summarize
from gateway.documents.pdf_cache import KEY_PREFIX as PDF_KEY_PREFIX
from gateway.identity.users import upsert_member

METERS: Final = 3
MEMBER_EMAIL: Final = "bench-documents@example.com"
YEAR_DAYS: Final = 365
DOWNLOAD_TIMEOUT_S: Final = 120.0
GREEN_BUTTON_LINK: Final = """\
query BenchGreenButtonLink($n: String!, $from: Date!, $to: Date!, $f: GreenButtonFormat!) {
  account(number: $n) {
    ... on Account { greenButtonUrl(from: $from, to: $to, interval: HOUR, format: $f) }
  }
}
"""
BILL_PDF_LINK: Final = """\
query BenchBillPdfLink($n: String!) {
  account(number: $n) {
    ... on Account { bills(first: 1) { edges { node { billDate pdfUrl } } } }
  }
}
"""
GREEN_BUTTON_TITLES: Final = {
    "XML": "Green Button XML (ESPI feed)",
    "CSV": "Green Button CSV",
}


@dataclass(frozen=True, slots=True)
class DocumentsPlan:
    downloads: int = 5  # of each Green Button format
    pdf_requests: int = 10  # of each way of getting a PDF

    @classmethod
    def quick(cls) -> DocumentsPlan:
        return cls(downloads=2, pdf_requests=4)


class DocumentsFailed(RuntimeError):
    """The bench co-op has no account to download for, or a download did not succeed."""


@dataclass(frozen=True, slots=True)
class _Fetched:
    elapsed_ms: float
    size: int
    lines: int
    cpu_s: float  # the web process's, from the GET sent to the last byte read
    rss_growth_mb: float


@dataclass(frozen=True, slots=True)
class _Gateway:
    client: GatewayClient
    token: str
    pid: int  # the web process serving the requests (one worker)


def account_with_meters(cis_database: Path, meters: int) -> str | None:
    """The first account, by number, with exactly that many meters in the CIS stand-in."""
    uri = f"{cis_database.resolve().as_uri()}?mode=ro"
    with sqlite3.connect(uri, uri=True) as connection:
        row = connection.execute(
            "SELECT l.account_number FROM meters m"
            " JOIN service_locations l ON l.location_id = m.location_id"
            " GROUP BY l.account_number HAVING COUNT(*) = ?"
            " ORDER BY l.account_number LIMIT 1",
            (meters,),
        ).fetchone()
    return None if row is None else str(row[0])


def documents_section(
    *,
    config: GatewayConfig,
    work_dir: Path,
    data_dir: Path,
    settings: dict[str, str],
    redis_url: str,
    as_of: date,
    cis_latency_ms: float,
    plan: DocumentsPlan,
    command: str,
    say: Callable[[str], None],
) -> DocumentsRun:
    account = account_with_meters(data_dir / "cis.db", METERS)
    if account is None:
        raise DocumentsFailed(f"the bench co-op has no account with {METERS} meters")
    password = secrets.token_urlsafe(18)
    asyncio.run(
        upsert_member(
            settings["COOP_DATABASE_URL"],
            email=MEMBER_EMAIL,
            password=password,
            account_numbers=[account],
        )
    )
    last_day = as_of - timedelta(days=1)
    first_day = last_day - timedelta(days=YEAR_DAYS - 1)
    date_started = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_start = load_average()
    say(f"[documents] starting the gateway ({config.title}) for account {account}")
    # No decoded answers kept in the process: emptying Redis empties every cache.
    with _signed_in(config, work_dir, settings, redis_url, password) as gateway:
        green_button = []
        for download in GREEN_BUTTON_TITLES:
            variables = {
                "n": account,
                "from": first_day.isoformat(),
                "to": last_day.isoformat(),
                "f": download,
            }
            fetched = [
                _fetch(
                    gateway,
                    _link(gateway, GREEN_BUTTON_LINK, variables, "greenButtonUrl"),
                    before=partial(flush_redis, redis_url),
                )
                for _ in range(plan.downloads)
            ]
            name = f"green-button-{download.lower()}"
            # A CSV has a header line and a line per reading.
            rows = max(f.lines for f in fetched) - 1 if download == "CSV" else None
            green_button.append(_summary(name, GREEN_BUTTON_TITLES[download], fetched, rows=rows))
            say(f"[documents] {download}: {_brief(green_button[-1])}")
        bill_pdf = []
        for name, title, before in (
            ("bill-pdf-cold", "Bill PDF, every cache emptied", partial(flush_redis, redis_url)),
            ("bill-pdf-drawn", "Bill PDF drawn on request", partial(drop_cached_pdfs, redis_url)),
            ("bill-pdf-cached", "Bill PDF from the cache", None),
        ):
            url = _link(gateway, BILL_PDF_LINK, {"n": account}, "pdfUrl")
            if before is None:
                _fetch(gateway, url, before=None)  # the cache filled
            fetched = [_fetch(gateway, url, before=before) for _ in range(plan.pdf_requests)]
            bill_pdf.append(_summary(name, title, fetched, rows=None))
            say(f"[documents] {title}: {_brief(bill_pdf[-1])}")
    return DocumentsRun(
        date=date_started,
        command=command,
        config=config.title,
        account_meters=METERS,
        first_day=first_day.isoformat(),
        last_day=last_day.isoformat(),
        cis_latency_ms=cis_latency_ms,
        load_average_start=load_start,
        load_average_end=load_average(),
        green_button=green_button,
        bill_pdf=bill_pdf,
    )


@contextmanager
def _signed_in(
    config: GatewayConfig,
    work_dir: Path,
    settings: dict[str, str],
    redis_url: str,
    password: str,
) -> Iterator[_Gateway]:
    with running_gateway(
        config, work_dir=work_dir, settings=settings, redis_url=redis_url, cold=True
    ) as gateway:
        client = GatewayClient(gateway.url)
        try:
            token = client.login(MEMBER_EMAIL, password)
            (pid,) = worker_pids(gateway.process.pid)
            yield _Gateway(client=client, token=token, pid=pid)
        finally:
            client.close()


def drop_cached_pdfs(redis_url: str) -> None:
    """Every bill PDF out of the cache, and nothing else."""
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{PDF_KEY_PREFIX}:*"))
        if keys:
            client.unlink(*keys)
    finally:
        client.close()


def _link(gateway: _Gateway, query: str, variables: dict[str, str], field: str) -> str:
    body = orjson.dumps({"query": query, "variables": variables})
    account: dict[str, Any] = gateway.client.post(body, token=gateway.token).data()["account"]
    if field in account:
        url = account[field]
    else:
        (edge,) = account["bills"]["edges"]
        url = edge["node"][field]
    if not isinstance(url, str):
        raise DocumentsFailed(f"GraphQL gave no {field}: {account!r}"[:500])
    return url


def _fetch(gateway: _Gateway, url: str, *, before: Callable[[], None] | None) -> _Fetched:
    if before is not None:
        before()
    resident = rss_mb(gateway.pid)
    reset_peak_rss(gateway.pid)
    size = lines = 0
    cpu_started = cpu_seconds([gateway.pid])
    started = time.perf_counter()
    with httpx.stream("GET", url, timeout=DOWNLOAD_TIMEOUT_S) as response:
        if response.status_code != 200:
            response.read()
            raise DocumentsFailed(f"GET {url}: HTTP {response.status_code}: {response.text[:300]}")
        for chunk in response.iter_bytes():
            size += len(chunk)
            lines += chunk.count(b"\n")
    elapsed_ms = (time.perf_counter() - started) * 1000
    cpu_s = cpu_seconds([gateway.pid]) - cpu_started
    peak = peak_rss_mb(gateway.pid)
    if resident is None or peak is None:
        raise DocumentsFailed("the gateway's web process ended during a download")
    return _Fetched(elapsed_ms, size, lines, cpu_s, max(0.0, peak - resident))


def _summary(
    name: str, title: str, fetched: list[_Fetched], *, rows: int | None
) -> DocumentFetches:
    return DocumentFetches(
        name=name,
        title=title,
        latency=summarize([f.elapsed_ms for f in fetched]),
        response_bytes=max(f.size for f in fetched),
        rows=rows,
        # /proc counts CPU in ticks (10 ms): the sum over the requests, shared out.
        cpu_ms_per_request=sum(f.cpu_s for f in fetched) * 1000 / len(fetched),
        rss_growth_mb=[round(f.rss_growth_mb, 1) for f in fetched],
    )


def _brief(found: DocumentFetches) -> str:
    return (
        f"p50 {found.latency.p50_ms:,.0f} ms, p95 {found.latency.p95_ms:,.0f} ms,"
        f" {found.response_bytes / 1e6:.2f} MB, {found.cpu_ms_per_request:.1f} ms of CPU"
        f" a request, RSS growth at most {max(found.rss_growth_mb):.1f} MB"
    )
