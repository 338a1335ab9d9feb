"""The CIS/billing stand-in: MultiSpeak 3.0 CB_Server over SOAP 1.1.

It serves the vendored CB_Server WSDL that the CIS adapter is written against, from
its own SQL database (load one with `simulators.cis.store.load_world`). The database
engine is disposed when the app shuts down.
"""

from __future__ import annotations

from typing import Final

from starlette.applications import Starlette

from adapters.cis.soap import CB_SERVER_WSDL
from simulators.cis.handlers import (
    DEFAULT_CHANGE_PAGE_SIZE,
    DEFAULT_LIST_PAGE_SIZE,
    CbServerHandlers,
)
from simulators.inline_sqlite import stand_in_engine
from simulators.soap import MultiSpeakCredentials, close_on_shutdown, create_multispeak_app

SERVICE_PATH: Final = "/multispeak/v3/CB_Server.asmx"


def create_cis_app(
    *,
    database_url: str,
    credentials: MultiSpeakCredentials,
    latency_ms: float = 0.0,
    payment_terms_days: int = 20,
    change_page_size: int = DEFAULT_CHANGE_PAGE_SIZE,
    list_page_size: int = DEFAULT_LIST_PAGE_SIZE,
    payments_need_commit: bool = False,
) -> Starlette:
    """The stand-in as an ASGI app; `payment_terms_days` dates `paymentDueDate`;
    `change_page_size` caps the objects in one GetModifiedXXX answer, `list_page_size`
    in one GetAllServiceLocations answer;
    `payments_need_commit`: a CIS that posts a payment only on CommitPaymentTransaction
    (see `simulators.cis.payments`)."""
    # Creating an engine opens nothing: connections are made on first use.
    engine = stand_in_engine(database_url)
    handlers = CbServerHandlers(
        engine,
        payment_terms_days=payment_terms_days,
        change_page_size=change_page_size,
        list_page_size=list_page_size,
        payments_need_commit=payments_need_commit,
    )
    app = create_multispeak_app(
        wsdl_path=CB_SERVER_WSDL,
        service_path=SERVICE_PATH,
        handlers=handlers.mapping(),
        credentials=credentials,
        latency_ms=latency_ms,
    )
    close_on_shutdown(app, engine.dispose)
    return app
