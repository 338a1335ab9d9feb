"""Green Button (NAESB REQ.21 ESPI) as Atom entries: the pieces of a feed, built with lxml.

A feed lists, for each usage point (a meter): the UsagePoint, the co-op's
LocalTimeParameters, a MeterReading, its ReadingType (what the numbers are: energy
delivered, in Wh times a power of ten, over intervals of so many seconds) and its
IntervalBlocks of readings. Entries link to each other by `href` the way the Green
Button Alliance's sample feeds do (`.../UsagePoint/{id}/MeterReading/01/IntervalBlock`),
which is how `gateway.documents.espi_reader` finds which readings a ReadingType
describes. The feed is written one entry at a time (`gateway.documents.green_button`),
so a year of hours is never one tree in memory.

Values are integers (ESPI's `value` is a long): energy is written in watt-hours with a
power of ten multiplier of 0, which keeps the meter store's thousandths of a kWh exact.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final, cast
from zoneinfo import ZoneInfo

from lxml import etree

ATOM: Final = "http://www.w3.org/2005/Atom"
ESPI: Final = "http://naesb.org/espi"
RESOURCE: Final = "/espi/1_1/resource"
# Each namespace as the default one; lxml-stubs type nsmap keys as str, but the
# default namespace's key is None.
ATOM_DEFAULT: Final = cast("dict[str, str]", {None: ATOM})
ESPI_DEFAULT: Final = cast("dict[str, str]", {None: ESPI})
# uuid5 namespace of this gateway's ESPI ids: the same data always gets the same ids.
ID_NAMESPACE: Final = uuid.UUID("3b0d7a1e-5c7e-4f0b-9a53-2f7c1d9e6a41")

# ESPI code lists (REQ.21 ESPI, ReadingType and ServiceCategory).
SERVICE_KIND_ELECTRICITY: Final = 0
ACCUMULATION_DELTA: Final = 4  # each reading is what was used during its interval
COMMODITY_ELECTRICITY_SECONDARY_METERED: Final = 1
CURRENCY_USD: Final = 840
DATA_QUALIFIER_NORMAL: Final = 12
FLOW_FORWARD: Final = 1  # delivered to the member
KIND_ENERGY: Final = 12
PHASE_S12N: Final = 769
UOM_WH: Final = 72
WH_POWER_OF_TEN: Final = 0
QUALITY_VALID: Final = 0
QUALITY_ESTIMATED: Final = 8  # "estimated using reference day"
# North American daylight saving rules (second Sunday of March, first Sunday of
# November, at 2:00 local), encoded as ESPI's DstRuleType: the GBA's samples use these.
US_DST_START_RULE: Final = "360E2000"
US_DST_END_RULE: Final = "B40E2000"


@dataclass(frozen=True, slots=True)
class Reading:
    start_s: int  # epoch seconds, as the feed writes it
    seconds: int
    wh: int
    estimated: bool


def espi_id(*parts: str) -> str:
    return f"urn:uuid:{uuid.uuid5(ID_NAMESPACE, '/'.join(parts))}"


def epoch_seconds(instant: datetime) -> int:
    return int(instant.timestamp())


def atom_time(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def usage_point_href(customer: str, usage_point: str) -> str:
    return f"{RESOURCE}/RetailCustomer/{customer}/UsagePoint/{usage_point}"


def meter_reading_href(customer: str, usage_point: str) -> str:
    return f"{usage_point_href(customer, usage_point)}/MeterReading/01"


def reading_type_href(interval_seconds: int) -> str:
    return f"{RESOURCE}/ReadingType/{interval_seconds}"


LOCAL_TIME_HREF: Final = f"{RESOURCE}/LocalTimeParameters/01"


# An IntervalReading as text: the readings of a block are written as one string and
# parsed once, which costs libxml2 a sixth of what five SubElement calls a reading cost
# Python. Every value in it is an int, so nothing needs escaping.
_ESTIMATED_QUALITY: Final = (
    f"<ReadingQuality><quality>{QUALITY_ESTIMATED}</quality></ReadingQuality>"
)
# The block's own text comes from this module only: no entities, no network.
_TRUSTED_TEXT: Final = etree.XMLParser(resolve_entities=False, no_network=True)


def _a(tag: str) -> str:
    return f"{{{ATOM}}}{tag}"


def _e(tag: str) -> str:
    return f"{{{ESPI}}}{tag}"


def _child(parent: etree._Element, tag: str, text: object) -> etree._Element:
    element = etree.SubElement(parent, _e(tag))
    element.text = str(text)
    return element


def _link(parent: etree._Element, rel: str, href: str) -> None:
    etree.SubElement(parent, _a("link"), rel=rel, href=href)


def feed_header(*, feed_id: str, title: str, updated: datetime, href: str) -> list[etree._Element]:
    """The feed's own id, title, updated time and self link, in the schema's order."""
    elements = []
    for tag, text in (("id", feed_id), ("title", title), ("updated", atom_time(updated))):
        element = etree.Element(_a(tag), nsmap=ATOM_DEFAULT)
        element.text = text
        elements.append(element)
    elements.append(etree.Element(_a("link"), nsmap=ATOM_DEFAULT, rel="self", href=href))
    return elements


def entry(
    *,
    entry_id: str,
    title: str,
    self_href: str,
    up_href: str,
    related: Sequence[str],
    content: etree._Element,
    updated: datetime,
) -> etree._Element:
    element = etree.Element(_a("entry"), nsmap=ATOM_DEFAULT)
    etree.SubElement(element, _a("id")).text = entry_id
    _link(element, "self", self_href)
    _link(element, "up", up_href)
    for href in related:
        _link(element, "related", href)
    etree.SubElement(element, _a("title")).text = title
    etree.SubElement(element, _a("content")).append(content)
    etree.SubElement(element, _a("published")).text = atom_time(updated)
    etree.SubElement(element, _a("updated")).text = atom_time(updated)
    return element


def usage_point(
    *, customer: str, usage_point_id: str, title: str, updated: datetime
) -> etree._Element:
    content = etree.Element(_e("UsagePoint"), nsmap=ESPI_DEFAULT)
    category = etree.SubElement(content, _e("ServiceCategory"))
    _child(category, "kind", SERVICE_KIND_ELECTRICITY)
    href = usage_point_href(customer, usage_point_id)
    return entry(
        entry_id=espi_id(href),
        title=title,
        self_href=href,
        up_href=href.rsplit("/", 1)[0],
        related=[href + "/MeterReading", LOCAL_TIME_HREF],
        content=content,
        updated=updated,
    )


def local_time_parameters(zone: ZoneInfo, *, year: int, updated: datetime) -> etree._Element:
    """The zone's standard offset and daylight saving shift in `year`, in seconds."""
    # An aware datetime always has an offset; `or` only satisfies the type.
    winter = datetime(year, 1, 15, 12, tzinfo=zone).utcoffset() or timedelta(0)
    summer = datetime(year, 7, 15, 12, tzinfo=zone).utcoffset() or timedelta(0)
    standard = min(winter, summer)
    content = etree.Element(_e("LocalTimeParameters"), nsmap=ESPI_DEFAULT)
    _child(content, "dstEndRule", US_DST_END_RULE)
    _child(content, "dstOffset", int((max(winter, summer) - standard).total_seconds()))
    _child(content, "dstStartRule", US_DST_START_RULE)
    _child(content, "tzOffset", int(standard.total_seconds()))
    return entry(
        entry_id=espi_id(LOCAL_TIME_HREF, zone.key),
        title=f"Local time: {zone.key}",
        self_href=LOCAL_TIME_HREF,
        up_href=LOCAL_TIME_HREF.rsplit("/", 1)[0],
        related=[],
        content=content,
        updated=updated,
    )


