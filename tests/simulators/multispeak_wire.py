"""Talk to a MultiSpeak stand-in in raw SOAP, checking both directions against the schema.

Requests are built by zeep from the WSDL (as any MultiSpeak client would build them)
and validated with `xmlschema` before they are sent; every answer that is not a
Fault is validated the same way before a test looks at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import httpx
import xmlschema
import zeep
from lxml import etree

from simulators.soap import MultiSpeakCredentials

MS = "http://www.multispeak.org/Version_3.0"
SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
NS = {"ms": MS, "soap": SOAP_ENV}


def _path(path: str) -> str:
    return "/".join(f"ms:{step}" for step in path.split("/"))


def child(element: etree._Element, path: str) -> etree._Element | None:
    """The first element at `path`, MultiSpeak names given without a prefix (a/b/c)."""
    return element.find(_path(path), NS)


def text(element: etree._Element, path: str) -> str | None:
    found = child(element, path)
    return None if found is None else found.text


def children(element: etree._Element, path: str) -> list[etree._Element]:
    return element.findall(_path(path), NS)


@dataclass(frozen=True)
class SoapAnswer:
    status_code: int
    raw: bytes
    envelope: etree._Element

    @property
    def body_element(self) -> etree._Element:
        body = self.envelope.find("soap:Body", NS)
        assert body is not None
        return body[0]

    @property
    def fault(self) -> tuple[str, str]:
        fault = self.body_element
        assert fault.tag == f"{{{SOAP_ENV}}}Fault"
        return fault.findtext("faultcode") or "", fault.findtext("faultstring") or ""

    def result(self, operation: str) -> etree._Element | None:
        """The `{operation}Result` element (None when the answer is empty)."""
        assert self.status_code == 200, self.fault
        return child(self.body_element, f"{operation}Result")


class MultiSpeakWire:
    app_name: ClassVar[str] = "multispeak-tests"  # the AppName requests are signed with

    def __init__(
        self,
        *,
        messages: zeep.Client,
        schema: xmlschema.XMLSchema,
        http: httpx.AsyncClient,
        url: str,
        credentials: MultiSpeakCredentials,
    ) -> None:
        self._messages = messages
        self._schema = schema
        self._http = http
        self.url = url
        self.credentials = credentials
        self.validated = 0  # how many message parts were checked against the schema

    def build(
        self, operation: str, *, credentials: MultiSpeakCredentials | None = None, **args: Any
    ) -> etree._Element:
        signed_by = credentials or self.credentials
        header = {
            "MultiSpeakMsgHeader": {
                "UserID": signed_by.user_id,
                "Pwd": signed_by.password,
                "AppName": self.app_name,
            }
        }
        envelope: etree._Element = self._messages.create_message(  # type: ignore[no-untyped-call]
            self._messages.service, operation, _soapheaders=header, **args
        )
        return envelope

    def assert_valid(self, envelope: etree._Element) -> None:
        for part in ("soap:Header/*", "soap:Body/*"):
            for element in envelope.findall(part, NS):
                if element.tag.startswith(f"{{{MS}}}"):
                    self._schema.validate(element)
                    self.validated += 1

    async def post(self, envelope: etree._Element, operation: str) -> SoapAnswer:
        reply = await self._http.post(
            self.url,
            content=etree.tostring(envelope, xml_declaration=True, encoding="utf-8"),
            headers={
                "Content-Type": "text/xml; charset=utf-8",
                "SOAPAction": f'"{MS}/{operation}"',
            },
        )
        answer = SoapAnswer(reply.status_code, reply.content, etree.fromstring(reply.content))
        if reply.status_code == 200:
            self.assert_valid(answer.envelope)
        return answer

    async def send(self, operation: str, **args: Any) -> SoapAnswer:
        """Build, check and post one request; the answer is checked too (when not a Fault)."""
        envelope = self.build(operation, **args)
        self.assert_valid(envelope)
        return await self.post(envelope, operation)

    async def result(self, operation: str, **args: Any) -> etree._Element | None:
        return (await self.send(operation, **args)).result(operation)
