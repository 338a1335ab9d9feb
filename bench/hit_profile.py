"""`python -m bench.hit_profile`: where a response cache hit spends its CPU, in process.

The gateway app is built over the demo co-op's fakes and an in-process answer store
(no network, no Redis, no HTTP server), the demo member signs in, the warm dashboard
is asked once so that its answer is kept, and then every request is a hit. Each is
sent straight through the ASGI interface, as uvicorn would, so what is measured is the
gateway's own work per hit: the CPU time per hit (without the profiler, best of a few
rounds), then the functions a profiled run spent it in.

    .venv/bin/python -m bench.hit_profile [--hits 2000] [--top 30] [--save hits.prof]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import orjson
from pydantic import SecretStr
from starlette.applications import Starlette

from bench.asgi_post import post_asgi
from bench.workloads import DASHBOARD_QUERY
from gateway.app import create_app
from gateway.core.backends import Adapters
from gateway.core.store.migrate import migrate
from gateway.identity.users import upsert_member
from gateway.settings import GatewaySettings
from simulators.cis.fake_from_world import fake_cis_from_world
from simulators.meters.fake_from_world import fake_meters_from_world
from simulators.oms.fake_from_world import fake_oms_from_world
from simulators.seed import generate_world

ACCOUNTS = 40
SEED = 7
PASSWORD = "hit-profile-password"  # noqa: S105 - a throwaway login in a temporary database
ROUNDS = 3
LOGIN = """mutation ($i: LoginInput!) { login(input: $i) {
  ... on LoginSuccess { accessToken } } }"""


async def call(app: Starlette, body: bytes, token: str | None = None) -> tuple[int, bytes]:
    """One POST /graphql through the app's ASGI interface; the status and the body."""
    headers = [
        (b"content-type", b"application/json"),
        (b"accept", b"application/graphql-response+json"),
    ]
    if token is not None:
        headers.append((b"authorization", f"Bearer {token}".encode()))
    return await post_asgi(app, path="/graphql", headers=headers, body=body)


async def profile(hits: int, top: int, save: Path | None) -> None:
    today = date.today()
    world = generate_world(accounts=ACCOUNTS, seed=SEED, as_of=today)
    login = world.logins[0]
    numbers = [a.account_number for a in world.accounts if a.customer_id in login.customer_ids]
    with tempfile.TemporaryDirectory(prefix="hit-profile-") as directory:
        url = f"sqlite+aiosqlite:///{Path(directory) / 'gateway.db'}"
        await migrate(url)
        await upsert_member(url, email=login.email, password=PASSWORD, account_numbers=numbers)
        settings = GatewaySettings(
            jwt_secret=SecretStr("hit-profile-signing-secret-" + "p" * 24),
            database_url=url,
            rate_limit_enabled=False,
        )
        cis = fake_cis_from_world(world)
        adapters = Adapters(
            cis=cis,
            oms=fake_oms_from_world(world),
            meters=fake_meters_from_world(world),
            cis_payments=cis,
        )
        app = create_app(settings, adapters, server_process=True)
        async with app.router.lifespan_context(app):
            await _measure(app, login.email, today, hits=hits, top=top, save=save)


async def _measure(
    app: Starlette, email: str, today: date, *, hits: int, top: int, save: Path | None
) -> None:
    signed_in = orjson.dumps(
        {"query": LOGIN, "variables": {"i": {"email": email, "password": PASSWORD}}}
    )
    _, answer = await call(app, signed_in)
    token = orjson.loads(answer)["data"]["login"]["accessToken"]
    variables = {"from": str(today - timedelta(days=30)), "to": str(today), "bills": 12}
    dashboard = orjson.dumps({"query": DASHBOARD_QUERY, "variables": variables})
    status, first = await call(app, dashboard, token)
    if status != 200 or b'"errors"' in first:
        raise SystemExit(f"the dashboard did not execute cleanly ({status}): {first[:300]!r}")
    await _hits(app, dashboard, token, 200)  # warm: the document cache, the held facts

    per_hit_ms = []
    for _ in range(ROUNDS):
        started = time.process_time()
        await _hits(app, dashboard, token, hits)
        per_hit_ms.append((time.process_time() - started) * 1000 / hits)
    print(
        f"CPU per hit: {min(per_hit_ms):.3f} ms (best of {ROUNDS} rounds of {hits} hits;"
        f" all: {', '.join(f'{ms:.3f}' for ms in per_hit_ms)})"
    )

    profiler = cProfile.Profile()
    profiler.enable()
    await _hits(app, dashboard, token, hits)
    profiler.disable()
    if save is not None:
        profiler.dump_stats(save)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.sort_stats("cumulative").print_stats(top)


async def _hits(app: Starlette, body: bytes, token: str, count: int) -> None:
    for _ in range(count):
        status, _ = await call(app, body, token)
        if status != 200:
            raise SystemExit(f"a hit was answered {status}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hit_profile", description=__doc__)
    parser.add_argument("--hits", type=int, default=2000, help="hits per measured round")
    parser.add_argument("--top", type=int, default=30, help="functions listed, by cumulative time")
    parser.add_argument("--save", type=Path, default=None, help="write the profile here (pstats)")
    args = parser.parse_args(argv)
    asyncio.run(profile(args.hits, args.top, args.save))
    return 0


if __name__ == "__main__":
    sys.exit(main())
