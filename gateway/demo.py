"""The demo: the generated co-op in every stand-in, served on loopback behind the gateway."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import sys
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import uvicorn
from pydantic import SecretStr
from starlette.applications import Starlette

from gateway.demo_tabs import demo_tabs
from gateway.forwarding import proxy_options
from simulators.seed import DEMO_EMAIL, DEMO_PASSWORD, generate_world
from simulators.seed.fingerprint import generator_fingerprint
from simulators.server import serve_asgi
from simulators.soap import MultiSpeakCredentials
from simulators.stores import StandInDatabases, seed_stand_ins, stand_in_schema_fingerprint

CIS_SERVICE_PATH = "/multispeak/v3/CB_Server.asmx"
# Publishable keys are not secrets (they sit in the portal's page source); the demo's is
# fixed so that the README's curl example works against `demo` and `simulate payments`.
DEMO_PUBLISHABLE_KEY = "pk_test_demo"
OMS_SERVICE_PATH = "/multispeak/v3/OA_Server.asmx"
# The demo member's first account (the seed numbers accounts from 2000100, the demo
# member's first): its GraphiQL tab of download links asks for it.
DEMO_DOCUMENTS_ACCOUNT = "2000100"
DEMO_SMS_NUMBER = "+15005550100"  # the co-op's number at the SMS stand-in
# `make web` builds the portal, the console and GraphiQL here, with the manifest of the
# documents they send by hash.
WEB_BUILD_DIR = Path("web/dist")
TRUSTED_DOCUMENTS_FILE = "persisted-documents.json"
# Where this run's stand-ins listen (their ports are the system's choice), in the data
# folder, for scripts and tests that read what the demo sent: the SMS outbox, say.
STAND_INS_FILE = "stand-ins.json"
# The demo's staff console logins, easy to type and published in the README: the demo
# seeds them directly, while `coop-gateway create-staff` holds real ones to the policy.
DEMO_STAFF = {
    "staff@example.com": ("staff-demo-pass", "staff"),
    "admin@example.com": ("admin-demo-pass", "admin"),
}


@dataclass(frozen=True, slots=True)
class DemoData:
    """Where the demo co-op's databases live, and which co-op they hold."""

    directory: Path
    accounts: int
    generator_seed: int

    @property
    def databases(self) -> StandInDatabases:
        return StandInDatabases.sqlite_files_in(self.directory)

    @property
    def gateway_database_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.directory.resolve() / 'gateway.db'}"

    @property
    def _marker(self) -> Path:
        return self.directory / "seed.json"

    def _wanted(self, as_of: date) -> dict[str, object]:
        return {
            "as_of": as_of.isoformat(),
            "accounts": self.accounts,
            "seed": self.generator_seed,
            "tables": stand_in_schema_fingerprint(),
            "generator": generator_fingerprint(),
        }

    async def ensure_seeded(self, *, as_of: date) -> None:
        """Seed unless the databases already hold this co-op as of this day."""
        try:
            current = json.loads(self._marker.read_text())
        except (OSError, ValueError):
            current = None
        if current != self._wanted(as_of):
            await self.seed(as_of=as_of)

    async def ensure_current(self, *, as_of: date) -> None:
        """`ensure_seeded`, and the gateway's database brought to the newest schema: one
        seeded today by an older checkout lacks the tables added since (nothing to do
        when it has them)."""
        from gateway.core.store.migrate import migrate

        await self.ensure_seeded(as_of=as_of)
        await migrate(self.gateway_database_url)

    async def seed(self, *, as_of: date) -> None:
        from gateway.core.store.migrate import migrate
        from gateway.identity.users import upsert_member

        self.directory.mkdir(parents=True, exist_ok=True)
        self._marker.unlink(missing_ok=True)
        _say(f"Generating the demo co-op ({self.accounts} accounts, as of {as_of})...")
        world = generate_world(accounts=self.accounts, seed=self.generator_seed, as_of=as_of)
        _say("Loading the CIS, outage and meter data stand-ins...")
        await seed_stand_ins(world, self.databases)
        await migrate(self.gateway_database_url)
        for login in world.logins:
            accounts = [
                a.account_number for a in world.accounts if a.customer_id in login.customer_ids
            ]
            await upsert_member(
                self.gateway_database_url,
                email=login.email,
                password=login.password,
                account_numbers=accounts,
            )
        self._marker.write_text(json.dumps(self._wanted(as_of)))


@dataclass(frozen=True, slots=True)
class DemoOptions:
    host: str
    port: int
    cis_latency_ms: float = 0.0
    oms_latency_ms: float = 0.0
    # The demo is for trying the API in a browser: GraphiQL is on unless turned off.
    graphiql: bool = True


