"""Bill PDFs rendered on request and kept in the shared cache.

A bill never changes once cut, but what its PDF prints also comes from elsewhere (the
customer's mailing address, the usage history, the co-op's letterhead): the cache key
is a digest of everything the PDF prints, so a PDF is never served stale and nothing
has to be invalidated. Drawing a bill costs tens of milliseconds of CPU in the request,
a cached PDF a digest and one cache round trip (`python -m bench --only documents`
measures both through the gateway); drawing every bill in the worker ahead of time
would pay the drawing for every bill cut, where most are never opened.
"""

from __future__ import annotations

import hashlib
from typing import Final

from gateway.core.cache.port import Cache
from gateway.documents.bill_pdf import render_bill_pdf
from gateway.documents.statement import BillStatement

# Bump when the layout changes, so that PDFs drawn by the old layout are not served.
LAYOUT_VERSION: Final = 3
PDF_TTL_S: Final = 24 * 3600.0
KEY_PREFIX: Final = "document:bill_pdf"


def pdf_cache_key(statement: BillStatement) -> str:
    # The dataclasses' repr names every field and value, in a fixed order.
    digest = hashlib.sha256(repr(statement).encode()).hexdigest()
    bill = statement.bill
    return (
        f"{KEY_PREFIX}:v{LAYOUT_VERSION}:{statement.account_number}:"
        f"{bill.bill_date.isoformat()}:{digest}"
    )


async def bill_pdf(*, cache: Cache | None, statement: BillStatement) -> bytes:
    """The statement's PDF, from the cache when it holds it (a statement without its
    usage history is drawn but not kept: the history is back on the next try)."""
    if cache is None:
        return render_bill_pdf(statement)
    key = pdf_cache_key(statement)
    (cached,) = await cache.get_many([key])
    if cached is not None:
        return cached
    pdf = render_bill_pdf(statement)
    if statement.history is not None:
        await cache.set_many({key: pdf}, ttl_s=PDF_TTL_S)
    return pdf
