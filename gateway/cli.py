"""`coop-gateway`: run the gateway, its legacy stand-ins, the demo, and schema export.

Imports of heavy modules happen inside the commands so that `export-schema` and
`--help` stay quick and no command does I/O it does not need.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path


def _export_schema(_: argparse.Namespace) -> int:
    from gateway.export import export_schema

    sys.stdout.write(export_schema())
    return 0


# What a web process keeps of its own and hears changed only through Redis: with
# several processes and no Redis, a sign-out or a payment in one would not reach the
# others' stored answers or held sign-in facts, so those are switched off.
PROCESS_LOCAL_OFF: dict[str, str] = {
    "COOP_RESPONSE_CACHE_ENABLED": "false",
    "COOP_SESSION_HOLD_S": "0",
}


def _without_process_local_state(workers: int) -> None:
    """Several workers without Redis: switch off what only Redis keeps in step."""
    import os

    from gateway.settings import SharedRedisSettings

    if workers <= 1 or SharedRedisSettings().redis_url is not None:
        return
    os.environ.update(PROCESS_LOCAL_OFF)
    sys.stderr.write(
        f"coop-gateway: {workers} web processes without COOP_REDIS_URL: stored answers"
        " and held sign-ins are off, since only Redis tells every process of a change\n"
    )


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.forwarding import ForwardingSettings, proxy_options

    _without_process_local_state(args.workers)
    uvicorn.run(
        "gateway.app:create_app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,
        # Off unless COOP_FORWARDED_ALLOW_IPS names the proxies (see gateway.forwarding).
        **proxy_options(ForwardingSettings().forwarded_allow_ips),
    )
    return 0


def _migrate(_: argparse.Namespace) -> int:
    from gateway.core.store.migrate import migrate
    from gateway.settings import StoreSettings

    asyncio.run(migrate(StoreSettings().database_url))
    return 0


def _worker(_: argparse.Namespace) -> int:
    from gateway.worker import run_worker_from_environment

    return run_worker_from_environment()


def _seed(args: argparse.Namespace) -> int:
    from gateway.demo import DemoData

    data = DemoData(directory=args.data_dir, accounts=args.accounts, generator_seed=args.seed)
    asyncio.run(data.seed(as_of=args.as_of or date.today()))
    return 0


def _simulate(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    if args.system == "payments":
        return _simulate_payments(args)
    if args.system == "sms":
        return _simulate_sms(args)

    from gateway.demo import DemoData, stand_in_app
    from simulators.soap import MultiSpeakCredentials

    password = os.environ.get("COOP_SIMULATOR_PASSWORD")
    if not password:
        sys.stderr.write(
            "set COOP_SIMULATOR_PASSWORD to the MultiSpeak password callers must send\n"
        )
        return 2
    data = DemoData(directory=args.data_dir, accounts=args.accounts, generator_seed=args.seed)
    asyncio.run(data.ensure_seeded(as_of=date.today()))
    credentials = MultiSpeakCredentials(user_id=args.user, password=password)
    app = stand_in_app(args.system, data.databases, credentials, latency_ms=args.latency_ms)
    uvicorn.run(app, host=args.host, port=args.port, access_log=False)
    return 0


def _simulate_payments(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from gateway.demo import payments_stand_in_app

    secret_key = os.environ.get("COOP_PAYMENTS_SECRET_KEY", "")
    webhook_secret = os.environ.get("COOP_PAYMENTS_WEBHOOK_SECRET", "")
    if not secret_key.startswith("sk_test_") or not webhook_secret:
        sys.stderr.write(
            "set COOP_PAYMENTS_SECRET_KEY (sk_test_...) to the key callers must send and"
            " COOP_PAYMENTS_WEBHOOK_SECRET to the key webhooks are signed with\n"
        )
        return 2
    app = payments_stand_in_app(
        secret_key=secret_key,
        publishable_key=args.publishable_key,
        webhook_url=args.webhook_url,
        webhook_secret=webhook_secret,
        allowed_origins=tuple(args.allowed_origin),
        settle_after_s=args.settle_after_s,
        return_after_s=args.return_after_s,
        latency_ms=args.latency_ms,
    )
    uvicorn.run(app, host=args.host, port=args.port, access_log=False)
    return 0


def _simulate_sms(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from gateway.demo import sms_stand_in_app

    account_sid = os.environ.get("COOP_SMS_ACCOUNT_SID", "")
    auth_token = os.environ.get("COOP_SMS_AUTH_TOKEN", "")
    if not account_sid or not auth_token:
        sys.stderr.write(
            "set COOP_SMS_ACCOUNT_SID and COOP_SMS_AUTH_TOKEN to the credentials callers must"
            " send (the token also signs status callbacks and inbound texts)\n"
        )
        return 2
    app = sms_stand_in_app(
        account_sid=account_sid,
        auth_token=auth_token,
        from_number=args.from_number,
        status_callback_url=args.status_callback_url,
        inbound_url=args.inbound_url,
        latency_ms=args.latency_ms,
    )
    uvicorn.run(app, host=args.host, port=args.port, access_log=False)
    return 0


def _demo(args: argparse.Namespace) -> int:
    from gateway.demo import DemoData, DemoOptions, run_demo

    data = DemoData(directory=args.data_dir, accounts=args.accounts, generator_seed=args.seed)
    options = DemoOptions(
        host=args.host,
        port=args.port,
        cis_latency_ms=args.cis_latency_ms,
        oms_latency_ms=args.oms_latency_ms,
        graphiql=args.graphiql,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_demo(data, options))
    return 0


def _read_password(args: argparse.Namespace) -> str | None:
    """From stdin (one line) or a prompt, never from the command line."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        sys.stderr.write("no terminal to ask for the password on: use --password-stdin\n")
        return None
    password = getpass.getpass("Password for the staff login: ")
    if getpass.getpass("Once more: ") != password:
        sys.stderr.write("the passwords differ; nothing was changed\n")
        return None
    return password