def stand_in_app(
    system: str,
    databases: StandInDatabases,
    credentials: MultiSpeakCredentials,
    *,
    latency_ms: float,
) -> Starlette:
    if system == "cis":
        from simulators.cis.app import create_cis_app

        return create_cis_app(
            database_url=databases.cis, credentials=credentials, latency_ms=latency_ms
        )
    if system == "oms":
        from simulators.oms.app import create_oms_app

        return create_oms_app(
            database_url=databases.oms, credentials=credentials, latency_ms=latency_ms
        )
    raise ValueError(f"no stand-in called {system!r}")


def payments_stand_in_app(
    *,
    secret_key: str,
    publishable_key: str,
    webhook_secret: str,
    webhook_url: str | None,
    allowed_origins: tuple[str, ...],
    settle_after_s: float = 60.0,
    return_after_s: float = 60.0,
    latency_ms: float = 0.0,
) -> Starlette:
    from simulators.payments.app import PaymentsStandInConfig, create_payments_app

    return create_payments_app(
        PaymentsStandInConfig(
            secret_key=secret_key,
            publishable_key=publishable_key,
            webhook_secret=webhook_secret,
            webhook_url=webhook_url,
            allowed_origins=allowed_origins,
            settle_after_s=settle_after_s,
            return_after_s=return_after_s,
            latency_ms=latency_ms,
        )
    )


def sms_stand_in_app(
    *,
    account_sid: str,
    auth_token: str,
    from_number: str,
    status_callback_url: str | None = None,
    inbound_url: str | None = None,
    latency_ms: float = 0.0,
) -> Starlette:
    from simulators.sms.app import SmsStandInConfig, create_sms_app

    return create_sms_app(
        SmsStandInConfig(
            account_sid=account_sid,
            auth_token=auth_token,
            from_number=from_number,
            status_callback_url=status_callback_url,
            inbound_url=inbound_url,
            latency_ms=latency_ms,
        )
    )