def meter_reading(
    *, customer: str, usage_point_id: str, interval_seconds: int, title: str, updated: datetime
) -> etree._Element:
    href = meter_reading_href(customer, usage_point_id)
    return entry(
        entry_id=espi_id(href, str(interval_seconds)),
        title=title,
        self_href=href,
        up_href=href.rsplit("/", 1)[0],
        related=[href + "/IntervalBlock", reading_type_href(interval_seconds)],
        content=etree.Element(_e("MeterReading"), nsmap=ESPI_DEFAULT),
        updated=updated,
    )


def reading_type(*, interval_seconds: int, updated: datetime) -> etree._Element:
    content = etree.Element(_e("ReadingType"), nsmap=ESPI_DEFAULT)
    for tag, value in (
        ("accumulationBehaviour", ACCUMULATION_DELTA),
        ("commodity", COMMODITY_ELECTRICITY_SECONDARY_METERED),
        ("currency", CURRENCY_USD),
        ("dataQualifier", DATA_QUALIFIER_NORMAL),
        ("flowDirection", FLOW_FORWARD),
        ("intervalLength", interval_seconds),
        ("kind", KIND_ENERGY),
        ("phase", PHASE_S12N),
        ("powerOfTenMultiplier", WH_POWER_OF_TEN),
        ("timeAttribute", 0),
        ("uom", UOM_WH),
    ):
        _child(content, tag, value)
    href = reading_type_href(interval_seconds)
    return entry(
        entry_id=espi_id(href),
        title="Energy delivered (Wh)",
        self_href=href,
        up_href=href.rsplit("/", 1)[0],
        related=[],
        content=content,
        updated=updated,
    )


def interval_block(
    *,
    customer: str,
    usage_point_id: str,
    number: int,
    start: datetime,
    seconds: int,
    readings: Sequence[Reading],
    updated: datetime,
) -> etree._Element:
    """The block covering [start, start + seconds), with its readings in time order."""
    readings_text = "".join(
        f"<IntervalReading>{_ESTIMATED_QUALITY if reading.estimated else ''}"
        f"<timePeriod><duration>{reading.seconds}</duration><start>{reading.start_s}</start>"
        f"</timePeriod><value>{reading.wh}</value></IntervalReading>"
        for reading in readings
    )
    content = etree.fromstring(
        f'<IntervalBlock xmlns="{ESPI}"><interval><duration>{seconds}</duration>'
        f"<start>{epoch_seconds(start)}</start></interval>{readings_text}</IntervalBlock>",
        _TRUSTED_TEXT,
    )
    collection = meter_reading_href(customer, usage_point_id) + "/IntervalBlock"
    href = f"{collection}/{number}"
    return entry(
        entry_id=espi_id(href, str(epoch_seconds(start))),
        title="",
        self_href=href,
        up_href=collection,
        related=[],
        content=content,
        updated=updated,
    )
