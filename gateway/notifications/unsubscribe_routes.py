"""GET and POST /notifications/unsubscribe: the link in every notification email.

GET shows what the link stops and a button; POST stops it. Mailbox providers POST
`List-Unsubscribe=One-Click` themselves (RFC 8058), and a member's button does the
same, so both get the page saying it is done. A link that is not valid, altered or
expired gets one page for all of these (404), pointing to the portal's notification
settings. The pages keep the link's signature out of referrers and caches, and allow
no scripts, no frames, and forms only to this gateway.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from gateway.core.clock import Clock, utc_now
from gateway.core.signed_links import LinkSigner
from gateway.core.store.gateway_store import GatewayStore
from gateway.notifications.email_layout import template_environment
from gateway.notifications.unsubscribe import (
    UNSUBSCRIBE_PATH,
    Unsubscription,
    unsubscribe,
    unsubscription_of,
)

PAGE_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'none'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


def unsubscribe_routes(
    *,
    links: LinkSigner,
    store: Callable[[], GatewayStore],
    coop_name: str,
    manage_url: str,
    clock: Clock = utc_now,
) -> list[Route]:
    def page(state: str, what: Unsubscription | None, *, status: int = 200) -> HTMLResponse:
        html = (
            template_environment()
            .get_template("unsubscribe.html.j2")
            .render(
                state=state,
                what=what,
                type_name=None if what is None else what.type.value.replace("_", " "),
                coop_name=coop_name,
                manage_url=manage_url,
            )
        )
        return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)

    async def show(request: Request) -> HTMLResponse:
        what = await unsubscription_of(store(), links, dict(request.query_params))
        if what is None:
            return page("invalid", None, status=404)
        return page("confirm", what)

    async def stop(request: Request) -> HTMLResponse:
        what = await unsubscription_of(store(), links, dict(request.query_params))
        if what is None:
            return page("invalid", None, status=404)
        await unsubscribe(store(), what, now=clock())
        return page("done", what)

    return [
        Route(UNSUBSCRIBE_PATH, show, methods=["GET"]),
        Route(UNSUBSCRIBE_PATH, stop, methods=["POST"]),
    ]
