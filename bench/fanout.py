"""Billing day: thousands of BILL_AVAILABLE notices, half by email and half by text,
through one and then two workers, and a worker killed with SIGKILL in the middle.

The mail goes to a real SMTP relay (`bench.smtp_sink`, in a process of its own, taking
each message after a delay) and the texts to the SMS stand-in (its own process, with
its latency), whose delivery reports come back to a gateway web process. The gateway's
database is a throwaway PostgreSQL server's: several workers share an outbox only
there. The notices are queued as the scan would queue them (a delivery row and its
outbox entry each) before the workers start, and the time is from the workers' start
to the last notice settled.

What was received is counted where it arrives: each Message-ID the relay wrote, each
message the SMS stand-in keeps. A duplicate is a message received more than once; a
loss is a notice neither SENT nor DELIVERED at the end, or one the relay or the
provider never got.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import socket
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import httpx
from sqlalchemy import func, insert, select

from bench.machine import load_average
from bench.processes import ChildProcess, free_port, start_child
from bench.results import FanoutRound, FanoutRun
from bench.rss import peak_rss_mb
from bench.stack import STAND_IN_START_TIMEOUT_S, base_environment, gateway_command, start_worker
from gateway.core.store.migrate import migrate
from gateway.core.store.open import open_store
from gateway.core.store.unit_of_work import unit_of_work
from gateway.identity.tables import Role, User
from gateway.notifications.contacts_store import Contact, ContactKind
from gateway.notifications.deliveries import DeliveryStatus, message_key, queue_delivery
from gateway.notifications.preferences_store import StoredPreference, save_preference
from gateway.notifications.tables import ContactRow, DeliveryRow
from gateway.notifications.types import NotificationType, TypeSettings
from simulators.postgres import throwaway_postgres

KIND: Final = NotificationType.BILL_AVAILABLE
SMS_ACCOUNT: Final = "AC_bench"
SMS_FROM: Final = "+15005550100"
MAIL_DOMAIN: Final = "members.bench"  # the members' addresses
QUEUED_PER_TRANSACTION: Final = 200
WATCH_INTERVAL_S: Final = 0.25
# A text the carrier confirmed is DELIVERED, past SENT: both arrived.
_ARRIVED: Final = frozenset({DeliveryStatus.SENT.value, DeliveryStatus.DELIVERED.value})
PATIENCE_S: Final = 900.0  # a hang guard


@dataclass(frozen=True, slots=True)
class FanoutPlan:
    notices: int = 5000
    smtp_latency_ms: float = 50.0
    sms_latency_ms: float = 100.0
    lease_s: float = 15.0  # a killed worker's claims come back after this
    kill_at_fraction: float = 0.4

    @classmethod
    def quick(cls) -> FanoutPlan:
        return cls(notices=600)


class FanoutFailed(RuntimeError):
    """The notices did not all settle in time."""


def fanout_section(
    *,
    work_dir: Path,
    settings: dict[str, str],
    plan: FanoutPlan,
    command: str,
    say: Callable[[str], None],
) -> FanoutRun:
    date = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_before = load_average()
    with ExitStack() as stack:
        say("[fanout] starting PostgreSQL, a mail relay and the SMS stand-in")
        server = stack.enter_context(throwaway_postgres())
        database_url = server.create_database("bench_fanout")
        mail_record = work_dir / "relay-received.txt"
        smtp_port = _start_relay(stack, work_dir, mail_record, plan.smtp_latency_ms)
        sms_url, token = _start_sms(stack, work_dir, plan.sms_latency_ms)
        contacts = asyncio.run(_members(database_url, plan.notices))
        environment = {
            **base_environment(),
            **settings,
            "COOP_DATABASE_URL": database_url,
            "COOP_SMTP_HOST": "127.0.0.1",
            "COOP_SMTP_PORT": str(smtp_port),
            "COOP_SMTP_STARTTLS": "false",
            "COOP_SMS_URL": sms_url,
            "COOP_SMS_ACCOUNT_SID": SMS_ACCOUNT,
            "COOP_SMS_AUTH_TOKEN": token,
            "COOP_SMS_FROM_NUMBER": SMS_FROM,
            # Billing day at any hour: texts are not held for quiet hours here.
            "COOP_QUIET_HOURS_START": "00:00",
            "COOP_QUIET_HOURS_END": "00:00",
            "COOP_WORKER_LEASE_S": f"{plan.lease_s:g}",
            # Only the notices queued here: no scans, no feed.
            "COOP_ACCOUNT_NOTICE_INTERVAL_S": "0",
            "COOP_OUTAGE_NOTICE_INTERVAL_S": "0",
            "COOP_PAYMENT_NOTICE_INTERVAL_S": "0",
            "COOP_AUTOPAY_DRAFT_INTERVAL_S": "0",
            "COOP_SIMILAR_HOMES_INTERVAL_S": "0",
            "COOP_CIS_CHANGE_POLL_S": "0",
        }
        # The web process takes the provider's delivery reports, as deployed: without it
        # the stand-in would spend itself retrying callbacks nobody answers.
        environment["COOP_PUBLIC_BASE_URL"] = _start_web(stack, work_dir, environment)
        rounds = []
        for workers in (1, 2):
            say(f"[fanout] {plan.notices} notices through {workers} worker(s)")
            rounds.append(
                _round(
                    f"run{workers}",
                    workers,
                    contacts,
                    database_url=database_url,
                    environment=environment,
                    work_dir=work_dir,
                    mail_record=mail_record,
                    sms_url=sms_url,
                    token=token,
                    kill_at=None,
                )
            )
            say(f"[fanout]   {rounds[-1].messages_per_s:.0f} messages/s")
        say(f"[fanout] {plan.notices} notices, 2 workers, one killed with SIGKILL")
        rounds.append(
            _round(
                "killed",
                2,
                contacts,
                database_url=database_url,
                environment=environment,
                work_dir=work_dir,
                mail_record=mail_record,
                sms_url=sms_url,
                token=token,
                kill_at=plan.kill_at_fraction,
            )
        )
        say(f"[fanout]   {rounds[-1].duplicates} duplicate(s), {rounds[-1].losses} loss(es)")
    return FanoutRun(
        date=date,
        command=command,
        notices=plan.notices,
        smtp_latency_ms=plan.smtp_latency_ms,
        sms_latency_ms=plan.sms_latency_ms,
        lease_s=plan.lease_s,
        load_average_start=load_before,
        load_average_end=load_average(),
        rounds=rounds,
    )


def _round(
    batch: str,
    workers: int,
    contacts: Sequence[Contact],
    *,
    database_url: str,
    environment: dict[str, str],
    work_dir: Path,
    mail_record: Path,
    sms_url: str,
    token: str,
    kill_at: float | None,
) -> FanoutRound:
    queued = asyncio.run(_queue(database_url, contacts, batch))
    delivery_ids = sorted(queued)
    with ExitStack() as stack:
        started = time.monotonic()
        running = []
        for n in range(workers):
            worker = start_worker(f"fanout-{batch}-{n}", environment=environment, work_dir=work_dir)
            stack.callback(worker.stop)
            running.append(worker)
        killed = 0
        peaks: dict[int, float] = {}

        def note_peaks() -> None:
            for worker in running:
                peak = peak_rss_mb(worker.pid)
                if peak is not None:
                    peaks[worker.pid] = max(peaks.get(worker.pid, 0.0), peak)

        while True:
            note_peaks()
            settled = asyncio.run(_settled(database_url, delivery_ids))
            if settled >= len(delivery_ids):
                break
            if kill_at is not None and not killed and settled >= kill_at * len(delivery_ids):
                _kill(running[0])
                killed = 1
            if time.monotonic() - started > PATIENCE_S:
                raise FanoutFailed(f"{batch}: {settled} of {len(delivery_ids)} settled in time")
            time.sleep(WATCH_INTERVAL_S)
        duration_s = time.monotonic() - started
    statuses = asyncio.run(_statuses(database_url, delivery_ids))
    mail_keys = {_key(i) for i, kind in queued.items() if kind is ContactKind.EMAIL}
    text_keys = {_key(i) for i, kind in queued.items() if kind is ContactKind.SMS}
    mail = _mail_counts(mail_record)
    texts = _texts(sms_url, token)
    received_mail = {key: mail[key] for key in mail_keys if mail[key]}
    received_texts = {key: texts[key] for key in text_keys if texts[key]}
    duplicates = sum(n - 1 for n in received_mail.values()) + sum(
        n - 1 for n in received_texts.values()
    )
    not_sent = sum(n for status, n in statuses.items() if status not in _ARRIVED)
    unreceived = (len(mail_keys) - len(received_mail)) + (len(text_keys) - len(received_texts))
    return FanoutRound(
        name=batch,
        workers=workers,
        killed=killed,
        notices=len(delivery_ids),
        duration_s=duration_s,
        messages_per_s=len(delivery_ids) / duration_s,
        peak_rss_mb=sorted(peaks.values()),
        statuses=statuses,
        emails_received=sum(received_mail.values()),
        texts_received=sum(received_texts.values()),
        duplicates=duplicates,
        losses=max(not_sent, unreceived),
    )


def _kill(worker: ChildProcess) -> None:
    os.killpg(worker.pid, signal.SIGKILL)


def _key(delivery_id: int) -> str:
    """The name a delivery's message goes by at the relay and the provider."""
    return message_key(f"delivery:{delivery_id}")


