"""The worker: the loops that must run once per deployment, never once per web process.

`coop-gateway worker` opens the same things as the web process (`gateway.bootstrap`)
and runs the background jobs until it is told to stop (SIGTERM or SIGINT):

- the outbox (`gateway.core.outbox`): work written in the same transaction as its
  record (a payment's charge and CIS posting, a notification), claimed under a lease,
  carried out by the handler registered for its kind, retried with backoff and never
  dropped. Any number of workers may share a PostgreSQL database; on SQLite one
  worker holds a lock beside the database file and a second one is refused;
- the count of similar homes (`gateway.similar_homes.jobs`), at its start and daily;
- the CIS change-feed refresher, while the shared cache is on and
  `cis_change_poll_s` > 0: it drops from the cache what the CIS reports as changed,
  and keeps its cursor in the database so that a restarted worker reads on from it.
  Several web processes share what it drops only through Redis; the in-process cache
  is shared only where the worker runs in the same process (the demo).

On SIGTERM the outbox finishes the batch in hand (for at most `STOP_GRACE_S`); what is
cut short is claimed again once its lease has expired.

A job that ends before it is asked to stop (a bug, or a failure it could not ride out)
stops the worker with an error, so that a supervisor restarts it instead of the worker
idling without it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from adapters.cis.payments import CisPayments
from adapters.payments.port import PaymentProcessor
from gateway.bootstrap import Gateway, link_signer, open_gateway
from gateway.core.backends import Adapters
from gateway.core.cache import invalidate
from gateway.core.cache.feed_cursor import StoredCursor
from gateway.core.cache.port import Cache
from gateway.core.cache.refresher import CisChangeRefresher
from gateway.core.loaders import DataLoaders, LoaderOptions
from gateway.core.metrics import GatewayMetrics
from gateway.core.outbox import (
    AnotherWorkerRunning,
    Handler,
    OutboxMessage,
    OutboxRunner,
    RetryPolicy,
    acquire_worker_lock,
    default_worker_id,
)
from gateway.core.outbox.wakeup import listening_job
from gateway.documents.coop import CoopIdentity
from gateway.members import password_reset
from gateway.members.emails import MemberMail
from gateway.notifications import contacts
from gateway.notifications.account_notices import account_notices_job
from gateway.notifications.deliveries import DELIVER_KIND
from gateway.notifications.jobs import contact_code_handler, delivery_handler, sms_reply_handler
from gateway.notifications.outage_notices import outage_notices_job
from gateway.notifications.payment_notices import payment_notices_job
from gateway.notifications.quiet_hours import QuietHours
from gateway.notifications.replies import SMS_REPLY_KIND
from gateway.notifications.sending import SendingRules
from gateway.notifications.sms_routes import STATUS_PATH
from gateway.payments import pay_bill, processing, processor_events, refund, webhook_intake
from gateway.payments.autopay.jobs import drafting_job
from gateway.settings import GatewaySettings
from gateway.similar_homes.jobs import count_similar_homes, similar_homes_job

logger = logging.getLogger("gateway.worker")
# The exit status of a worker refused because another one holds the SQLite database.
WORKER_REFUSED = 3
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


# Seconds a job may take to finish what it holds once asked to stop; then it is cancelled.
STOP_GRACE_S = 10.0


@dataclass(frozen=True, slots=True)
class Job:
    name: str
    # Runs until the event is set (then returns soon) or until cancelled.
    run: Callable[[asyncio.Event], Coroutine[Any, Any, None]]


class JobEnded(RuntimeError):
    """A background job returned or failed, though it should run until stopped."""


def outbox_handlers(gateway: Gateway) -> dict[str, Handler]:
    """What carries out each kind of outbox entry. Domains add theirs here (payments,
    notifications); an entry of a kind nobody handles is set aside as NEEDS_ATTENTION."""
    mail = MemberMail(gateway.email, gateway.settings.public_base_url)

    async def reset_mail(message: OutboxMessage) -> None:
        await password_reset.send_reset_mail(store=gateway.store, mail=mail, message=message)

    return {
        password_reset.RESET_MAIL_KIND: reset_mail,
        pay_bill.PROCESS_PAYMENT_KIND: payment_handler(gateway),
        webhook_intake.PAYMENT_EVENT_KIND: payment_event_handler(gateway),
        refund.REFUND_PAYMENT_KIND: refund_handler(gateway),
        contacts.CONTACT_CODE_KIND: contact_code_handler(
            store=gateway.store, email=gateway.email, sms=gateway.adapters.sms
        ),
        SMS_REPLY_KIND: sms_reply_handler(
            store=gateway.store,
            sms=gateway.adapters.sms,
            coop=coop_of(gateway.settings),
        ),
        DELIVER_KIND: delivery_handler(
            store=gateway.store,
            email=gateway.email,
            sms=gateway.adapters.sms,
            rules=sending_rules(gateway.settings),
        ),
    }


def coop_of(settings: GatewaySettings) -> CoopIdentity:
    """The co-op as texts and notification emails name it: as its documents do."""
    return CoopIdentity(
        name=settings.coop_name, address=settings.coop_address, phone=settings.coop_phone
    )


def sending_rules(settings: GatewaySettings) -> SendingRules:
    """How notifications are sent, from the settings."""
    return SendingRules(
        coop=coop_of(settings),
        public_base_url=settings.public_base_url,
        status_callback_url=settings.public_base_url + STATUS_PATH,
        quiet_hours=QuietHours(settings.quiet_hours_start, settings.quiet_hours_end, settings.zone),
        outage_texts_in_quiet_hours=settings.outage_texts_in_quiet_hours,
        unsubscribe_links=link_signer(settings).for_origin(settings.public_base_url),
    )


class PaymentsNotSetUp(RuntimeError):
    """A payment is queued, but this worker has no processor or CIS payments to use."""


def payment_handler(gateway: Gateway) -> Handler:
    """Charges a queued payment and posts it to the CIS (`gateway.payments.processing`)."""
    forget_balance = _balance_forgetter(gateway)

    async def process(message: OutboxMessage) -> None:
        processor, cis = _payment_systems(gateway)
        await processing.process_payment(
            store=gateway.store,
            processor=processor,
            cis=cis,
            forget_balance=forget_balance,
            payment_id=str(message.payload["payment_id"]),
            last_attempt=message.attempt >= gateway.settings.worker_max_attempts,
        )

    return process


def _payment_systems(gateway: Gateway) -> tuple[PaymentProcessor, CisPayments]:
    processor, cis = gateway.adapters.payments, gateway.adapters.cis_payments
    if processor is None or cis is None:
        # Raised, not dropped: the entry is retried, and set aside once retries run out.
        raise PaymentsNotSetUp("no payment processor or CIS payments are configured")
    return processor, cis


def _balance_forgetter(gateway: Gateway) -> processing.ForgetBalance:
    cache = gateway.cache

    async def forget_balance(account_number: str) -> None:
        if cache is not None:
            await invalidate.after_payment(cache, account_number=account_number)

    return forget_balance


def payment_event_handler(gateway: Gateway) -> Handler:
    """Acts on a processor event the webhook route accepted: a settlement, a return or
    a refund (`gateway.payments.processor_events`)."""
    forget_balance = _balance_forgetter(gateway)

    async def handle(message: OutboxMessage) -> None:
        processor, cis = _payment_systems(gateway)
        await processor_events.handle_event(
            store=gateway.store,
            processor=processor,
            cis=cis,
            forget_balance=forget_balance,
            event_id=str(message.payload["event_id"]),
            last_attempt=message.attempt >= gateway.settings.worker_max_attempts,
        )

    return handle


def refund_handler(gateway: Gateway) -> Handler:
    """Refunds a payment an admin asked to refund (`gateway.payments.refund`)."""
    forget_balance = _balance_forgetter(gateway)

    async def handle(message: OutboxMessage) -> None:
        processor, cis = _payment_systems(gateway)
        await refund.refund_payment(
            store=gateway.store,
            processor=processor,
            cis=cis,
            forget_balance=forget_balance,
            payment_id=str(message.payload["payment_id"]),
            last_attempt=message.attempt >= gateway.settings.worker_max_attempts,
        )

    return handle


def outbox_runner(gateway: Gateway, handlers: Mapping[str, Handler]) -> OutboxRunner:
    settings = gateway.settings
    return OutboxRunner(
        gateway.store.engine,
        handlers,
        worker_id=settings.worker_id or default_worker_id(),
        batch_size=settings.worker_batch_size,
        poll_interval_s=settings.worker_poll_interval_s,
        lease_s=settings.worker_lease_s,
        retry=RetryPolicy(
            base_s=settings.worker_retry_base_s,
            cap_s=settings.worker_retry_cap_s,
            max_attempts=settings.worker_max_attempts,
        ),
    )


def background_jobs(gateway: Gateway, *, outbox: OutboxRunner | None = None) -> list[Job]:
    """The jobs this deployment's settings ask for; the outbox always runs."""
    settings = gateway.settings
    runner = outbox or outbox_runner(gateway, outbox_handlers(gateway))
    jobs = [
        Job("outbox", runner.run),
        # Other processes' new entries wake the runner at once (PostgreSQL).
        Job("outbox-wakeup", listening_job(gateway.store.engine, runner.wake)),
    ]
    if gateway.cache is not None and settings.cis_change_poll_s > 0:
        refresher = CisChangeRefresher(
            gateway.adapters.cis,
            gateway.cache,
            interval_s=settings.cis_change_poll_s,
            stats=gateway.metrics,
            # Read on after a restart from where the last worker stopped.
            cursors=StoredCursor(gateway.store),
        )
        jobs.append(Job("cis-change-refresher", refresher.run))
    if settings.autopay_draft_interval_s > 0:
        drafting = drafting_job(
            store=gateway.store,
            cis=gateway.adapters.cis,
            zone=settings.zone,
            interval_s=settings.autopay_draft_interval_s,
            on_outbox_committed=runner.wake,
        )
        jobs.append(Job("autopay-drafting", drafting))
    if settings.payment_notice_interval_s > 0:
        notices = payment_notices_job(
            store=gateway.store,
            zone=settings.zone,
            interval_s=settings.payment_notice_interval_s,
        )
        jobs.append(Job("payment-notices", notices))
    if settings.account_notice_interval_s > 0:
        jobs.append(Job("account-notices", _account_notices(gateway)))
    if settings.outage_notice_interval_s > 0:
        outages = outage_notices_job(
            store=gateway.store,
            oms=gateway.adapters.oms,
            loaders=scan_loaders(gateway),
            zone=settings.zone,
            interval_s=settings.outage_notice_interval_s,
        )
        jobs.append(Job("outage-notices", outages))
    if settings.similar_homes_interval_s > 0:
        similar_homes = similar_homes_job(
            store=gateway.store,
            cis=gateway.adapters.cis,
            meters=gateway.adapters.meters,
            loaders=scan_loaders(gateway),
            today=LoaderOptions(zone=settings.zone).today,
            months_back=settings.similar_homes_months,
            interval_s=settings.similar_homes_interval_s,
        )
        jobs.append(Job("similar-homes", similar_homes))
    return jobs


