"""GET routes that serve an account's documents from signed links.

A link (`Bill.pdfUrl`, `Account.greenButtonUrl`) carries the login it was made for;
the route checks its signature and expiry, then treats the request as that login's:
the sign-in session must still run, and the account policy is asked again, so a link
to another member's bill, or one made before an account was unlinked, answers "not
found" like a bill that does not exist. Staff downloads are written to the audit log
before anything is sent; if the entry cannot be written, nothing is.

Answers are plain text and say nothing of the systems behind: a refused link, an
unknown document and a backend down each have one fixed message.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Final

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from adapters.errors import AdapterError, BackendUnavailable, NotFound
from gateway.api.context import GatewayContext
from gateway.audit.entries import AuditRecord, write_entries
from gateway.core.errors import SYSTEM_NAMES, BadUserInput, Unauthenticated
from gateway.core.signed_links import LinkHolder, LinkRefused, LinkSigner
from gateway.documents.coop import CoopIdentity
from gateway.documents.green_button import (
    check_download_range,
    green_button_csv,
    green_button_xml,
)
from gateway.documents.links import (
    BILL_PDF_ROUTE,
    GREEN_BUTTON_ROUTE,
    DownloadFormat,
    NotADocument,
    checked_account,
    parse_day,
    parse_format,
    parse_range,
)
from gateway.documents.pdf_cache import bill_pdf
from gateway.documents.statement import bill_statement
from gateway.identity.roles import STAFF_ROLES

logger = logging.getLogger("gateway.documents")

# One request's context, made for the login a link names.
ContextFor = Callable[[Request, LinkHolder], Awaitable[GatewayContext]]

REFUSED: Final = "This link is not valid or has expired: ask for a new one."
NOT_FOUND: Final = "Not found."
PRIVATE: Final = {"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}
XML_TYPE: Final = "application/atom+xml"
CSV_TYPE: Final = "text/csv; charset=utf-8"


class _Refused(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _text(status: int, message: str) -> Response:
    return PlainTextResponse(message, status_code=status, headers=PRIVATE)


def _backend_down(error: AdapterError) -> Response:
    name = SYSTEM_NAMES.get(error.system, "A system the co-op relies on")
    if isinstance(error, BackendUnavailable):
        return _text(503, f"{name} is not available right now: try again in a moment.")
    return _text(502, f"{name} could not answer this request.")


def _attachment(filename: str) -> dict[str, str]:
    return {**PRIVATE, "Content-Disposition": f'attachment; filename="{filename}"'}


async def _open(
    request: Request,
    *,
    links: LinkSigner,
    context_for: ContextFor,
    account_number: str,
    field: str,
) -> GatewayContext:
    """The context of the link's login, once the account policy allows the account."""
    try:
        holder = links.verify(request.url.path, dict(request.query_params))
    except LinkRefused as refused:
        logger.info("document link refused: %s", refused)
        raise _Refused(_text(403, REFUSED)) from None
    context = await context_for(request, holder)
    try:
        allowed = await context.access.can_see(account_number)
    except Unauthenticated:
        raise _Refused(_text(403, REFUSED)) from None  # the session has ended
    if not allowed:
        raise _Refused(_text(404, NOT_FOUND))
    await _audit(context, account_number=account_number, field=field, path=request.url.path)
    return context


async def _audit(context: GatewayContext, *, account_number: str, field: str, path: str) -> None:
    user = await context.access.user()
    if user is None or user.role not in STAFF_ROLES:
        return
    record = AuditRecord(
        occurred_at=datetime.now(UTC),
        actor_user_id=user.id,
        actor_email=user.email,
        actor_role=user.role.value,
        account_number=account_number,
        fields=(field,),
        operation_name=f"GET {path.rsplit('/', 1)[0]}"[:120],
        client_address=context.client_address,
        request_id=context.request_id,
    )
    try:
        await write_entries(context.store, [record])
    except Exception:
        logger.exception("request %s: could not write the audit entry", context.request_id)
        raise _Refused(_text(500, f"Internal error (request {context.request_id}).")) from None


def document_routes(
    *, links: LinkSigner, context_for: ContextFor, coop: CoopIdentity
) -> list[Route]:
    """The routes of the links `links` signs; `context_for` opens a request as a login."""

    async def bill(request: Request) -> Response:
        try:
            account = checked_account(request.path_params["account"])
            day = parse_day(request.path_params["bill_date"])
        except NotADocument:
            return _text(404, NOT_FOUND)
        try:
            context = await _open(
                request,
                links=links,
                context_for=context_for,
                account_number=account,
                field="billPdf",
            )
            statement = await bill_statement(
                loaders=context.loaders,
                zone=context.zone,
                coop=coop,
                account_number=account,
                bill_date=day,
            )
            pdf = await bill_pdf(cache=context.cache, statement=statement)
        except _Refused as refused:
            return refused.response
        except NotFound:
            return _text(404, NOT_FOUND)
        except AdapterError as error:
            return _backend_down(error)
        return Response(
            pdf,
            media_type="application/pdf",
            headers=_attachment(f"bill-{account}-{day.isoformat()}.pdf"),
        )

    async def green_button(request: Request) -> Response:
        try:
            account = checked_account(request.path_params["account"])
            download = parse_format(request.path_params["format"])
            params = request.query_params
            wanted = parse_range(params.get("from"), params.get("to"), params.get("interval"))
            check_download_range(wanted)
        except (NotADocument, BadUserInput):
            return _text(404, NOT_FOUND)
        try:
            context = await _open(
                request,
                links=links,
                context_for=context_for,
                account_number=account,
                field="greenButton",
            )
            meters = await context.loaders.meters.load(account)
        except _Refused as refused:
            return refused.response
        except NotFound:
            return _text(404, NOT_FOUND)
        except AdapterError as error:
            return _backend_down(error)
        meter_nos = [meter.meter_no for meter in meters]
        chunks: AsyncIterator[bytes]
        if download is DownloadFormat.XML:
            chunks = green_button_xml(
                loaders=context.loaders,
                zone=context.zone,
                coop_name=coop.name,
                account_number=account,
                meter_nos=meter_nos,
                wanted=wanted,
                now=datetime.now(UTC),
            )
        else:
            chunks = green_button_csv(
                loaders=context.loaders, zone=context.zone, meter_nos=meter_nos, wanted=wanted
            )
        # The first chunk holds the first month's reads: a store that is down is still
        # answered with a status, before the response has started.
        try:
            first = await anext(chunks)
        except AdapterError as error:
            return _backend_down(error)
        name = f"green-button-{account}-{wanted.start}-{wanted.end}.{download.value}"
        return StreamingResponse(
            _then(first, chunks),
            media_type=XML_TYPE if download is DownloadFormat.XML else CSV_TYPE,
            headers=_attachment(name),
        )

    return [
        Route(BILL_PDF_ROUTE, bill, methods=["GET"]),
        Route(GREEN_BUTTON_ROUTE, green_button, methods=["GET"]),
    ]


async def _then(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for chunk in rest:
        yield chunk
