"""The outage management stand-in: MultiSpeak 3.0 OA_Server over SOAP 1.1.

It serves the vendored 3.0ac OA_Server WSDL that the OMS adapter is written
against, from its own SQL database (load one with `simulators.oms.store.load_world`).
The database engine opens lazily and is disposed when the app shuts down.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette

from simulators.inline_sqlite import stand_in_engine
from simulators.oms.handlers import OaServerHandlers
from simulators.oms.logic import OutageManagement
from simulators.soap import MultiSpeakCredentials, close_on_shutdown, create_multispeak_app

SERVICE_PATH = "/multispeak/v3/OA_Server.asmx"
WSDL_PATH = Path(__file__).resolve().parents[2] / "adapters" / "oms" / "OA_Server.wsdl"
DEFAULT_PAGE_SIZE = 100  # outage events per GetAllActiveOutageEvents answer


def create_oms_app(
    *,
    database_url: str,
    credentials: MultiSpeakCredentials,
    latency_ms: float = 0.0,
    page_size: int = DEFAULT_PAGE_SIZE,
) -> Starlette:
    engine = stand_in_engine(database_url)
    handlers = OaServerHandlers(OutageManagement(engine), page_size=page_size)
    app = create_multispeak_app(
        wsdl_path=WSDL_PATH,
        service_path=SERVICE_PATH,
        handlers=handlers.mapping(),
        credentials=credentials,
        latency_ms=latency_ms,
    )
    close_on_shutdown(app, engine.dispose)
    return app
