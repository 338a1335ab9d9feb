"""Reading a Green Button (ESPI) feed back into points, one entry at a time.

Entries are matched the way feeds link them: a MeterReading names its IntervalBlock
collection and its ReadingType among its `related` links, and each IntervalBlock
entry's `up` link is that collection. A reading's energy is its `value` times ten to
the ReadingType's `powerOfTenMultiplier`, in the ReadingType's unit (watt-hours for
energy); points are given in kWh. Entries are cleared once read, so a large feed is
never held whole.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Final

from lxml import etree

from gateway.documents.espi import ATOM, ESPI, QUALITY_VALID, UOM_WH

_ENTRY: Final = f"{{{ATOM}}}entry"


class NotAFeed(ValueError):
    """The document is not an ESPI feed this reader understands."""


@dataclass(frozen=True, slots=True)
class IntervalPoint:
    usage_point: str  # the UsagePoint's href
    start: datetime  # aware, UTC
    seconds: int
    kwh: float
    estimated: bool


@dataclass(slots=True)
class ParsedFeed:
    usage_points: dict[str, str] = field(default_factory=dict)  # href -> title
    points: list[IntervalPoint] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Scale:
    power_of_ten: int
    uom: int

    def kwh(self, value: int) -> float:
        watt_hours = value * 10.0**self.power_of_ten
        return watt_hours / 1000 if self.uom == UOM_WH else watt_hours


def _links(entry: etree._Element) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for link in entry.iterfind(f"{{{ATOM}}}link"):
        found.setdefault(link.get("rel", ""), []).append(link.get("href", ""))
    return found


def _int(element: etree._Element, path: str, *, default: int | None = None) -> int:
    text = element.findtext(path, namespaces={"e": ESPI})
    if text is None:
        if default is None:
            raise NotAFeed(f"an entry lacks {path}")
        return default
    try:
        return int(text.strip())
    except ValueError:
        raise NotAFeed(f"{path} is not an integer") from None


def _entries(source: str | IO[bytes]) -> Iterator[etree._Element]:
    try:
        for _, entry in etree.iterparse(source, events=("end",), tag=_ENTRY):
            yield entry
            entry.clear()
    except etree.XMLSyntaxError as error:
        raise NotAFeed(f"not XML: {error}") from None


def read_feed(source: str | IO[bytes]) -> ParsedFeed:
    """Every interval reading of the feed at `source` (a path or a binary file)."""
    parsed = ParsedFeed()
    scales: dict[str, _Scale] = {}  # ReadingType href -> scale
    collections: dict[str, str] = {}  # IntervalBlock collection href -> ReadingType href
    owners: dict[str, str] = {}  # IntervalBlock collection href -> UsagePoint href
    blocks: list[tuple[str, list[tuple[int, int, int, int]]]] = []
    for entry in _entries(source):
        links = _links(entry)
        self_href = (links.get("self") or [""])[0]
        content = entry.find(f"{{{ATOM}}}content")
        if content is None or len(content) == 0:
            continue
        body = content[0]
        if body.tag == f"{{{ESPI}}}UsagePoint":
            parsed.usage_points[self_href] = entry.findtext(f"{{{ATOM}}}title") or ""
        elif body.tag == f"{{{ESPI}}}ReadingType":
            scales[self_href] = _Scale(
                _int(body, "e:powerOfTenMultiplier", default=0), _int(body, "e:uom", default=0)
            )
        elif body.tag == f"{{{ESPI}}}MeterReading":
            related = links.get("related", [])
            types = [href for href in related if "/ReadingType/" in href]
            for href in related:
                if href.endswith("/IntervalBlock"):
                    collections[href] = types[0] if types else ""
                    owners[href] = self_href.split("/MeterReading", 1)[0]
        elif body.tag == f"{{{ESPI}}}IntervalBlock":
            readings = [
                (
                    _int(reading, "e:timePeriod/e:start"),
                    _int(reading, "e:timePeriod/e:duration"),
                    _int(reading, "e:value"),
                    _int(reading, "e:ReadingQuality/e:quality", default=QUALITY_VALID),
                )
                for reading in body.iterfind(f"{{{ESPI}}}IntervalReading")
            ]
            blocks.append(((links.get("up") or [""])[0], readings))
    # Blocks may come before the entries that say what they are: resolve at the end.
    for collection, readings in blocks:
        scale = scales.get(collections.get(collection, ""), _Scale(0, UOM_WH))
        owner = owners.get(collection, collection)
        parsed.points.extend(
            IntervalPoint(
                owner,
                datetime.fromtimestamp(start, UTC),
                seconds,
                scale.kwh(value),
                quality != QUALITY_VALID,
            )
            for start, seconds, value, quality in readings
        )
    return parsed
