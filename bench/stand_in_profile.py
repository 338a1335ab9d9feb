"""`python -m bench.stand_in_profile`: the CPU the MultiSpeak stand-ins spend per SOAP call.

The CIS and OMS stand-in apps are built over the outage storm's bench co-op (its OMS
database copied, with the storm's outage started in the copy), and the gateway's own
SOAP adapters ask them what a portal dashboard asks for each account: its service
locations, latest bill (detail and usage), balance, meters, prepay credit, and the
outage status of each location. Those requests are recorded as the adapters sent
them; then each is sent again, many times, straight through the stand-in's ASGI
interface as uvicorn would, so what is measured is the stand-in's own work per call
(no HTTP server, no client): the CPU time per call for each operation (without the
profiler, best of a few rounds), then the functions a profiled run spent it in.

    .venv/bin/python -m bench.stand_in_profile [--accounts 300] [--calls 500]
        [--operation GetBillingDetail] [--top 30] [--save stand-ins.prof]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import secrets
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import httpx
from starlette.applications import Starlette

from adapters.cis.soap import SoapCis
from adapters.multispeak import MultiSpeakEndpoint
from adapters.oms.soap import SoapOms
from bench.asgi_post import post_asgi
from bench.data import BenchData, copy_with_own
from bench.storm_outage import start_outage
from bench.storm_plan import StormPlan
from gateway.demo import stand_in_app
from simulators.soap import MultiSpeakCredentials

ROUNDS: Final = 3
USER: Final = "gateway"
HTTP_OK: Final = 200


@dataclass(frozen=True, slots=True)
class Sent:
    """One SOAP request as an adapter sent it."""

    operation: str
    path: str
    soap_action: str
    body: bytes


class _Recorder(httpx.AsyncBaseTransport):
    """Passes each request on to the app, keeping what was sent."""

    def __init__(self, app: Starlette) -> None:
        self._app = httpx.ASGITransport(app=app)
        self.sent: list[Sent] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        action = request.headers.get("SOAPAction", "").strip('"')
        self.sent.append(
            Sent(
                operation=action.rsplit("/", 1)[-1],
                path=request.url.path,
                soap_action=action,
                body=await request.aread(),
            )
        )
        return await self._app.handle_async_request(request)


async def post(app: Starlette, sent: Sent) -> tuple[int, bytes]:
    """One POSTed SOAP request through the app's ASGI interface; the status and body."""
    headers = [
        (b"content-type", b"text/xml; charset=utf-8"),
        (b"soapaction", f'"{sent.soap_action}"'.encode()),
    ]
    return await post_asgi(app, path=sent.path, headers=headers, body=sent.body)


@asynccontextmanager
async def stand_ins(
    accounts: int, data_dir: Path
) -> AsyncIterator[tuple[Starlette, Starlette, str]]:
    """The CIS and OMS stand-in apps over the storm's co-op, the outage started, and the
    password they take."""
    coop = BenchData(data_dir / f"storm-{accounts}", accounts=max(accounts, 3))
    await coop.ensure_seeded()
    plan = StormPlan()
    with tempfile.TemporaryDirectory(prefix="stand-in-profile-") as directory:
        own = copy_with_own(coop.directory, Path(directory) / "data", "oms.db")
        start_outage(own / "oms.db", share=plan.outage_share, seed=plan.seed)
        databases = BenchData(own, accounts=coop.accounts).demo.databases
        password = secrets.token_urlsafe(18)
        credentials = MultiSpeakCredentials(user_id=USER, password=password)
        cis = stand_in_app("cis", databases, credentials, latency_ms=0)
        oms = stand_in_app("oms", databases, credentials, latency_ms=0)
        async with cis.router.lifespan_context(cis), oms.router.lifespan_context(oms):
            yield cis, oms, password


async def dashboard_requests(
    cis: Starlette, oms: Starlette, account_numbers: Sequence[str], password: str
) -> dict[str, list[Sent]]:
    """What the gateway's adapters send for each account's dashboard, by operation."""
    cis_log, oms_log = _Recorder(cis), _Recorder(oms)
    cis_port = await SoapCis.create(endpoint=_endpoint("cis", password), http=cis_log)
    oms_port = await SoapOms.create(endpoint=_endpoint("oms", password), http=oms_log)
    for number in account_numbers:
        locations = await cis_port.get_service_locations_by_account(number)
        await cis_port.get_balance(number)
        await cis_port.get_meters_by_account(number)
        await cis_port.prepay_balance(number)
        bill_dates = {loc.last_bill_date for loc in locations if loc.last_bill_date}
        if bill_dates:
            await cis_port.get_bill(number, max(bill_dates))
        for location in locations:
            await oms_port.get_outage_status(location.location_id)
    by_operation: defaultdict[str, list[Sent]] = defaultdict(list)
    for sent in (*cis_log.sent, *oms_log.sent):
        by_operation[sent.operation].append(sent)
    return dict(by_operation)


def _endpoint(system: str, password: str) -> MultiSpeakEndpoint:
    path = {
        "cis": "/multispeak/v3/CB_Server.asmx",
        "oms": "/multispeak/v3/OA_Server.asmx",
    }[system]
    return MultiSpeakEndpoint(
        url=f"http://{system}.stand-in{path}", user_id=USER, password=password
    )


async def replay(app: Starlette, requests: Sequence[Sent], calls: int) -> None:
    for index in range(calls):
        status, answer = await post(app, requests[index % len(requests)])
        if status != HTTP_OK:
            raise SystemExit(f"a {requests[0].operation} call was answered {status}: {answer!r}")


async def profile(args: argparse.Namespace) -> None:
    async with stand_ins(args.accounts, args.data_dir) as (cis, oms, password):
        numbers = BenchData(
            args.data_dir / f"storm-{args.accounts}", accounts=args.accounts
        ).account_numbers()[: args.accounts]
        recorded = await dashboard_requests(cis, oms, numbers, password)
        operations = sorted(recorded) if args.operation is None else [args.operation]
        app_of = {op: (cis if "CB_Server" in recorded[op][0].path else oms) for op in operations}
        print(f"{'operation':40} {'requests':>8} {'CPU ms/call':>12}  (best of {ROUNDS})")
        for operation in operations:
            app, requests = app_of[operation], recorded[operation]
            await replay(app, requests, min(50, args.calls))  # warm
            per_call_ms = []
            for _ in range(ROUNDS):
                started = time.process_time()
                await replay(app, requests, args.calls)
                per_call_ms.append((time.process_time() - started) * 1000 / args.calls)
            print(f"{operation:40} {len(requests):8} {min(per_call_ms):12.3f}")
        profiler = cProfile.Profile()
        profiler.enable()
        for operation in operations:
            await replay(app_of[operation], recorded[operation], args.calls)
        profiler.disable()
    if args.save is not None:
        profiler.dump_stats(args.save)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(args.top)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stand_in_profile", description=__doc__)
    parser.add_argument("--accounts", type=int, default=300, help="the storm co-op's members")
    parser.add_argument("--data-dir", type=Path, default=Path("var/bench"))
    parser.add_argument("--calls", type=int, default=500, help="calls per operation and round")
    parser.add_argument("--operation", default=None, help="only this operation")
    parser.add_argument("--top", type=int, default=30, help="functions listed, by cumulative time")
    parser.add_argument("--save", type=Path, default=None, help="write the profile here (pstats)")
    args = parser.parse_args(argv)
    asyncio.run(profile(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