async def count_similar_homes_once(gateway: Gateway) -> list[date]:
    """One count of similar homes, as the worker's job makes them: for the demo, whose
    member should see theirs from the first page on."""
    settings = gateway.settings
    return await count_similar_homes(
        store=gateway.store,
        cis=gateway.adapters.cis,
        meters=gateway.adapters.meters,
        loaders=scan_loaders(gateway)(),
        today=LoaderOptions(zone=settings.zone).today(),
        months_back=settings.similar_homes_months,
    )


def scan_loaders(gateway: Gateway) -> Callable[[], DataLoaders]:
    """Fresh loaders for each scan, through the shared cache as a request reads: a scan
    right after a member looked costs the backends nothing."""
    adapters = gateway.adapters
    options = LoaderOptions(cache=gateway.cache, zone=gateway.settings.zone)

    def loaders() -> DataLoaders:
        return DataLoaders.create(
            cis=adapters.cis,
            oms=adapters.oms,
            meters=adapters.meters,
            options=options,
            cis_payments=adapters.cis_payments,
        )

    return loaders


def _account_notices(gateway: Gateway) -> Callable[[asyncio.Event], Coroutine[Any, Any, None]]:
    settings = gateway.settings
    return account_notices_job(
        store=gateway.store,
        loaders=scan_loaders(gateway),
        today=LoaderOptions(zone=settings.zone).today,
        interval_s=settings.account_notice_interval_s,
        per_minute=settings.account_notice_per_minute,
    )


