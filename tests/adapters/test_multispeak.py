"""The shared MultiSpeak client: money, the offline WSDL, the header, and error mapping.

The error cases are real HTTP answers from a small loopback server that says
whatever the test asks it to say.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
import pytest_asyncio
from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.cis.soap import CB_SERVER_WSDL
from adapters.errors import AdapterError, BackendFault, BackendUnavailable
from adapters.multispeak import (
    MAX_CALLS_IN_FLIGHT,
    MultiSpeakClient,
    MultiSpeakEndpoint,
    WsdlLoadError,
    call,
    load_wsdl_client,
    money,
)
from simulators.server import serve_asgi

MSP = "http://www.multispeak.org/Version_3.0"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
USER = "switch-user-42"
PASSWORD = "Switch-Pass-777"


class Unavailable(BackendUnavailable):
    pass


class Failed(BackendFault):
    pass


def soap_body(inner: str) -> bytes:
    return (
        f'<soap:Envelope xmlns:soap="{SOAP_ENV}" xmlns:m="{MSP}"><soap:Body>{inner}'
        "</soap:Body></soap:Envelope>"
    ).encode()


@dataclass
class Switchboard:
    """What the loopback server answers next, and what it was sent."""

    status: int = 200
    content: bytes = b""
    media_type: str = "text/xml"
    received: list[bytes] = field(default_factory=list)
    pause_s: float = 0.0  # how long each answer takes
    in_flight: int = 0
    most_in_flight: int = 0

    def answer(self, status: int, content: bytes, media_type: str = "text/xml") -> None:
        self.status, self.content, self.media_type = status, content, media_type


@pytest.fixture(scope="module")
def switchboard() -> Switchboard:
    return Switchboard()


@pytest_asyncio.fixture(scope="module")
async def client(switchboard: Switchboard) -> AsyncIterator[MultiSpeakClient]:
    async def answer(request: Request) -> Response:
        switchboard.received.append(await request.body())
        switchboard.in_flight += 1
        switchboard.most_in_flight = max(switchboard.most_in_flight, switchboard.in_flight)
        try:
            await asyncio.sleep(switchboard.pause_s)
        finally:
            switchboard.in_flight -= 1
        return Response(
            switchboard.content, status_code=switchboard.status, media_type=switchboard.media_type
        )

    app = Starlette(routes=[Route("/soap", answer, methods=["POST"])])
    async with serve_asgi(app) as base_url:
        endpoint = MultiSpeakEndpoint(
            url=base_url + "/soap",
            user_id=USER,
            password=PASSWORD,
            company="Demo Co-op",
            timeout_s=5.0,
        )
        loaded = load_wsdl_client(CB_SERVER_WSDL, endpoint)
        yield loaded
        await loaded.aclose()


async def get_methods(client: MultiSpeakClient) -> object:
    return await call(client, "GetMethods", unavailable=Unavailable, fault=Failed)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (123.45, "123.45"),
        (0.1 + 0.2, "0.30"),
        (-2.14, "-2.14"),
        (5, "5.00"),
        (1234.5, "1234.50"),
        (19.999, "20.00"),
        (0.125, "0.13"),
    ],
)
def test_money_is_decimal_cents(value: float, expected: str) -> None:
    amount = money(value)

    assert amount == Decimal(expected)
    assert str(amount) == expected


def test_no_money_is_none() -> None:
    assert money(None) is None


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_money_that_is_not_a_number_is_refused(value: float) -> None:
    with pytest.raises(ValueError, match="not an amount of money"):
        money(value)


def test_the_endpoint_repr_hides_the_credentials() -> None:
    endpoint = MultiSpeakEndpoint(url="http://cis.example/cb", user_id=USER, password=PASSWORD)

    assert "http://cis.example/cb" in repr(endpoint)
    assert PASSWORD not in repr(endpoint)
    assert USER not in repr(endpoint)


def test_a_wsdl_that_would_need_the_network_is_refused(tmp_path: Path) -> None:
    wsdl = tmp_path / "remote.wsdl"
    wsdl.write_text(
        '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"'
        ' targetNamespace="urn:x">'
        '<wsdl:import namespace="urn:y" location="http://example.invalid/y.wsdl"/>'
        "</wsdl:definitions>"
    )
    endpoint = MultiSpeakEndpoint(url="http://cis.example/cb", user_id=USER, password=PASSWORD)

    with pytest.raises(WsdlLoadError, match="local files only"):
        load_wsdl_client(wsdl, endpoint)


async def test_a_call_carries_the_header_and_returns_plain_data(
    client: MultiSpeakClient, switchboard: Switchboard
) -> None:
    switchboard.answer(
        200,
        soap_body(
            "<m:GetMethodsResponse><m:GetMethodsResult><m:string>GetMethods</m:string>"
            "<m:string>PingURL</m:string></m:GetMethodsResult></m:GetMethodsResponse>"
        ),
    )

    result = await get_methods(client)

    assert result == {"string": ["GetMethods", "PingURL"]}
    sent = etree.fromstring(switchboard.received[-1])
    header = sent.find(f"{{{SOAP_ENV}}}Header/{{{MSP}}}MultiSpeakMsgHeader")
    assert header is not None
    assert header.get("UserID") == USER
    assert header.get("Pwd") == PASSWORD
    assert header.get("AppName") == "coop-gateway"
    assert header.get("Company") == "Demo Co-op"


async def test_a_soap_fault_is_the_callers_fault_with_credentials_scrubbed(
    client: MultiSpeakClient, switchboard: Switchboard
) -> None:
    switchboard.answer(
        500,
        soap_body(
            "<soap:Fault><faultcode>soap:Client</faultcode>"
            f"<faultstring>user {USER} with password {PASSWORD} is locked</faultstring>"
            "</soap:Fault>"
        ),
    )

    with pytest.raises(Failed) as raised:
        await get_methods(client)

    assert str(raised.value) == "GetMethods failed: user *** with password *** is locked"


@pytest.mark.parametrize(
    ("status", "content", "media_type", "expected", "message"),
    [
        (503, b"busy", "text/plain", Unavailable, "HTTP 503"),
        (500, b"", "text/plain", Unavailable, "HTTP 500"),
        (404, b"no such page", "text/plain", Failed, "unexpected HTTP 404"),
        (200, b"<half", "text/xml", Failed, "unreadable answer"),
        (200, soap_body("<m:SomethingElse/>"), "text/xml", Failed, "holds SomethingElse"),
        (200, soap_body(""), "text/xml", Failed, "holds nothing"),
        (502, soap_body("<m:SomethingElse/>"), "text/xml", Unavailable, "HTTP 502"),
    ],
)
async def test_other_answers_map_to_the_callers_error_classes(
    client: MultiSpeakClient,
    switchboard: Switchboard,
    status: int,
    content: bytes,
    media_type: str,
    expected: type[AdapterError],
    message: str,
) -> None:
    switchboard.answer(status, content, media_type)

    with pytest.raises(expected, match=message) as raised:
        await get_methods(client)

    assert PASSWORD not in str(raised.value)


async def test_an_operation_the_wsdl_lacks_is_a_programming_error(
    client: MultiSpeakClient,
) -> None:
    with pytest.raises(ValueError, match="GetTheMoon"):
        await call(client, "GetTheMoon", unavailable=Unavailable, fault=Failed)


async def test_an_argument_the_operation_lacks_is_a_programming_error(
    client: MultiSpeakClient,
) -> None:
    with pytest.raises(TypeError, match="custNumber"):
        await call(
            client,
            "GetCustomerByCustId",
            {"custNumber": "C1"},
            unavailable=Unavailable,
            fault=Failed,
        )


async def test_a_client_has_a_bounded_number_of_calls_under_way_and_the_rest_wait(
    client: MultiSpeakClient, switchboard: Switchboard
) -> None:
    switchboard.answer(
        200,
        soap_body(
            "<m:GetMethodsResponse><m:GetMethodsResult><m:string>GetMethods</m:string>"
            "</m:GetMethodsResult></m:GetMethodsResponse>"
        ),
    )
    # Long enough for more calls than the bound to be sent, were they not held back.
    switchboard.pause_s, switchboard.most_in_flight = 0.3, 0
    calls = MAX_CALLS_IN_FLIGHT + 8
    try:
        answers = await asyncio.gather(*(get_methods(client) for _ in range(calls)))
    finally:
        switchboard.pause_s = 0.0
    assert len(answers) == calls  # every call answered in its turn
    assert 1 < switchboard.most_in_flight <= MAX_CALLS_IN_FLIGHT


def sent_bytes(
    client: MultiSpeakClient, customer: str, header: dict[str, str] | None = None
) -> bytes:
    envelope, _ = client.request("GetCustomerByCustId", {"custId": customer}, header)
    serialized: bytes = etree.tostring(envelope)
    return serialized


async def test_later_calls_of_an_operation_send_what_the_first_sent(
    client: MultiSpeakClient,
) -> None:
    first = sent_bytes(client, "C-1")
    other = sent_bytes(client, "C-2")
    with_session = sent_bytes(client, "C-1", {"SessionID": "S-9"})
    again = sent_bytes(client, "C-1")

    assert again == first
    assert other == first.replace(b"C-1", b"C-2")
    header = etree.fromstring(with_session).find(
        f"{{{SOAP_ENV}}}Header/{{{MSP}}}MultiSpeakMsgHeader"
    )
    assert header is not None
    assert (header.get("SessionID"), header.get("UserID"), header.get("Pwd")) == (
        "S-9",
        USER,
        PASSWORD,
    )
    assert b"S-9" not in again