def _mail_counts(record: Path) -> Counter[str]:
    """Messages the relay received, by the key in their Message-ID (<key@domain>)."""
    ids = (line.strip().strip("<>") for line in record.read_text().splitlines())
    return Counter(message_id.partition("@")[0] for message_id in ids if message_id)


def _start_relay(stack: ExitStack, work_dir: Path, record: Path, latency_ms: float) -> int:
    port = free_port()
    relay = start_child(
        "smtp-relay",
        [
            sys.executable,
            "-m",
            "bench.smtp_sink",
            "--port",
            str(port),
            "--latency-ms",
            f"{latency_ms:g}",
            "--record",
            str(record),
        ],
        env=base_environment(),
        log_dir=work_dir,
    )
    stack.callback(relay.stop)
    relay.wait_until(lambda: _listens(port), timeout_s=STAND_IN_START_TIMEOUT_S, what="listening")
    return port


def _start_web(stack: ExitStack, work_dir: Path, environment: dict[str, str]) -> str:
    """`coop-gateway serve` on the run's settings; its URL, for the status callbacks."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    web = start_child(
        "fanout-web",
        gateway_command("serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
        env={**environment, "COOP_PUBLIC_BASE_URL": url},
        log_dir=work_dir,
    )
    stack.callback(web.stop)
    web.wait_for_http(f"{url}/readyz", timeout_s=STAND_IN_START_TIMEOUT_S)
    return url


def _listens(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _start_sms(stack: ExitStack, work_dir: Path, latency_ms: float) -> tuple[str, str]:
    port = free_port()
    token = secrets.token_urlsafe(24)
    child = start_child(
        "sms-stand-in",
        gateway_command("simulate", "sms", "--port", str(port), "--latency-ms", f"{latency_ms:g}"),
        env={
            **base_environment(),
            "COOP_SMS_ACCOUNT_SID": SMS_ACCOUNT,
            "COOP_SMS_AUTH_TOKEN": token,
        },
        log_dir=work_dir,
    )
    stack.callback(child.stop)
    url = f"http://127.0.0.1:{port}"
    child.wait_for_http(f"{url}/outbox", timeout_s=STAND_IN_START_TIMEOUT_S)
    return url, token


def _texts(sms_url: str, token: str) -> Counter[str]:
    """How many messages the provider keeps under each idempotency key."""
    answer = httpx.get(f"{sms_url}/outbox", timeout=60.0)
    answer.raise_for_status()
    return Counter(m.get("idempotency_key", "") for m in answer.json()["messages"])


async def _members(database_url: str, count: int) -> list[Contact]:
    """`count` members, each with one activated contact: the even ones their login's
    email, the odd ones a mobile number they chose for new bills."""
    await migrate(database_url)
    store = open_store(database_url)
    now = datetime.now(UTC)
    try:
        async with store.sessions.begin() as session:
            ids = list(
                await session.scalars(
                    insert(User).returning(User.id),
                    [
                        {
                            "email": f"member{n}@{MAIL_DOMAIN}",
                            "password_hash": "no password",
                            "role": Role.MEMBER.value,
                            "created_at": now,
                            "email_confirmed_at": now,
                        }
                        for n in range(count)
                    ],
                )
            )
            await session.execute(
                insert(ContactRow),
                [
                    {
                        "user_id": user_id,
                        "kind": (ContactKind.EMAIL if n % 2 == 0 else ContactKind.SMS).value,
                        "value": (
                            f"member{n}@{MAIL_DOMAIN}" if n % 2 == 0 else f"+1505{2000000 + n:07d}"
                        ),
                        "is_login": n % 2 == 0,
                        "created_at": now,
                        "activated_at": now,
                        "code_serial": 1,
                    }
                    for n, user_id in enumerate(ids)
                ],
            )
        async with store.sessions() as session:
            rows = (await session.scalars(select(ContactRow).order_by(ContactRow.id))).all()
            contacts = [
                Contact(
                    id=row.id,
                    user_id=row.user_id,
                    kind=ContactKind(row.kind),
                    value=row.value,
                    is_login=row.is_login,
                    created_at=now,
                    activated_at=now,
                )
                for row in rows
            ]
        for contact in contacts:
            if contact.kind is ContactKind.SMS:
                await save_preference(
                    store,
                    user_id=contact.user_id,
                    account_number=_account(contact),
                    preference=StoredPreference(
                        type=KIND,
                        enabled=True,
                        settings=TypeSettings(),
                        contact_ids=frozenset({contact.id}),
                    ),
                    now=now,
                )
        return contacts
    finally:
        await store.aclose()


def _account(contact: Contact) -> str:
    return f"9{contact.user_id:07d}"


async def _queue(
    database_url: str, contacts: Sequence[Contact], batch: str
) -> dict[int, ContactKind]:
    """A notice to every contact; each delivery's id, and how it goes."""
    store = open_store(database_url)
    now = datetime.now(UTC)
    ids: dict[int, ContactKind] = {}
    try:
        for start in range(0, len(contacts), QUEUED_PER_TRANSACTION):
            async with unit_of_work(store) as uow:
                for contact in contacts[start : start + QUEUED_PER_TRANSACTION]:
                    delivery_id = await queue_delivery(
                        uow,
                        dedupe_key=f"{KIND.value}:{_account(contact)}:{batch}:{contact.id}",
                        contact=contact,
                        type_=KIND.value,
                        account_number=_account(contact),
                        subject="Your bill is ready",
                        body=f"Your bill for account ending {_account(contact)[-4:]} is ready.",
                        now=now,
                    )
                    if delivery_id is None:
                        raise FanoutFailed(f"{batch}: a notice was queued before")
                    ids[delivery_id] = contact.kind
    finally:
        await store.aclose()
    return ids


async def _settled(database_url: str, delivery_ids: Sequence[int]) -> int:
    statuses = await _statuses(database_url, delivery_ids)
    return sum(n for status, n in statuses.items() if status != DeliveryStatus.QUEUED.value)


async def _statuses(database_url: str, delivery_ids: Sequence[int]) -> dict[str, int]:
    store = open_store(database_url)
    try:
        async with store.sessions() as session:
            rows = await session.execute(
                select(DeliveryRow.status, func.count())
                .where(DeliveryRow.id.between(min(delivery_ids), max(delivery_ids)))
                .group_by(DeliveryRow.status)
            )
            return {status: int(n) for status, n in rows}
    finally:
        await store.aclose()