def _create_staff(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from gateway.identity.tables import Role
    from gateway.settings import StoreSettings
    from gateway.staff.logins import StaffLoginRefused, create_staff

    try:
        settings = StoreSettings()
    except ValidationError as error:
        sys.stderr.write(f"the COOP_* settings are incomplete or wrong:\n{error}\n")
        return 2
    password = _read_password(args)
    if password is None:
        return 2
    try:
        login = asyncio.run(
            create_staff(
                settings.database_url,
                email=args.email,
                password=password,
                role=Role(args.role),
                reset=args.reset,
            )
        )
    except StaffLoginRefused as refused:
        sys.stderr.write(f"{refused}\n")
        return 1
    done = "created" if login.created else "reset (and signed out everywhere)"
    sys.stdout.write(f"{login.role.value} login {login.email} {done}\n")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="coop-gateway", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def data_options(command: argparse.ArgumentParser) -> None:
        command.add_argument(
            "--data-dir", type=Path, default=Path("var"), help="where the demo's databases live"
        )
        command.add_argument("--accounts", type=int, default=500, help="accounts in the demo co-op")
        command.add_argument("--seed", type=int, default=1, help="seed of the demo co-op generator")

    export = commands.add_parser("export-schema", help="print the GraphQL SDL")
    export.set_defaults(run=_export_schema)

    serve = commands.add_parser("serve", help="run the gateway configured from COOP_* variables")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.set_defaults(run=_serve)

    migrate = commands.add_parser(
        "migrate", help="bring the database of COOP_DATABASE_URL to the newest schema"
    )
    migrate.set_defaults(run=_migrate)

    worker = commands.add_parser(
        "worker", help="run the background jobs (change feed, outbox) from COOP_* variables"
    )
    worker.set_defaults(run=_worker)

    seed = commands.add_parser(
        "seed", help="(re)generate the demo co-op into every stand-in's database"
    )
    data_options(seed)
    seed.add_argument(
        "--as-of", type=date.fromisoformat, default=None, help="the demo's today (YYYY-MM-DD)"
    )
    seed.set_defaults(run=_seed)

    simulate = commands.add_parser(
        "simulate",
        help="run one stand-in (MultiSpeak SOAP, the payment processor or the SMS provider)",
    )
    simulate.add_argument("system", choices=("cis", "oms", "payments", "sms"))
    simulate.add_argument("--host", default="127.0.0.1")
    simulate.add_argument("--port", type=int, required=True)
    simulate.add_argument("--latency-ms", type=float, default=0.0, help="added to every call")
    simulate.add_argument("--user", default="gateway", help="MultiSpeak UserID callers must send")
    payments = simulate.add_argument_group("payments")
    payments.add_argument(
        "--publishable-key", default="pk_test_demo", help="the browser's key (pk_test_...)"
    )
    payments.add_argument("--webhook-url", default=None, help="where events are POSTed")
    payments.add_argument(
        "--allowed-origin", action="append", default=[], help="a portal origin, for CORS"
    )
    payments.add_argument("--settle-after-s", type=float, default=60.0, help="bank debits settle")
    payments.add_argument("--return-after-s", type=float, default=60.0, help="returns come")
    sms = simulate.add_argument_group("sms")
    sms.add_argument("--from-number", default="+15005550100", help="the co-op's number (E.164)")
    sms.add_argument(
        "--status-callback-url", default=None, help="status callbacks, when a send names none"
    )
    sms.add_argument("--inbound-url", default=None, help="where members' texts are POSTed")
    data_options(simulate)
    simulate.set_defaults(run=_simulate)

    demo = commands.add_parser("demo", help="run the gateway with the legacy stand-ins on loopback")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--cis-latency-ms", type=float, default=0.0)
    demo.add_argument("--oms-latency-ms", type=float, default=0.0)
    demo.add_argument(
        "--no-graphiql",
        dest="graphiql",
        action="store_false",
        help="answer browsers at /graphql without GraphiQL, as `serve` does by default",
    )
    data_options(demo)
    demo.set_defaults(run=_demo)

    staff = commands.add_parser(
        "create-staff",
        help="create a staff or admin login in the database of COOP_DATABASE_URL",
    )
    staff.add_argument("--email", required=True)
    staff.add_argument("--role", choices=("staff", "admin"), default="staff")
    staff.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    staff.add_argument(
        "--reset", action="store_true", help="set a new password (and role) for an existing one"
    )
    staff.set_defaults(run=_create_staff)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    result: int = args.run(args)
    return result


if __name__ == "__main__":
    raise SystemExit(main())
