"""A small MultiSpeak 3.0 SOAP 1.1 server, shared by the legacy-system stand-ins.

It serves one WSDL's SOAP 1.1 binding: `GET {path}?wsdl` returns the WSDL with its
address pointing where it is actually served, `POST {path}` runs an operation. Every
request is checked the way a strict vendor server would: a well-formed SOAP 1.1
envelope, the `MultiSpeakMsgHeader` credentials, and the body against the schema the
WSDL embeds. Responses are built by zeep from the same WSDL and checked against the
schema too, so a stand-in cannot drift from the contract a real adapter is written to.

`GET {path}/calls` tells how many requests each operation has been asked since the
server started (the benchmark counts a backend's load where it lands, not where it
leaves): every authenticated request naming an operation counts, answered or faulted.

Credentials are compared in constant time and never echoed: not in the response
header, not in a Fault, not in a log line.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import hmac
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, cast
from urllib.parse import urlparse
from xml.sax.saxutils import escape

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from zeep.exceptions import Error as ZeepError
from zeep.settings import Settings
from zeep.wsdl import Document
from zeep.wsdl.bindings import Soap11Binding

__all__ = [
    "CALLS_PATH",
    "Answer",
    "Handler",
    "HeaderHandler",
    "MultiSpeakCredentials",
    "SoapFault",
    "WsdlLoadError",
    "create_multispeak_app",
    "schema_of_wsdl",
]

logger = logging.getLogger(__name__)

SOAP_ENV: Final = "http://schemas.xmlsoap.org/soap/envelope/"
XSD_NS: Final = "http://www.w3.org/2001/XMLSchema"
WSDL_NS: Final = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP_NS: Final = "http://schemas.xmlsoap.org/wsdl/soap/"
WSDL_SOAP12_NS: Final = "http://schemas.xmlsoap.org/wsdl/soap12/"
MSG_HEADER: Final = "MultiSpeakMsgHeader"
CREDENTIAL_ATTRIBUTES: Final = frozenset({"UserID", "Pwd"})
MIN_SCRUBBED_LENGTH: Final = 4
XML_CONTENT_TYPE: Final = "text/xml; charset=utf-8"
CALLS_PATH: Final = "/calls"  # under the service path: the calls counted per operation
# Stands in for the served address in the pre-rendered WSDL; cannot occur in a real one.
_ADDRESS_PLACEHOLDER: Final = "urn:x-served-address-placeholder"


class SoapFault(Exception):
    """Raised by a handler: becomes a SOAP 1.1 Fault response (HTTP 500)."""

    def __init__(self, message: str, *, code: str = "soap:Client") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


class WsdlLoadError(Exception):
    """The WSDL could not be loaded from local files alone."""


@dataclass(frozen=True)
class MultiSpeakCredentials:
    user_id: str
    password: str = field(repr=False)


# Gets the zeep-parsed request body (attribute access by element name); returns the
# value of the `{Op}Result` element as zeep accepts it (dicts, lists, None), or an `Answer`.
Handler = Callable[[Any], Awaitable[Any]]


@dataclass(frozen=True)
class Answer:
    """A result with `MultiSpeakMsgHeader` attributes of its own for the reply, set over
    the echoed request header: how MultiSpeak pages (SessionID, ObjectsRemaining, LastSent)."""

    result: Any
    header: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class HeaderHandler:
    """A handler that also reads the request's `MultiSpeakMsgHeader` attributes (without
    the credentials), e.g. the SessionID a paged call continues."""

    handle: Callable[[Any, Mapping[str, Any]], Awaitable[Any]]


class _LocalFilesOnly:
    """A zeep transport for parsing: reads local files and refuses every network fetch."""

    def load(self, url: str) -> bytes:
        parsed = urlparse(url)
        if parsed.scheme not in ("", "file"):
            raise WsdlLoadError(f"refusing to fetch {url!r}: WSDLs are read from local files only")
        return Path(parsed.path if parsed.scheme == "file" else url).read_bytes()


def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def schema_of_wsdl(wsdl: etree._ElementTree) -> etree._Element:
    """The WSDL's embedded `<xsd:schema>` as a standalone document root.

    The schema's QName attribute values (`type="tns:x"`) use prefixes declared on
    `<wsdl:definitions>`, so they are re-declared on the copy.
    """
    schemas = wsdl.getroot().findall(f"{{{WSDL_NS}}}types/{{{XSD_NS}}}schema")
    if len(schemas) != 1:
        raise WsdlLoadError(f"expected one embedded XML schema, found {len(schemas)}")
    original = schemas[0]
    # lxml-stubs type nsmap keys as str, but the default namespace's key is None.
    namespaces = cast("dict[str, str]", original.nsmap)
    standalone = etree.Element(original.tag, nsmap=namespaces)
    for name, value in original.items():
        standalone.set(name, value)
    standalone.extend(copy.deepcopy(child) for child in original)
    return standalone


@dataclass(frozen=True)
class _Operation:
    name: str
    soap_action: str
    request_element: str  # Clark notation, "{ns}GetCustomerByCustId"
    result_name: str | None  # the single child of the response element, if any
    echoes_header: bool
    zeep_operation: Any


class _Service:
    """Everything parsed once from the WSDL: operations, schema, the servable WSDL text."""

    def __init__(self, wsdl_path: Path) -> None:
        # zeep annotates `transport` as a class, but it takes (and uses) an instance.
        transport: Any = _LocalFilesOnly()
        document = Document(str(wsdl_path), transport=transport, settings=Settings())
        tree = etree.parse(str(wsdl_path), _safe_parser())
        self.target_namespace = tree.getroot().get("targetNamespace", "")
        self.operations = _operations_of(_soap11_binding(document))
        self.by_action = {op.soap_action: op for op in self.operations.values() if op.soap_action}
        self.by_element = {op.request_element: op for op in self.operations.values()}
        self.schema = etree.XMLSchema(schema_of_wsdl(tree))
        self.wsdl_template = _servable_wsdl(tree)

    def wsdl_for(self, served_at: str) -> bytes:
        return self.wsdl_template.replace(
            _ADDRESS_PLACEHOLDER.encode(), escape(served_at, {'"': "&quot;"}).encode()
        )


@functools.cache
def _service_for(wsdl_path: Path) -> _Service:
    """Parse each WSDL once per process: it is read-only once parsed, and parsing a
    MultiSpeak WSDL takes most of a second, which every new stand-in app would repeat."""
    return _Service(wsdl_path)


def _soap11_binding(document: Any) -> Any:
    for service in document.services.values():
        for port in service.ports.values():
            if isinstance(port.binding, Soap11Binding):
                return port.binding
    raise WsdlLoadError("the WSDL has no SOAP 1.1 binding")


def _operations_of(binding: Any) -> dict[str, _Operation]:
    operations: dict[str, _Operation] = {}
    for name, operation in binding._operations.items():
        response_children = operation.output.body.type.elements
        header_type = operation.output.header.type
        operations[name] = _Operation(
            name=name,
            soap_action=operation.soapaction or "",
            request_element=operation.input.body.qname.text,
            result_name=response_children[0][0] if len(response_children) == 1 else None,
            echoes_header=any(part == MSG_HEADER for part, _ in header_type.elements),
            zeep_operation=operation,
        )
    return operations


def _servable_wsdl(tree: etree._ElementTree) -> bytes:
    served = copy.deepcopy(tree)
    for address in served.getroot().iterfind(
        f"{{{WSDL_NS}}}service/{{{WSDL_NS}}}port/*[@location]"
    ):
        if etree.QName(address).namespace in (WSDL_SOAP_NS, WSDL_SOAP12_NS):
            address.set("location", _ADDRESS_PLACEHOLDER)
    return etree.tostring(served, xml_declaration=True, encoding="utf-8")


def _fault_response(code: str, message: str) -> Response:
    envelope = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap": SOAP_ENV})
    fault = etree.SubElement(
        etree.SubElement(envelope, f"{{{SOAP_ENV}}}Body"), f"{{{SOAP_ENV}}}Fault"
    )
    # SOAP 1.1 Fault children are unqualified.
    etree.SubElement(fault, "faultcode").text = code
    etree.SubElement(fault, "faultstring").text = message
    return Response(
        etree.tostring(envelope, xml_declaration=True, encoding="utf-8"),
        status_code=500,
        media_type=XML_CONTENT_TYPE,
    )


def _scrub(message: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        # Shorter values would blank out ordinary letters of the message.
        if len(secret) >= MIN_SCRUBBED_LENGTH:
            message = message.replace(secret, "***")
    return message


def _schema_errors(schema: etree.XMLSchema, element: etree._Element | None) -> str | None:
    if element is None:
        return "no element to validate"
    if schema.validate(element):
        return None
    entries = cast("Iterable[etree._LogEntry]", schema.error_log)  # iterable; stubs omit it
    return "; ".join(entry.message for entry in entries)


class _Endpoint:
    """Runs one POSTed SOAP request through parsing, checks, the handler and the reply."""

    def __init__(
        self,
        service: _Service,
        handlers: Mapping[str, Handler | HeaderHandler],
        credentials: MultiSpeakCredentials,
        latency_s: float,
    ) -> None:
        self._service = service
        self._handlers = dict(handlers)
        self._credentials = credentials
        self._latency_s = latency_s
        self.calls: Counter[str] = Counter()  # per operation name

    async def handle(self, request: Request) -> Response:
        if self._latency_s > 0:
            await asyncio.sleep(self._latency_s)
        supplied: tuple[str, ...] = ()
        try:
            envelope = self._parse(await request.body())
            header = envelope.find(
                f"{{{SOAP_ENV}}}Header/{{{self._service.target_namespace}}}{MSG_HEADER}"
            )
            if header is not None:
                supplied = tuple(header.get(name, "") for name in CREDENTIAL_ATTRIBUTES)
            header = self._authenticate(header)
            body = self._body_element(envelope)
            operation = self._operation_for(request.headers.get("SOAPAction"), body)
            self.calls[operation.name] += 1
            self._validate(body, header)
            return await self._run(operation, envelope)
        except SoapFault as fault:
            secrets = (*supplied, self._credentials.user_id, self._credentials.password)
            return _fault_response(fault.code, _scrub(fault.message, secrets))

    def _parse(self, payload: bytes) -> etree._Element:
        try:
            root = etree.fromstring(payload, _safe_parser())
        except etree.XMLSyntaxError as exc:
            raise SoapFault(f"The request is not well-formed XML: {exc.msg}") from None
        if root.getroottree().docinfo.internalDTD is not None:
            raise SoapFault("A document type declaration is not allowed in a SOAP message")
        if etree.QName(root).localname != "Envelope":
            raise SoapFault("The request is not a SOAP envelope")
        if etree.QName(root).namespace != SOAP_ENV:
            raise SoapFault("Only SOAP 1.1 envelopes are accepted", code="soap:VersionMismatch")
        return root

    def _authenticate(self, header: etree._Element | None) -> etree._Element:
        if header is None:
            raise SoapFault(f"The {MSG_HEADER} SOAP header is required")
        # Both comparisons always run, so timing does not tell which one failed.
        user_ok = hmac.compare_digest(
            header.get("UserID", "").encode(), self._credentials.user_id.encode()
        )
        password_ok = hmac.compare_digest(
            header.get("Pwd", "").encode(), self._credentials.password.encode()
        )
        if not (user_ok and password_ok):
            raise SoapFault(f"Authentication failed: check UserID and Pwd in the {MSG_HEADER}")
        return header

    @staticmethod
    def _body_element(envelope: etree._Element) -> etree._Element:
        body = envelope.find(f"{{{SOAP_ENV}}}Body")
        children = [] if body is None else [c for c in body if isinstance(c.tag, str)]
        if len(children) != 1:
            raise SoapFault("The SOAP Body must hold exactly one request element")
        return children[0]

    def _operation_for(self, soap_action: str | None, body: etree._Element) -> _Operation:
        operation = self._service.by_element.get(body.tag)
        if operation is None:
            raise SoapFault(f"Unknown operation {etree.QName(body).localname!r}")
        action = (soap_action or "").strip().strip('"')
        if action and self._service.by_action.get(action) is not operation:
            raise SoapFault(
                f"The SOAPAction header does not match the {operation.name} request element"
            )
        if operation.name not in self._handlers:
            raise SoapFault(f"Operation {operation.name} is not supported by this server")
        return operation

    def _validate(self, body: etree._Element, header: etree._Element) -> None:
        for element in (header, body):
            errors = _schema_errors(self._service.schema, element)
            if errors:
                raise SoapFault(f"The request does not match the schema: {errors}")

    async def _run(self, operation: _Operation, envelope: etree._Element) -> Response:
        try:
            request = operation.zeep_operation.input.deserialize(envelope)
        except ZeepError as exc:
            raise SoapFault(f"The request could not be read: {exc.message}") from None
        handler = self._handlers[operation.name]
        try:
            if isinstance(handler, HeaderHandler):
                result = await handler.handle(request.body, _echoed_header(request.header))
            else:
                result = await handler(request.body)
        except SoapFault:
            raise
        except Exception:
            logger.exception("The %s handler failed", operation.name)
            raise SoapFault("Internal server error", code="soap:Server") from None
        try:
            reply = self._serialize(operation, result, request.header)
        except Exception:
            logger.exception("The %s result could not be serialized", operation.name)
            raise SoapFault("Internal server error", code="soap:Server") from None
        errors = _schema_errors(self._service.schema, reply.find(f"{{{SOAP_ENV}}}Body/*"))
        if errors:
            logger.error("The %s response does not match the schema: %s", operation.name, errors)
            raise SoapFault("Internal server error", code="soap:Server")
        return Response(
            etree.tostring(reply, xml_declaration=True, encoding="utf-8"),
            media_type=XML_CONTENT_TYPE,
        )

    @staticmethod
    def _serialize(operation: _Operation, result: Any, request_header: Any) -> etree._Element:
        values: dict[str, Any] = {}
        own_header: Mapping[str, Any] = {}
        if isinstance(result, Answer):
            result, own_header = result.result, result.header
        if operation.result_name is not None and result is not None:
            values[operation.result_name] = result
        if operation.echoes_header:
            values["_soapheaders"] = {MSG_HEADER: {**_echoed_header(request_header), **own_header}}
        envelope: etree._Element = operation.zeep_operation.output.serialize(**values).content
        return envelope


def _echoed_header(request_header: Any) -> dict[str, Any]:
    """The caller's header as MultiSpeak servers echo it, minus the credentials."""
    received: Mapping[str, Any] = getattr(
        getattr(request_header, MSG_HEADER, None), "__values__", {}
    )
    return {
        name: value
        for name, value in received.items()
        if value is not None and name not in CREDENTIAL_ATTRIBUTES and not name.startswith("_")
    }


