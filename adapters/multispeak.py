"""What every MultiSpeak 3.0 SOAP adapter shares: endpoint settings, the client, calls.

The WSDL is always the vendored file next to the adapter, never fetched: parsing it
is slow (the CB WSDL is 770 KB), so it happens once, when the adapter starts, and the
caller runs `load_wsdl_client` in a thread. Each call carries the `MultiSpeakMsgHeader`
with the credentials as XML attributes, and library errors are turned into the
calling adapter's own error classes. Credentials never reach a log line, an exception
message or a repr: zeep's transport logs whole request bodies at DEBUG, so the
transport here does not log them.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlparse

import httpx
import zeep
import zeep.exceptions
import zeep.helpers
from lxml import etree
from zeep.transports import AsyncTransport
from zeep.wsdl.bindings import Soap11Binding

from adapters.call_trace import queued_here, with_system
from adapters.errors import AdapterError
from adapters.http_lanes import LanesTransport
from adapters.rules.money import round_to_cents
from adapters.uncancelled import finish_uncancelled

__all__ = [
    "MultiSpeakClient",
    "MultiSpeakEndpoint",
    "Reply",
    "WsdlLoadError",
    "call",
    "exchange",
    "load_wsdl_client",
    "money",
]

logger = logging.getLogger(__name__)

MSG_HEADER: Final = "MultiSpeakMsgHeader"
SOAP_ENV: Final = "http://schemas.xmlsoap.org/soap/envelope/"
HTTP_OK: Final = 200
HTTP_SERVER_ERROR: Final = 500


class WsdlLoadError(Exception):
    """The vendored WSDL could not be loaded from local files alone."""


@dataclass(frozen=True)
class MultiSpeakEndpoint:
    """Where a MultiSpeak server is and how to sign in to it (from settings)."""

    url: str
    user_id: str = field(repr=False)
    password: str = field(repr=False)
    app_name: str = "coop-gateway"
    company: str = ""
    timeout_s: float = 10.0

    def __post_init__(self) -> None:
        if not self.timeout_s > 0:
            raise ValueError("timeout_s must be a positive number of seconds")

    def header(self) -> dict[str, str]:
        """The `MultiSpeakMsgHeader` attributes sent with every call."""
        attributes = {"UserID": self.user_id, "Pwd": self.password, "AppName": self.app_name}
        if self.company:
            attributes["Company"] = self.company
        return attributes

    def scrub(self, text: str) -> str:
        """`text` with the credentials blanked out, for messages built from replies."""
        for secret in (self.password, self.user_id):
            if secret:
                text = text.replace(secret, "***")
        return text


class _LocalOnlyTransport(AsyncTransport):
    """zeep's transport, reading WSDLs from local files only; SOAP goes straight to an
    httpx transport.

    `AsyncTransport.__init__` would open httpx clients of its own; it is not called. A
    request is handed to the httpx transport (`adapters.http_lanes` unless a caller
    gave one) without an httpx client in between: its redirects, auth and cookie jar
    are of no use to SOAP and cost a good share of a call's CPU. Bodies are not logged
    (zeep's transport logs them at DEBUG, credentials included).
    """

    http: httpx.AsyncBaseTransport

    def __init__(self, timeout_s: float) -> None:
        self.cache = None
        self._close_session = False  # read by Transport.__del__
        self.logger = logger
        self._timeout = httpx.Timeout(timeout_s).as_dict()

    def load(self, url: str) -> bytes:
        parsed = urlparse(url)
        if parsed.scheme not in ("", "file"):
            raise WsdlLoadError(f"refusing to fetch {url!r}: WSDLs are read from local files only")
        return Path(parsed.path if parsed.scheme == "file" else url).read_bytes()

    async def post_xml(
        self, address: str, envelope: Any, headers: Mapping[str, str]
    ) -> httpx.Response:
        """The whole answer to `envelope` posted to `address`, read and closed."""
        request = httpx.Request(
            "POST",
            address,
            content=etree.tostring(envelope, encoding="utf-8", xml_declaration=True),
            headers=headers,
            extensions={"timeout": self._timeout},
        )
        response = await self.http.handle_async_request(request)
        response.request = request
        try:
            await response.aread()
        finally:
            await response.aclose()
        return response

    async def aclose(self) -> None:
        """The httpx transport belongs to whoever made it (see `MultiSpeakClient`)."""


class _UnexpectedAnswer(Exception):
    """A reply whose SOAP Body is not the operation's response element."""


class _ExpectResponseElement(zeep.Plugin):
    """zeep quietly reads a Body holding the wrong element as an empty result; refuse it."""

    def ingress(self, envelope: Any, http_headers: Any, operation: Any) -> tuple[Any, Any]:
        body = envelope.find(f"{{{SOAP_ENV}}}Body")
        first = (
            next((e for e in body if isinstance(e.tag, str)), None) if body is not None else None
        )
        expected = operation.output.body.qname.text if operation.output.body is not None else None
        if first is None or (first.tag != f"{{{SOAP_ENV}}}Fault" and first.tag != expected):
            found = "nothing" if first is None else etree.QName(first).localname
            raise _UnexpectedAnswer(f"the answer holds {found}, not {operation.name}Response")
        return envelope, http_headers


class MultiSpeakClient:
    """A parsed WSDL's SOAP 1.1 binding, bound to one endpoint.

    Requests are built, sent and read in separate steps (zeep's proxy does all three
    at once), so that a bad argument stays a programming error, and only what the
    network or the server did becomes an adapter error.
    """

    def __init__(
        self,
        *,
        zeep_client: Any,
        binding: Any,
        transport: _LocalOnlyTransport,
        endpoint: MultiSpeakEndpoint,
        owns_http: bool,
    ) -> None:
        self._zeep = zeep_client
        self._binding = binding
        self._transport = transport
        self.endpoint = endpoint
        self._owns_http = owns_http
        self._turns = asyncio.Semaphore(MAX_CALLS_IN_FLIGHT)
        self._rendered_headers: dict[str, list[Any]] = {}

    def __repr__(self) -> str:
        return f"MultiSpeakClient(url={self.endpoint.url!r})"

    def operation(self, name: str) -> Any:
        try:
            return self._binding.get(name)
        except ValueError:
            raise ValueError(f"the WSDL has no operation {name!r}") from None

    def request(
        self, name: str, arguments: Mapping[str, Any], header: Mapping[str, str] | None = None
    ) -> tuple[Any, dict[str, str]]:
        """The envelope and HTTP headers for one call; bad arguments raise here.

        `header`: more `MultiSpeakMsgHeader` attributes (a SessionID); never credentials.
        """
        self.operation(name)
        # The header of a call without more attributes is the same on every call of the
        # operation: rendered by zeep on the first, copied into the later ones (zeep
        # copies a rendered header element as it is), which saves most of the work of
        # building a request.
        rendered = None if header else self._rendered_headers.get(name)
        soap_headers: Any = (
            rendered
            if rendered is not None
            else {MSG_HEADER: {**(header or {}), **self.endpoint.header()}}
        )
        envelope, headers = self._binding._create(
            name,
            (),
            {**arguments, "_soapheaders": soap_headers},
            client=self._zeep,
            options={"address": self.endpoint.url},
        )
        if rendered is None and not header:
            soap_header = envelope.find(f"{{{SOAP_ENV}}}Header")
            if soap_header is not None:
                self._rendered_headers[name] = [copy.deepcopy(e) for e in soap_header]
        return envelope, headers

    async def send(self, envelope: Any, headers: Mapping[str, str]) -> Any:
        # Only the time after its turn came is the system's: a caller judging a
        # timeout (the gateway's breakers) must not blame it for the queue here.
        queued_here()
        await self._turns.acquire()
        with with_system():
            # The turn is given back when the request has ended, not when its caller
            # stopped waiting: the pool never has more requests than connections.
            return await finish_uncancelled(
                self._transport.post_xml(self.endpoint.url, envelope, headers),
                on_done=self._turns.release,
            )

    def reply(self, name: str, response: Any) -> Any:
        """The operation's result from an HTTP response; zeep's Fault for a SOAP Fault."""
        return self._binding.process_reply(self._zeep, self.operation(name), response)

    async def aclose(self) -> None:
        if self._owns_http:
            await self._transport.http.aclose()


# Calls one client has under way at once; the others wait their turn in a plain FIFO
# in front of httpx, and each call under way has a connection of its own
# (`adapters.http_lanes`): httpx's own pool rescans every waiting request and every
# connection (polling each idle socket) whenever a request starts or ends, which under a
# storm of cache misses cost the process more CPU than the SOAP itself.
MAX_CALLS_IN_FLIGHT: Final = 32


def load_wsdl_client(
    wsdl_path: Path, endpoint: MultiSpeakEndpoint, http: httpx.AsyncBaseTransport | None = None
) -> MultiSpeakClient:
    """Parse the vendored WSDL (slow: call it in a thread) and bind it to `endpoint.url`.

    `http`: the httpx transport calls go over (tests serve a stand-in in process with
    `httpx.ASGITransport`), left open by `aclose`. Without it, the client makes its own
    (a lane per call under way) and closes it in `aclose`.
    """
    transport = _LocalOnlyTransport(endpoint.timeout_s)
    zeep_client: Any = zeep.AsyncClient(  # type: ignore[no-untyped-call]
        str(wsdl_path), transport=transport, plugins=[_ExpectResponseElement()]
    )
    binding = _soap11_binding(zeep_client)
    # Made only once parsing succeeded, so a bad WSDL leaves no transport to close.
    transport.http = http if http is not None else LanesTransport(lanes=MAX_CALLS_IN_FLIGHT)
    return MultiSpeakClient(
        zeep_client=zeep_client,
        binding=binding,
        transport=transport,
        endpoint=endpoint,
        owns_http=http is None,
    )


def _soap11_binding(zeep_client: Any) -> Any:
    for binding in zeep_client.wsdl.bindings.values():
        if isinstance(binding, Soap11Binding):
            return binding
    raise WsdlLoadError("the WSDL has no SOAP 1.1 binding")


def money(value: float | None) -> Decimal | None:
    """A MultiSpeak `xsd:float` amount as `Decimal` cents, rounded half up.

    The float's shortest decimal form is what the server wrote ("2.675"), so it is
    rounded from that, not from the binary value (2.67499...) as `round()` would.
    """
    if value is None:
        return None
    try:
        exact = Decimal(repr(float(value)))
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{value!r} is not an amount of money") from None
    try:
        return round_to_cents(exact)
    except ValueError:
        raise ValueError(f"{value!r} is not an amount of money") from None


@dataclass(frozen=True)
class Reply:
    """An operation's result, and the `MultiSpeakMsgHeader` attributes it came back with
    (paged answers say there how many objects remain: ObjectsRemaining, LastSent)."""

    result: Any
    header: Mapping[str, Any]


def _plain(reply: Any) -> Any:
    """A reply as plain dicts and lists (no zeep objects); made once per reply, for both
    its header and its result (zeep's walk over the objects is a good share of a call's
    CPU)."""
    return zeep.helpers.serialize_object(reply, dict)  # type: ignore[no-untyped-call]


def _header_of(plain: Any) -> dict[str, Any]:
    if not (isinstance(plain, dict) and plain.keys() == {"header", "body"}):
        return {}
    header = (plain["header"] or {}).get(MSG_HEADER) or {}
    return {name: value for name, value in header.items() if value is not None}


def _result_of(plain: Any) -> Any:
    """The `{Op}Result` value of a plain reply.

    Operations whose response carries a header come back as `{header, body}`; the
    body of a document/literal response wraps the one `{Op}Result` element.
    """
    if isinstance(plain, dict) and plain.keys() == {"header", "body"}:
        plain = plain["body"]
    if isinstance(plain, dict) and len(plain) == 1:
        return next(iter(plain.values()))
    return plain


async def call(
    client: MultiSpeakClient,
    operation: str,
    arguments: Mapping[str, Any] | None = None,
    *,
    unavailable: type[AdapterError],
    fault: type[AdapterError],
) -> Any:
    """Invoke `operation` with the endpoint's `MultiSpeakMsgHeader`; plain data back.

    Not reachable, too slow, or an HTTP 5xx without a SOAP Fault: `unavailable`.
    A SOAP Fault, or an answer that cannot be read: `fault`. Arguments the WSDL
    does not accept raise `TypeError` or `ValueError` (a bug, not a backend error).
    """
    answer = await exchange(client, operation, arguments, unavailable=unavailable, fault=fault)
    return answer.result


async def exchange(
    client: MultiSpeakClient,
    operation: str,
    arguments: Mapping[str, Any] | None = None,
    *,
    header: Mapping[str, str] | None = None,
    unavailable: type[AdapterError],
    fault: type[AdapterError],
) -> Reply:
    """`call`, with more request header attributes, giving the reply's header too."""
    endpoint = client.endpoint
    envelope, headers = client.request(operation, arguments or {}, header)
    try:
        async with asyncio.timeout(endpoint.timeout_s):
            response = await client.send(envelope, headers)
    except (TimeoutError, httpx.TimeoutException):
        raise unavailable(f"{operation}: no answer within {endpoint.timeout_s:g} s") from None
    except httpx.TransportError as exc:
        raise unavailable(
            f"{operation}: could not reach the server ({type(exc).__name__})"
        ) from None
    try:
        plain = _plain(client.reply(operation, response))
        return Reply(_result_of(plain), _header_of(plain))
    except zeep.exceptions.Fault as exc:
        raise fault(f"{operation} failed: {endpoint.scrub(str(exc.message))}") from None
    except Exception as exc:
        # Whatever zeep trips over in an answer is the server's doing.
        if response.status_code >= HTTP_SERVER_ERROR:
            raise unavailable(
                f"{operation}: the server answered HTTP {response.status_code}"
            ) from None
        if response.status_code != HTTP_OK:
            raise fault(f"{operation}: unexpected HTTP {response.status_code} answer") from None
        detail = str(exc) if isinstance(exc, _UnexpectedAnswer) else type(exc).__name__
        raise fault(f"{operation}: unreadable answer ({detail})") from None