async def run_jobs(jobs: list[Job], *, stop: asyncio.Event, grace_s: float = STOP_GRACE_S) -> None:
    """Run every job until `stop` is set; then give them `grace_s` to finish what they
    hold, cancel what is left and wait for it to end."""
    tasks = {asyncio.create_task(job.run(stop), name=job.name): job for job in jobs}
    stopping = asyncio.create_task(stop.wait(), name="worker-stop")
    logger.info("worker running: %s", ", ".join(job.name for job in jobs) or "no jobs")
    try:
        done, _ = await asyncio.wait({stopping, *tasks}, return_when=asyncio.FIRST_COMPLETED)
        for task, job in tasks.items():
            # A job that noticed `stop` as soon as this loop did ended as it should.
            if task in done and not stop.is_set():
                error = None if task.cancelled() else task.exception()
                raise JobEnded(f"the {job.name} job ended: {error!r}") from error
        if tasks:
            await asyncio.wait(tasks, timeout=grace_s)
    finally:
        everything: list[asyncio.Task[Any]] = [stopping, *tasks]
        for running in everything:
            running.cancel()
        # What a failed job raised is reported by JobEnded above, not again here.
        await asyncio.gather(*everything, return_exceptions=True)


async def run_worker(
    settings: GatewaySettings,
    *,
    stop: asyncio.Event,
    adapters: Adapters | None = None,
    cache: Cache | None = None,
) -> None:
    """Open the gateway's parts from `settings` and run the jobs until `stop` is set.

    Raises AnotherWorkerRunning at once if a worker already runs on this SQLite database.
    """
    metrics = GatewayMetrics(multiprocess_dir=settings.prometheus_multiproc_dir)
    with acquire_worker_lock(settings.database_url):
        async with open_gateway(
            settings, metrics=metrics, adapters=adapters, cache=cache
        ) as gateway:
            await run_jobs(background_jobs(gateway), stop=stop)


def run_worker_from_environment() -> int:
    """For `coop-gateway worker`: the settings come from COOP_* variables."""
    settings = GatewaySettings()  # type: ignore[call-arg]  # jwt_secret: from env
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await run_worker(settings, stop=stop)

    try:
        asyncio.run(main())
    except AnotherWorkerRunning as refused:
        logger.error("%s", refused)
        return WORKER_REFUSED
    return 0