def create_multispeak_app(
    *,
    wsdl_path: Path,
    service_path: str,
    handlers: Mapping[str, Handler | HeaderHandler],
    credentials: MultiSpeakCredentials,
    latency_ms: float = 0.0,
) -> Starlette:
    """A Starlette app serving `handlers` as the WSDL's SOAP 1.1 operations at `service_path`.

    The WSDL is parsed once per process. Handler names must be operations of the WSDL.
    """
    service = _service_for(wsdl_path.resolve())
    unknown = sorted(set(handlers) - set(service.operations))
    if unknown:
        raise ValueError(f"handlers for operations the WSDL does not define: {unknown}")
    if latency_ms < 0:
        raise ValueError("latency_ms must not be negative")
    endpoint = _Endpoint(service, handlers, credentials, latency_ms / 1000)

    async def describe(request: Request) -> Response:
        if not any(key.lower() == "wsdl" for key in request.query_params):
            return PlainTextResponse(
                "This is a MultiSpeak SOAP endpoint: GET ?wsdl for its description, "
                "POST SOAP 1.1 requests.",
                status_code=400,
            )
        served_at = str(request.url.replace(query="", fragment=""))
        return Response(service.wsdl_for(served_at), media_type=XML_CONTENT_TYPE)

    async def calls(request: Request) -> Response:
        return JSONResponse(dict(sorted(endpoint.calls.items())))

    return Starlette(
        routes=[
            Route(service_path, describe, methods=["GET"]),
            Route(service_path, endpoint.handle, methods=["POST"]),
            Route(service_path + CALLS_PATH, calls, methods=["GET"]),
        ]
    )


def close_on_shutdown(app: Starlette, close: Callable[[], Awaitable[None]]) -> None:
    """Run `close` after `app`'s own lifespan ends (a stand-in's database engine)."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(served: Starlette) -> AsyncIterator[None]:
        try:
            async with inner(served):
                yield
        finally:
            await close()

    app.router.lifespan_context = lifespan
