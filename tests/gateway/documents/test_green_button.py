"""Green Button downloads over HTTP from links GraphQL gives: the ESPI feed validates
against the NAESB schema, reads back through the project's parser into the meter
store's reads, and the CSV holds the same readings. The GBA's own sample feed reads
through the same parser into the points written in it."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import xmlschema
from lxml import etree

from gateway.documents.espi import ESPI
from gateway.documents.espi_reader import read_feed
from gateway.documents.green_button import CSV_COLUMNS
from simulators.world import World
from tests.gateway.conftest import Members
from tests.gateway.documents.conftest import ESPI_XSD, SAMPLE_FEED, DocumentsGateway

ZONE = ZoneInfo("America/Denver")
LINK = """query ($n: String!, $from: Date!, $to: Date!, $i: GreenButtonInterval!,
  $f: GreenButtonFormat!) { account(number: $n) { ... on Account {
  greenButtonUrl(from: $from, to: $to, interval: $i, format: $f) } } }"""
USAGE = """query ($n: String!, $from: Date!, $to: Date!) { account(number: $n) {
  ... on Account { usage(from: $from, to: $to, interval: HOUR) { startsAt kwh } } } }"""


@pytest.fixture(scope="module")
def espi_schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(ESPI_XSD))


def two_meter_account(world: World, members: Members) -> str:
    return next(
        number
        for number in members.demo.account_numbers
        if sum(len(loc.meter_nos) for loc in world.locations if loc.account_number == number) > 1
    )


async def link(
    gateway: DocumentsGateway, number: str, start: str, end: str, interval: str, fmt: str
) -> str:
    data = await gateway.ok(
        LINK, gateway.member_token, n=number, i=interval, f=fmt, **{"from": start, "to": end}
    )
    url: str = data["account"]["greenButtonUrl"]
    return url


async def test_a_month_of_hours_validates_and_reads_back_as_the_meter_stores_reads(
    documents: DocumentsGateway,
    world: World,
    members: Members,
    espi_schema: xmlschema.XMLSchema,
) -> None:
    number = two_meter_account(world, members)
    url = await link(documents, number, "2026-10-01", "2026-11-05", "HOUR", "XML")

    response = await documents.http.client.get(url)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/atom+xml")
    assert "attachment" in response.headers["content-disposition"]
    espi_schema.validate(io.BytesIO(response.content))
    feed = read_feed(io.BytesIO(response.content))
    meters = sorted(
        m for loc in world.locations if loc.account_number == number for m in loc.meter_nos
    )
    assert sorted(feed.usage_points.values()) == [f"Meter {m}" for m in meters]
    # Summed over meters per hour, the feed is the account's hourly usage from GraphQL.
    per_hour: dict[datetime, float] = defaultdict(float)
    for point in feed.points:
        assert point.seconds == 3600
        per_hour[point.start] += point.kwh
    usage = await documents.ok(
        USAGE, documents.member_token, n=number, **{"from": "2026-10-01", "to": "2026-11-05"}
    )
    series = usage["account"]["usage"]
    expected = {
        datetime.fromisoformat(at).astimezone(UTC): kwh
        for at, kwh in zip(series["startsAt"], series["kwh"], strict=True)
    }
    assert len(expected) > 24 * 30
    assert sorted(per_hour) == sorted(expected)
    assert all(per_hour[at] == pytest.approx(expected[at], abs=0.002) for at in expected)
    # The clocks fell back on 2026-11-01: that day's block is 25 hours long.
    tree = etree.fromstring(response.content)
    durations = {
        int(block.findtext(f"{{{ESPI}}}interval/{{{ESPI}}}duration") or 0)
        for block in tree.iter(f"{{{ESPI}}}IntervalBlock")
    }
    assert durations == {86400, 90000}
    tzoffset = tree.findtext(f".//{{{ESPI}}}LocalTimeParameters/{{{ESPI}}}tzOffset")
    assert tzoffset == "-25200"


async def test_hourly_csv_gives_local_clock_times_across_the_night_the_clocks_fall_back(
    documents: DocumentsGateway, world: World, members: Members
) -> None:
    number = two_meter_account(world, members)
    url = await link(documents, number, "2026-10-31", "2026-11-01", "HOUR", "CSV")

    response = await documents.http.client.get(url)

    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    meter = rows[0]["METER"]
    fall_back = [row for row in rows if row["METER"] == meter and row["DATE"] == "2026-11-01"]
    # 25 local hours: 1:00 comes twice, and each hour ends where the next starts.
    starts = [row["START TIME"] for row in fall_back]
    assert starts == ["00:00", "01:00", "01:00", *(f"{hour:02}:00" for hour in range(2, 24))]
    assert [row["END TIME"] for row in fall_back] == [*starts[1:], "00:00"]
    day_before = [row for row in rows if row["METER"] == meter and row["DATE"] == "2026-10-31"]
    assert [row["START TIME"] for row in day_before] == [f"{h:02}:00" for h in range(24)]


async def test_daily_data_and_its_csv_hold_the_same_readings(
    documents: DocumentsGateway, world: World, members: Members, espi_schema: xmlschema.XMLSchema
) -> None:
    number = two_meter_account(world, members)
    xml_url = await link(documents, number, "2026-06-01", "2026-08-31", "DAY", "XML")
    csv_url = await link(documents, number, "2026-06-01", "2026-08-31", "DAY", "CSV")

    xml = await documents.http.client.get(xml_url)
    text = await documents.http.client.get(csv_url)

    assert xml.status_code == text.status_code == 200
    espi_schema.validate(io.BytesIO(xml.content))
    feed = read_feed(io.BytesIO(xml.content))
    assert text.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(text.text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(feed.points) == 92 * 2
    meters = {row["METER"] for row in rows}
    for meter in meters:
        expected = world.daily_kwh[meter][
            (date(2026, 6, 1) - world.usage_start).days : (
                date(2026, 9, 1) - world.usage_start
            ).days
        ]
        kwh = [float(row["USAGE (kWh)"]) for row in rows if row["METER"] == meter]
        assert kwh == pytest.approx(expected, abs=0.0005)
    days = sorted({row["DATE"] for row in rows})
    assert (days[0], days[-1], len(days)) == ("2026-06-01", "2026-08-31", 92)
    assert sum(float(row["USAGE (kWh)"]) for row in rows) == pytest.approx(
        sum(point.kwh for point in feed.points), abs=0.01
    )


def test_the_gba_sample_reads_back_into_the_points_written_in_it(
    espi_schema: xmlschema.XMLSchema,
) -> None:
    assert espi_schema.is_valid(str(SAMPLE_FEED))
    tree = etree.parse(str(SAMPLE_FEED))
    written = [
        (
            int(reading.findtext(f"{{{ESPI}}}timePeriod/{{{ESPI}}}start") or 0),
            int(reading.findtext(f"{{{ESPI}}}timePeriod/{{{ESPI}}}duration") or 0),
            int(reading.findtext(f"{{{ESPI}}}value") or 0),
        )
        for reading in tree.iter(f"{{{ESPI}}}IntervalReading")
    ]

    feed = read_feed(str(SAMPLE_FEED))

    assert len(written) > 0
    # The sample's ReadingType: Wh (uom 72) at a power of ten of 0, 15-minute readings.
    assert [
        (int(p.start.timestamp()), p.seconds, round(p.kwh * 1000)) for p in feed.points
    ] == written
    assert set(feed.usage_points.values()) == {"Front Electric Meter"}
    assert {p.usage_point for p in feed.points} == set(feed.usage_points)
    first = feed.points[0]
    assert first.start == datetime(2012, 3, 1, 5, tzinfo=UTC)
    assert first.estimated  # its quality is 8, not 0 (valid)


async def test_more_than_a_year_of_hours_is_refused_when_the_link_is_asked_for(
    documents: DocumentsGateway, members: Members
) -> None:
    start = date(2025, 11, 1)
    body = await documents.http.graphql(
        LINK,
        documents.member_token,
        n=members.demo.account_numbers[0],
        i="HOUR",
        f="XML",
        **{"from": start.isoformat(), "to": (start + timedelta(days=366)).isoformat()},
    )
    assert body["data"]["account"]["greenButtonUrl"] is None
    assert [e["extensions"]["code"] for e in body["errors"]] == ["BAD_USER_INPUT"]