async def run_demo(data: DemoData, options: DemoOptions) -> None:
    from gateway.app import create_app
    from gateway.bootstrap import open_gateway
    from gateway.core.metrics import GatewayMetrics
    from gateway.core.outbox import acquire_worker_lock
    from gateway.notifications.sms_routes import INBOUND_PATH, STATUS_PATH
    from gateway.payments.webhook_route import WEBHOOK_PATH
    from gateway.settings import GatewaySettings
    from gateway.worker import background_jobs, count_similar_homes_once, run_jobs

    await data.ensure_current(as_of=date.today())
    await _ensure_demo_staff(data)
    # Fresh credentials every run: the stand-ins and the gateway share them in memory only.
    cis_credentials = MultiSpeakCredentials(user_id="gateway", password=secrets.token_urlsafe(24))
    oms_credentials = MultiSpeakCredentials(user_id="gateway", password=secrets.token_urlsafe(24))
    async with AsyncExitStack() as stack:
        cis = await stack.enter_async_context(
            serve_asgi(
                stand_in_app(
                    "cis", data.databases, cis_credentials, latency_ms=options.cis_latency_ms
                )
            )
        )
        oms = await stack.enter_async_context(
            serve_asgi(
                stand_in_app(
                    "oms", data.databases, oms_credentials, latency_ms=options.oms_latency_ms
                )
            )
        )
        # The portal tokenizes cards at the stand-in, and the gateway's worker charges
        # them there; its webhooks (settlements, returns, refunds) come to this gateway.
        payments_secret_key = "sk_test_" + secrets.token_urlsafe(24)
        payments_webhook_secret = "whsec_" + secrets.token_urlsafe(24)
        payments = await stack.enter_async_context(
            serve_asgi(
                payments_stand_in_app(
                    secret_key=payments_secret_key,
                    publishable_key=DEMO_PUBLISHABLE_KEY,
                    webhook_secret=payments_webhook_secret,
                    webhook_url=f"http://{options.host}:{options.port}{WEBHOOK_PATH}",
                    allowed_origins=(f"http://{options.host}:{options.port}",),
                )
            )
        )
        # The SMS provider's stand-in: texts the gateway sends are read in its outbox.
        sms_account_sid = "AC" + secrets.token_hex(16)
        sms_auth_token = secrets.token_urlsafe(24)
        sms = await stack.enter_async_context(
            serve_asgi(
                sms_stand_in_app(
                    account_sid=sms_account_sid,
                    auth_token=sms_auth_token,
                    from_number=DEMO_SMS_NUMBER,
                    # Members' texts (STOP, HELP) and delivery statuses come to this gateway.
                    status_callback_url=f"http://{options.host}:{options.port}{STATUS_PATH}",
                    inbound_url=f"http://{options.host}:{options.port}{INBOUND_PATH}",
                )
            )
        )
        stand_ins = {"cis": cis, "oms": oms, "payments": payments, "sms": sms}
        (data.directory / STAND_INS_FILE).write_text(json.dumps(stand_ins, indent=2) + "\n")
        manifest = WEB_BUILD_DIR / TRUSTED_DOCUMENTS_FILE
        settings = GatewaySettings(
            cis_url=cis + CIS_SERVICE_PATH,
            cis_user=SecretStr(cis_credentials.user_id),
            cis_password=SecretStr(cis_credentials.password),
            oms_url=oms + OMS_SERVICE_PATH,
            oms_user=SecretStr(oms_credentials.user_id),
            oms_password=SecretStr(oms_credentials.password),
            payments_url=payments,
            payments_secret_key=SecretStr(payments_secret_key),
            payments_webhook_secret=SecretStr(payments_webhook_secret),
            sms_url=sms,
            sms_account_sid=sms_account_sid,
            sms_auth_token=SecretStr(sms_auth_token),
            sms_from_number=DEMO_SMS_NUMBER,
            meters_database_url=data.databases.meters,
            database_url=data.gateway_database_url,
            jwt_secret=SecretStr(secrets.token_urlsafe(32)),
            # No mail server in the demo: confirmation and reset emails become files.
            outbox_dir=data.directory / "outbox",
            public_base_url=f"http://{options.host}:{options.port}",
            graphiql_enabled=options.graphiql,
            web_build_dir=WEB_BUILD_DIR,
            web_apps_enabled=True,
            payments_browser_url=payments,
            payments_publishable_key=DEMO_PUBLISHABLE_KEY,
            # The operations the portal and the console send by hash, from their build.
            trusted_documents_path=manifest if manifest.is_file() else None,
        )
        metrics = GatewayMetrics(multiprocess_dir=settings.prometheus_multiproc_dir)
        # One process: the app and the worker share one open gateway, and so one
        # in-process cache, from which the worker's change-feed refresher drops entries.
        # The demo is this database's worker: a `coop-gateway worker` beside it is refused.
        stack.enter_context(acquire_worker_lock(settings.database_url))
        gateway = await stack.enter_async_context(open_gateway(settings, metrics=metrics))
        # Counted before the portal opens, so the member's comparison is there at once;
        # the worker's job below keeps it current, and tries again if this one failed.
        try:
            await count_similar_homes_once(gateway)
        except Exception:
            logging.getLogger("gateway.demo").exception("similar homes: the first count failed")
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(
                    settings,
                    gateway=gateway,
                    graphiql_tabs=demo_tabs(
                        email=DEMO_EMAIL,
                        password=DEMO_PASSWORD,
                        documents_account=DEMO_DOCUMENTS_ACCOUNT,
                    ),
                ),
                host=options.host,
                port=options.port,
                access_log=False,
                # uvicorn.Config trusts X-Forwarded-For from 127.0.0.1 unless told not to.
                **proxy_options(""),
            )
        )
        url = f"http://{options.host}:{options.port}"
        _say(
            f"\nThe co-op gateway is running:"
            f" {'GraphiQL' if options.graphiql else 'GraphQL'} at {url}/graphql\n"
            f"  Member portal: {url}/\n"
            f"  Staff console: {url}/staff\n"
            f"  CIS stand-in (MultiSpeak CB_Server): {cis}{CIS_SERVICE_PATH}?wsdl\n"
            f"  OMS stand-in (MultiSpeak OA_Server): {oms}{OMS_SERVICE_PATH}?wsdl\n"
            f"  Payment processor stand-in: {payments}/v1"
            f" (publishable key {DEMO_PUBLISHABLE_KEY})\n"
            f"  SMS provider stand-in: {sms}/v1, texts sent in {sms}/outbox.html"
            " (reply there, STOP or HELP, as the member's phone)\n"
            f"  Demo member login: {DEMO_EMAIL} / {DEMO_PASSWORD}"
            " (GraphiQL opens with its sign-in, dashboard and download links tabs)\n"
            f"  Demo staff logins: staff@example.com / staff-demo-pass (staff),"
            f" admin@example.com / admin-demo-pass (admin)\n"
            f"  Emails (registration, password reset) are written to {data.directory / 'outbox'}\n"
            "Press Ctrl+C to stop.\n"
        )
        stop = asyncio.Event()
        jobs = asyncio.create_task(run_jobs(background_jobs(gateway), stop=stop))
        try:
            await server.serve()
        finally:
            stop.set()
            await jobs


async def _ensure_demo_staff(data: DemoData) -> None:
    from gateway.identity.tables import Role
    from gateway.staff.logins import ensure_demo_staff

    await ensure_demo_staff(
        data.gateway_database_url,
        {email: (password, Role(role)) for email, (password, role) in DEMO_STAFF.items()},
    )


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()
