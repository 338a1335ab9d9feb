"""Green Button "Download My Data": an account's meters' reads as an ESPI feed or CSV,
produced a month at a time.

Reads come through the loaders (and so the shared cache), one month of one meter per
load, and each month is dropped from the request's loader once written: a year of
hours for three meters is never in memory at once, neither as reads nor as a
document. The XML is written with lxml's incremental writer; the caller sends each
chunk as it comes.

An hourly feed has one IntervalBlock per local day (23 or 25 hours on the days the
clocks change), a daily one an IntervalBlock per month; every reading says its own
start and length, so daylight saving needs no special case in the data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from lxml import etree

from adapters.meters.port import MeterDataNotFound, epoch_microseconds
from gateway.core.loaders import DailyReadRange, DataLoaders, HourlyReadRange
from gateway.documents import espi
from gateway.documents.links import GreenButtonRange, ReadingInterval
from gateway.usage.series import Interval, check_range, local_midnight, utc_bounds

HOUR_SECONDS: Final = 3600
DAY_SECONDS: Final = 86400
# Chunks are sent to the client once this many bytes are waiting (and at the end).
FLUSH_BYTES: Final = 64 * 1024
CSV_COLUMNS: Final = (
    "TYPE",
    "METER",
    "DATE",
    "START TIME",
    "END TIME",
    "USAGE (kWh)",
    "NOTES",
)
CSV_TYPE: Final = "Electric usage"


@dataclass(frozen=True, slots=True)
class Block:
    start: datetime  # aware, local midnight (its readings' starts may be in UTC)
    seconds: int
    readings: tuple[espi.Reading, ...]


def check_download_range(wanted: GreenButtonRange) -> None:
    """`BadUserInput` for a range the usage series would refuse (a year of hours at most)."""
    interval = Interval.HOUR if wanted.interval is ReadingInterval.HOUR else Interval.DAY
    check_range(interval, wanted.start, wanted.end)


def months_of(start: date, end: date) -> list[tuple[date, date]]:
    """[start, end] cut at month ends, both bounds of each piece included."""
    pieces = []
    first = start
    while first <= end:
        following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        last = min(end, following - timedelta(days=1))
        pieces.append((first, last))
        first = following
    return pieces


def interval_seconds(wanted: GreenButtonRange) -> int:
    return HOUR_SECONDS if wanted.interval is ReadingInterval.HOUR else DAY_SECONDS


async def meter_blocks(
    *, loaders: DataLoaders, zone: ZoneInfo, meter_no: str, wanted: GreenButtonRange
) -> AsyncIterator[Block]:
    """The meter's blocks, oldest first; none for a meter the store does not know."""
    for first, last in months_of(wanted.start, wanted.end):
        try:
            if wanted.interval is ReadingInterval.HOUR:
                for block in await _hour_blocks(loaders, zone, meter_no, first, last):
                    yield block
            else:
                yield await _day_block(loaders, zone, meter_no, first, last)
        except MeterDataNotFound:
            return


async def _hour_blocks(
    loaders: DataLoaders, zone: ZoneInfo, meter_no: str, first: date, last: date
) -> list[Block]:
    begin, finish = utc_bounds(first, last, zone)
    key = HourlyReadRange(meter_no, begin, finish)
    reads = await loaders.hourly_reads.load(key)
    loaders.hourly_reads.clear(key)  # written once: the request need not keep it
    # Reads are in time order: cut them at each local midnight (in UTC) rather than
    # converting every read to local time.
    blocks = []
    index = 0
    day = first
    starts_at_us, kwh, estimated = reads.starts_at_us, reads.kwh, reads.estimated
    while day <= last:
        start, end = utc_bounds(day, day, zone)
        start_us, end_us = epoch_microseconds(start), epoch_microseconds(end)
        readings = []
        while index < len(starts_at_us) and starts_at_us[index] < end_us:
            if starts_at_us[index] >= start_us:
                readings.append(
                    espi.Reading(
                        starts_at_us[index] // 1_000_000,
                        HOUR_SECONDS,
                        round(kwh[index] * 1000),
                        estimated[index],
                    )
                )
            index += 1
        if readings:
            blocks.append(
                Block(start.astimezone(zone), int((end - start).total_seconds()), tuple(readings))
            )
        day += timedelta(days=1)
    return blocks


