"""The generic MultiSpeak SOAP server, over real HTTP, with the CB_Server WSDL and toy handlers."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from lxml import etree

from adapters.cis.soap import CB_SERVER_WSDL
from simulators.server import serve_asgi
from simulators.soap import (
    CALLS_PATH,
    MultiSpeakCredentials,
    SoapFault,
    WsdlLoadError,
    create_multispeak_app,
)

MSP = "http://www.multispeak.org/Version_3.0"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
PATH = "/msp/CB_Server.asmx"
CREDENTIALS = MultiSpeakCredentials(user_id="toy-user-17", password="toy-Pass-9931")
GOOD_HEADER = {"UserID": "toy-user-17", "Pwd": "toy-Pass-9931", "AppName": "tests"}
NS = {"m": MSP, "soap": SOAP_ENV}
WSDL_NS = {"wsdl": "http://schemas.xmlsoap.org/wsdl/"}


async def get_customer(request: Any) -> Any:
    if request.custId == "refuse":
        raise SoapFault("Customer refuse is locked", code="soap:Server")
    if request.custId == "crash":
        raise RuntimeError("database exploded at /var/lib/secret/path")
    if request.custId == "misshapen":
        return {"noSuchElement": 1}
    if request.custId == "missing":
        return None
    return {"objectID": request.custId, "lastName": "Baca", "firstName": "Maria"}


async def get_methods(request: Any) -> Any:
    return {"string": ["GetMethods", "GetCustomerByCustId"]}


@pytest_asyncio.fixture(scope="module")
async def service_url() -> AsyncIterator[str]:
    app = create_multispeak_app(
        wsdl_path=CB_SERVER_WSDL,
        service_path=PATH,
        handlers={"GetCustomerByCustId": get_customer, "GetMethods": get_methods},
        credentials=CREDENTIALS,
    )
    async with serve_asgi(app) as base_url:
        yield base_url + PATH


@pytest_asyncio.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=10.0) as client:
        yield client


def envelope(
    operation: str,
    fields: dict[str, str] | None = None,
    *,
    header: dict[str, str] | None = GOOD_HEADER,
    namespace: str = SOAP_ENV,
) -> bytes:
    root = etree.Element(f"{{{namespace}}}Envelope", nsmap={"soap": namespace, "m": MSP})
    if header is not None:
        soap_header = etree.SubElement(root, f"{{{namespace}}}Header")
        etree.SubElement(soap_header, f"{{{MSP}}}MultiSpeakMsgHeader", attrib=header)
    request = etree.SubElement(
        etree.SubElement(root, f"{{{namespace}}}Body"), f"{{{MSP}}}{operation}"
    )
    for name, value in (fields or {}).items():
        etree.SubElement(request, f"{{{MSP}}}{name}").text = value
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")


async def post(
    http: httpx.AsyncClient, url: str, payload: bytes, *, action: str | None = None
) -> httpx.Response:
    headers = {"Content-Type": "text/xml; charset=utf-8"}
    if action is not None:
        headers["SOAPAction"] = f'"{action}"'
    return await http.post(url, content=payload, headers=headers)


def fault_of(response: httpx.Response) -> tuple[str, str]:
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("text/xml")
    fault = etree.fromstring(response.content).find("soap:Body/soap:Fault", NS)
    assert fault is not None
    return fault.findtext("faultcode") or "", fault.findtext("faultstring") or ""


async def test_wsdl_is_served_with_the_address_it_is_served_at(
    http: httpx.AsyncClient, service_url: str
) -> None:
    response = await http.get(service_url, params={"wsdl": ""})

    assert response.status_code == 200
    wsdl = etree.fromstring(response.content)
    locations = wsdl.xpath(
        "//wsdl:service/wsdl:port/*/@location",
        namespaces={"wsdl": "http://schemas.xmlsoap.org/wsdl/"},
    )
    assert locations == [service_url, service_url]  # the SOAP 1.1 and 1.2 ports
    assert b"localhost:55273" not in response.content
    assert len(wsdl.findall("wsdl:portType/wsdl:operation", WSDL_NS)) > 100


async def test_a_get_without_wsdl_query_is_refused(
    http: httpx.AsyncClient, service_url: str
) -> None:
    response = await http.get(service_url)

    assert response.status_code == 400
    assert "?wsdl" in response.text


async def test_an_operation_answers_with_its_result_and_echoes_the_header_without_credentials(
    http: httpx.AsyncClient, service_url: str
) -> None:
    response = await post(
        http,
        service_url,
        envelope("GetCustomerByCustId", {"custId": "C7"}),
        action=f"{MSP}/GetCustomerByCustId",
    )

    assert response.status_code == 200
    reply = etree.fromstring(response.content)
    result = reply.find("soap:Body/m:GetCustomerByCustIdResponse/m:GetCustomerByCustIdResult", NS)
    assert result is not None
    assert result.get("objectID") == "C7"
    assert result.findtext("m:lastName", namespaces=NS) == "Baca"
    echoed = reply.find("soap:Header/m:MultiSpeakMsgHeader", NS)
    assert echoed is not None
    assert echoed.get("AppName") == "tests"
    assert echoed.get("UserID") is None
    assert echoed.get("Pwd") is None
    assert b"toy-Pass-9931" not in response.content
    assert b"toy-user-17" not in response.content


async def test_no_result_gives_an_empty_response_element(
    http: httpx.AsyncClient, service_url: str
) -> None:
    response = await post(http, service_url, envelope("GetCustomerByCustId", {"custId": "missing"}))

    assert response.status_code == 200
    body = etree.fromstring(response.content).find("soap:Body/m:GetCustomerByCustIdResponse", NS)
    assert body is not None
    assert len(body) == 0


async def test_an_operation_without_parameters_is_served(
    http: httpx.AsyncClient, service_url: str
) -> None:
    response = await post(http, service_url, envelope("GetMethods"))

    assert response.status_code == 200
    names = etree.fromstring(response.content).xpath(
        "//m:GetMethodsResult/m:string/text()", namespaces=NS
    )
    assert names == ["GetMethods", "GetCustomerByCustId"]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "MultiSpeakMsgHeader SOAP header is required"),
        ({"UserID": "toy-user-17", "Pwd": "guess-Pass-0000"}, "Authentication failed"),
        ({"UserID": "someone-else", "Pwd": "toy-Pass-9931"}, "Authentication failed"),
        ({"AppName": "tests"}, "Authentication failed"),
    ],
)
async def test_missing_or_wrong_credentials_are_a_fault_that_echoes_nothing(
    http: httpx.AsyncClient,
    service_url: str,
    header: dict[str, str] | None,
    expected: str,
) -> None:
    response = await post(
        http, service_url, envelope("GetCustomerByCustId", {"custId": "C7"}, header=header)
    )

    code, message = fault_of(response)
    assert code == "soap:Client"
    assert expected in message
    for secret in ("toy-user-17", "toy-Pass-9931", "guess-Pass-0000", "someone-else"):
        assert secret.encode() not in response.content


async def test_an_operation_the_wsdl_does_not_define_is_a_fault(
    http: httpx.AsyncClient, service_url: str
) -> None:
    code, message = fault_of(await post(http, service_url, envelope("GetTheMoon")))

    assert code == "soap:Client"
    assert message == "Unknown operation 'GetTheMoon'"


async def test_an_operation_without_a_handler_is_a_fault(
    http: httpx.AsyncClient, service_url: str
) -> None:
    payload = envelope(
        "GetBillingDetail", {"accountNumber": "1", "cisBillDate": "2026-11-05T00:00:00"}
    )

    code, message = fault_of(await post(http, service_url, payload))

    assert code == "soap:Client"
    assert message == "Operation GetBillingDetail is not supported by this server"


async def test_a_soap_action_that_contradicts_the_body_is_a_fault(
    http: httpx.AsyncClient, service_url: str
) -> None:
    payload = envelope("GetCustomerByCustId", {"custId": "C7"})

    code, message = fault_of(await post(http, service_url, payload, action=f"{MSP}/GetMethods"))

    assert code == "soap:Client"
    assert "SOAPAction" in message


async def test_malformed_xml_is_a_fault(http: httpx.AsyncClient, service_url: str) -> None:
    code, message = fault_of(await post(http, service_url, b"<soap:Envelope><unclosed>"))

    assert code == "soap:Client"
    assert message.startswith("The request is not well-formed XML")


async def test_a_document_type_declaration_is_refused(
    http: httpx.AsyncClient, service_url: str
) -> None:
    payload = b'<!DOCTYPE x [<!ENTITY e "boom">]>' + envelope("GetMethods").split(b"?>", 1)[1]

    code, message = fault_of(await post(http, service_url, payload))

    assert code == "soap:Client"
    assert "document type declaration" in message


async def test_a_soap_12_envelope_is_a_version_mismatch(
    http: httpx.AsyncClient, service_url: str
) -> None:
    payload = envelope("GetMethods", namespace=SOAP12_ENV)

    code, _ = fault_of(await post(http, service_url, payload))

    assert code == "soap:VersionMismatch"


@pytest.mark.parametrize(
    ("operation", "fields", "expected"),
    [
        ("GetCustomerByCustId", {"custNo": "C7"}, "custNo"),
        ("GetMethods", {"unexpected": "x"}, "content is not allowed"),
    ],
)
async def test_a_request_that_breaks_the_schema_is_a_fault(
    http: httpx.AsyncClient,
    service_url: str,
    operation: str,
    fields: dict[str, str],
    expected: str,
) -> None:
    code, message = fault_of(await post(http, service_url, envelope(operation, fields)))

    assert code == "soap:Client"
    assert message.startswith("The request does not match the schema")
    assert expected in message


async def test_a_fault_raised_by_a_handler_keeps_its_code_and_message(
    http: httpx.AsyncClient, service_url: str
) -> None:
    payload = envelope("GetCustomerByCustId", {"custId": "refuse"})

    assert fault_of(await post(http, service_url, payload)) == (
        "soap:Server",
        "Customer refuse is locked",
    )


@pytest.mark.parametrize("customer", ["crash", "misshapen"])
async def test_a_handler_failure_is_logged_and_answered_with_a_generic_server_fault(
    http: httpx.AsyncClient,
    service_url: str,
    caplog: pytest.LogCaptureFixture,
    customer: str,
) -> None:
    caplog.set_level(logging.ERROR, logger="simulators.soap")
    payload = envelope("GetCustomerByCustId", {"custId": customer})

    response = await post(http, service_url, payload)

    assert fault_of(response) == ("soap:Server", "Internal server error")
    assert b"/var/lib/secret" not in response.content
    assert any("GetCustomerByCustId" in record.getMessage() for record in caplog.records)


def test_handlers_for_operations_the_wsdl_lacks_are_refused() -> None:
    with pytest.raises(ValueError, match="GetTheMoon"):
        create_multispeak_app(
            wsdl_path=CB_SERVER_WSDL,
            service_path=PATH,
            handlers={"GetTheMoon": get_methods},
            credentials=CREDENTIALS,
        )


def test_a_wsdl_that_needs_the_network_is_refused(tmp_path: Path) -> None:
    wsdl = tmp_path / "remote.wsdl"
    wsdl.write_text(
        '<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"'
        ' targetNamespace="urn:x">'
        '<wsdl:import namespace="urn:y" location="http://example.invalid/y.wsdl"/>'
        "</wsdl:definitions>"
    )

    with pytest.raises(WsdlLoadError, match="local files only"):
        create_multispeak_app(
            wsdl_path=wsdl, service_path=PATH, handlers={}, credentials=CREDENTIALS
        )


def test_credentials_do_not_show_their_password() -> None:
    assert "toy-Pass-9931" not in repr(CREDENTIALS)


async def test_calls_are_counted_per_operation_once_the_caller_is_authenticated(
    http: httpx.AsyncClient,
) -> None:
    app = create_multispeak_app(
        wsdl_path=CB_SERVER_WSDL,
        service_path=PATH,
        handlers={"GetCustomerByCustId": get_customer, "GetMethods": get_methods},
        credentials=CREDENTIALS,
    )
    async with serve_asgi(app) as base_url:
        url = base_url + PATH
        for customer_id in ("C1", "C2", "refuse"):
            await post(http, url, envelope("GetCustomerByCustId", {"custId": customer_id}))
        await post(http, url, envelope("GetMethods"))
        await post(http, url, envelope("GetMethods", header={"UserID": "intruder", "Pwd": "x"}))

        counted = await http.get(url + CALLS_PATH)

    assert counted.status_code == 200
    assert counted.json() == {"GetCustomerByCustId": 3, "GetMethods": 1}