async def _day_block(
    loaders: DataLoaders, zone: ZoneInfo, meter_no: str, first: date, last: date
) -> Block:
    key = DailyReadRange(meter_no, first, last + timedelta(days=1))
    reads = await loaders.daily_reads.load(key)
    loaders.daily_reads.clear(key)
    readings = tuple(
        espi.Reading(
            espi.epoch_seconds(local_midnight(day, zone)),
            _day_seconds(day, zone),
            round(kwh * 1000),
            estimated,
        )
        for day, kwh, estimated in zip(reads.days, reads.kwh, reads.estimated, strict=True)
    )
    start, finish = utc_bounds(first, last, zone)
    return Block(start.astimezone(zone), int((finish - start).total_seconds()), readings)


def _day_seconds(day: date, zone: ZoneInfo) -> int:
    start, finish = utc_bounds(day, day, zone)
    return int((finish - start).total_seconds())


class _Chunks:
    """Where lxml's incremental writer writes: bytes waiting to be sent."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> None:
        self._parts.append(data)
        self.size += len(data)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        self.size = 0
        return data


async def green_button_xml(
    *,
    loaders: DataLoaders,
    zone: ZoneInfo,
    coop_name: str,
    account_number: str,
    meter_nos: Sequence[str],
    wanted: GreenButtonRange,
    now: datetime,
) -> AsyncIterator[bytes]:
    """The ESPI Atom feed, in chunks of about `FLUSH_BYTES`."""
    seconds = interval_seconds(wanted)
    label = "Hourly" if wanted.interval is ReadingInterval.HOUR else "Daily"
    sink = _Chunks()
    with etree.xmlfile(sink, encoding="utf-8") as xml:
        xml.write_declaration()
        with xml.element(f"{{{espi.ATOM}}}feed", nsmap=espi.ATOM_DEFAULT):
            for element in espi.feed_header(
                feed_id=espi.espi_id(
                    "feed", account_number, str(wanted.start), str(wanted.end), str(seconds)
                ),
                title=f"{coop_name}: Green Button data for account {account_number}",
                updated=now,
                href=f"{espi.RESOURCE}/RetailCustomer/{account_number}/UsagePoint",
            ):
                xml.write(element)
            xml.write(espi.local_time_parameters(zone, year=wanted.start.year, updated=now))
            xml.write(espi.reading_type(interval_seconds=seconds, updated=now))
            for meter_no in meter_nos:
                xml.write(
                    espi.usage_point(
                        customer=account_number,
                        usage_point_id=meter_no,
                        title=f"Meter {meter_no}",
                        updated=now,
                    )
                )
                xml.write(
                    espi.meter_reading(
                        customer=account_number,
                        usage_point_id=meter_no,
                        interval_seconds=seconds,
                        title=f"{label} electricity use",
                        updated=now,
                    )
                )
                number = 0
                async for block in meter_blocks(
                    loaders=loaders, zone=zone, meter_no=meter_no, wanted=wanted
                ):
                    number += 1
                    xml.write(
                        espi.interval_block(
                            customer=account_number,
                            usage_point_id=meter_no,
                            number=number,
                            start=block.start,
                            seconds=block.seconds,
                            readings=block.readings,
                            updated=now,
                        )
                    )
                    if sink.size >= FLUSH_BYTES:
                        xml.flush()
                        yield sink.take()
    yield sink.take()


async def green_button_csv(
    *,
    loaders: DataLoaders,
    zone: ZoneInfo,
    meter_nos: Sequence[str],
    wanted: GreenButtonRange,
) -> AsyncIterator[bytes]:
    """The same readings as CSV, one row per reading, local times; chunks as for XML."""
    text = io.StringIO()
    rows = csv.writer(text, lineterminator="\r\n")
    rows.writerow(CSV_COLUMNS)
    for meter_no in meter_nos:
        async for block in meter_blocks(
            loaders=loaders, zone=zone, meter_no=meter_no, wanted=wanted
        ):
            for reading in block.readings:
                start = datetime.fromtimestamp(reading.start_s, zone)
                end = datetime.fromtimestamp(reading.start_s + reading.seconds, zone)
                # Formatted by hand: strftime was most of a download's time.
                rows.writerow(
                    (
                        CSV_TYPE,
                        meter_no,
                        start.date().isoformat(),
                        f"{start.hour:02}:{start.minute:02}",
                        f"{end.hour:02}:{end.minute:02}",
                        f"{reading.wh / 1000:.3f}",
                        "Estimated" if reading.estimated else "",
                    )
                )
            if text.tell() >= FLUSH_BYTES:
                yield text.getvalue().encode()
                text.seek(0)
                text.truncate()
    yield text.getvalue().encode()
