"""A member's contacts: added, activated with a code sent to them, removed, listed.

Adding a contact queues its code in the outbox, in the transaction that writes the
contact, so a code asked for is never lost; the worker makes the code, keeps only its
hash, and sends it (`send_activation_code`). Each code the worker makes has the next
serial, and its message is named by it: a retried email or text is the same message
to the mail system or the provider, and only the newest code works. Adding a contact
that is waiting for its code again sends a new code.

Nothing is ever sent to a contact before it is activated but its code. Activating a
text number records the member's consent to texts (`consent`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Final

from adapters.email.port import EmailSender
from adapters.rules.email import is_email_address, normalize_email_address
from adapters.rules.numbers import parse_natural
from adapters.rules.phone import parse_phone
from adapters.sms.port import RejectReason, SmsRejected, SmsSender
from gateway.core.clock import Clock, as_utc, utc_now
from gateway.core.outcomes import FieldProblem
from gateway.core.store.gateway_store import GatewayStore
from gateway.core.store.unit_of_work import unit_of_work
from gateway.identity.throttle import LoginThrottle, Throttled, ThrottleLimits
from gateway.notifications import activation_codes as codes
from gateway.notifications import contacts_store
from gateway.notifications.consent import (
    CONSENT_WORDING,
    ConsentChange,
    ConsentMethod,
    is_opted_out,
    opt_in,
    record_carrier_opt_out,
    record_consent,
    user_actor,
)
from gateway.notifications.contacts_store import Contact, ContactKind
from gateway.notifications.tables import ContactRow, SmsOptOutRow

logger = logging.getLogger("gateway.notifications.contacts")

# The outbox entry that makes and sends a contact's code (see gateway.worker).
CONTACT_CODE_KIND: Final = "notifications.contact_code"
MAX_CONTACTS: Final = 10
MAX_VALUE_LENGTH: Final = 320
# The throttles below are the sign-in throttle's (`gateway.identity.throttle`), on its
# table: their keys name a contact or a destination instead of an email, and their
# client addresses are prefixed, so that wrong codes never spend an address's sign-in
# budget nor sign-ins theirs. Their window is the sign-in window (15 minutes), as the
# sign-in throttle prunes every attempt older than that.
THROTTLE_WINDOW: Final = timedelta(minutes=15)
# Wrong codes allowed per contact in the window, from anywhere: with 15-minute codes,
# about ten guesses at a million-to-one each.
ACTIVATION_LIMITS: Final = ThrottleLimits(
    failures_per_email_and_address=5,
    failures_per_address=20,
    failures_per_email=5,
    window=THROTTLE_WINDOW,
)
# Codes sent, wherever asked from: per login, and per address or number whatever login
# asks (a code is a message to someone who may not want it: no one is to be flooded).
# Per login: enough to set up every contact a login may keep at once.
CODE_SEND_LIMITS: Final = ThrottleLimits(
    failures_per_email_and_address=10,
    failures_per_address=20,
    failures_per_email=10,
    window=THROTTLE_WINDOW,
)
CODES_PER_DESTINATION: Final = 3
EMAIL_HINT: Final = "Enter an email address, like name@example.com."
PHONE_HINT: Final = "Enter a ten-digit mobile number, like 505-555-0142."


@dataclass(frozen=True, slots=True)
class ContactAdded:
    contact: Contact


@dataclass(frozen=True, slots=True)
class ContactAlreadyAdded:
    contact: Contact


@dataclass(frozen=True, slots=True)
class ContactMissing:
    """No such contact among the login's own (another login's reads the same)."""


@dataclass(frozen=True, slots=True)
class CodeRefused:
    expired: bool  # the newest code was right, or may have been, but is too old


@dataclass(frozen=True, slots=True)
class LoginContact:
    """The login's own address: it is removed only with the login."""


@dataclass(frozen=True, slots=True)
class ContactRemoved:
    contact_id: int


class TextsNotSetUp(RuntimeError):
    """A code is to be texted, but this worker has no SMS provider: retried, then set
    aside, so that it is sent once one is set up."""


def activation_throttle(store: GatewayStore, *, clock: Clock = utc_now) -> LoginThrottle:
    return LoginThrottle(store, ACTIVATION_LIMITS, clock=clock)


def code_send_throttle(store: GatewayStore, *, clock: Clock = utc_now) -> LoginThrottle:
    """Each code queued counts as an attempt that never succeeds: so many per window."""
    return LoginThrottle(store, CODE_SEND_LIMITS, clock=clock)


def _scoped(purpose: str, client_address: str | None) -> str:
    """The client address as this throttle counts it, apart from sign-ins."""
    return f"{purpose}:{client_address or 'unknown'}"


def login_email(email: str, *, confirmed: bool) -> str | None:
    """The login's address as its contact, or None while it is not confirmed."""
    return normalize_email_address(email) if confirmed else None


def normalized_value(kind: ContactKind, value: str) -> str | FieldProblem:
    """The one form a contact is kept and compared in, by the project's rules."""
    if len(value) > MAX_VALUE_LENGTH:
        return FieldProblem("value", EMAIL_HINT if kind is ContactKind.EMAIL else PHONE_HINT)
    if kind is ContactKind.EMAIL:
        address = normalize_email_address(value)
        return address if is_email_address(address) else FieldProblem("value", EMAIL_HINT)
    phone = parse_phone(value)
    return phone.e164 if phone is not None else FieldProblem("value", PHONE_HINT)


async def list_contacts(
    *, store: GatewayStore, user_id: int, login_address: str | None, clock: Clock = utc_now
) -> list[Contact]:
    if login_address is not None:
        await contacts_store.ensure_login_contact(
            store, user_id=user_id, email=login_address, now=clock()
        )
    return await contacts_store.contacts_of(store, user_id)


async def add_contact(
    *,
    store: GatewayStore,
    throttle: LoginThrottle,
    user_id: int,
    login_address: str | None,
    kind: ContactKind,
    value: str,
    request_id: str,
    client_address: str | None,
    clock: Clock = utc_now,
) -> ContactAdded | ContactAlreadyAdded | FieldProblem | Throttled:
    """Keep the contact, waiting for its code, and queue the code; `throttle`
    (`code_send_throttle`) bounds the codes sent per login and per destination."""
    normalized = normalized_value(kind, value)
    if isinstance(normalized, FieldProblem):
        return normalized
    now = clock()
    if login_address is not None:
        await contacts_store.ensure_login_contact(
            store, user_id=user_id, email=login_address, now=now
        )
    if kind is ContactKind.SMS and await is_opted_out(store, normalized):
        return FieldProblem(
            "value",
            "This number asked for no more texts. Text START to the co-op's number from it,"
            " then add it again.",
        )
    async with store.sessions() as session:
        known = await contacts_store.find_contact(
            session, user_id=user_id, kind=kind, value=normalized
        )
        if known is not None and known.activated_at is not None:
            return ContactAlreadyAdded(contacts_store.contact_of(known))
        if known is None and await contacts_store.count_contacts(session, user_id) >= MAX_CONTACTS:
            return _too_many()
    for key, budget in (
        (f"codes-by-user-{user_id}", None),
        (f"codes-to-{normalized}", CODES_PER_DESTINATION),
    ):
        admitted = await throttle.admit(
            email=key, client_address=_scoped("codes", client_address), per_email=budget
        )
        if isinstance(admitted, Throttled):
            return admitted
    async with unit_of_work(store, clock=lambda: now) as uow:
        row = await contacts_store.find_contact(
            uow.session, user_id=user_id, kind=kind, value=normalized
        )
        if row is not None and row.activated_at is not None:
            return ContactAlreadyAdded(contacts_store.contact_of(row))
        if row is None:
            if await contacts_store.count_contacts(uow.session, user_id) >= MAX_CONTACTS:
                return _too_many()
            row = ContactRow(
                user_id=user_id,
                kind=kind.value,
                value=normalized,
                is_login=False,
                created_at=as_utc(now),
                code_serial=0,
            )
            uow.session.add(row)
            await uow.session.flush()
        contact = contacts_store.contact_of(row)
        await uow.add_outbox(
            kind=CONTACT_CODE_KIND,
            payload={"contact_id": contact.id},
            idempotency_key=f"contact-code:{contact.id}:{request_id}",
        )
    logger.info("request %s: contact %s added, code queued", request_id, contact.id)
    return ContactAdded(contact)


def _too_many() -> FieldProblem:
    return FieldProblem("value", f"You can keep up to {MAX_CONTACTS} contacts; remove one first.")


async def send_activation_code(
    *,
    store: GatewayStore,
    email: EmailSender,
    sms: SmsSender | None,
    contact_id: int,
    clock: Clock = utc_now,
) -> None:
    """The worker's half of `add_contact`: a new code, its hash kept, the code sent.

    A contact removed or activated meanwhile gets nothing. A text the provider refuses
    for good (not a mobile number, opted out at the carrier) is not retried.
    """
    now = clock()
    if sms is None:
        async with store.sessions() as session:
            row = await contacts_store.get_contact(session, contact_id=contact_id)
            if row is not None and row.kind == ContactKind.SMS.value:
                raise TextsNotSetUp("a contact's code is to be texted, but no SMS provider is set")
    code = codes.new_code()
    async with store.sessions.begin() as session:
        row = await contacts_store.get_contact(session, contact_id=contact_id, for_update=True)
        if row is None or row.activated_at is not None:
            return
        stopped = (
            await session.get(SmsOptOutRow, row.value)
            if row.kind == ContactKind.SMS.value
            else None
        )
        if stopped is not None:
            # The number texted STOP after the code was asked for: it gets nothing.
            logger.info("contact %s: the number stopped texts; no code sent", contact_id)
            return
        row.code_serial += 1
        row.code_hash = codes.code_hash(contact_id=row.id, serial=row.code_serial, code=code)
        row.code_expires_at = as_utc(now + codes.CODE_TTL)
        kind, to, serial = ContactKind(row.kind), row.value, row.code_serial
    if kind is ContactKind.EMAIL:
        await email.send(codes.code_email(to=to, code=code, contact_id=contact_id, serial=serial))
        return
    assert sms is not None  # checked above: a text contact stays a text contact
    try:
        await sms.send(
            to=to, body=codes.code_text(code), idempotency_key=codes.message_key(contact_id, serial)
        )
    except SmsRejected as rejected:
        logger.warning("contact %s: the code's text was refused (%s)", contact_id, rejected.reason)
        if rejected.reason is RejectReason.OPTED_OUT:
            await record_carrier_opt_out(
                store, phone=to, source=f"contact-code:{contact_id}:{serial}", now=now
            )


async def activate_contact(
    *,
    store: GatewayStore,
    throttle: LoginThrottle,
    user_id: int,
    contact_id: str,
    code: str,
    client_address: str | None,
    request_id: str,
    clock: Clock = utc_now,
) -> Contact | ContactMissing | CodeRefused | Throttled:
    number = parse_natural(contact_id.strip())
    if number is None:
        return ContactMissing()
    async with store.sessions() as session:
        row = await contacts_store.get_contact(session, contact_id=number, user_id=user_id)
        if row is None:
            return ContactMissing()
        if row.activated_at is not None:
            return contacts_store.contact_of(row)
    code = code.strip()
    if not codes.plausible_code(code):
        return CodeRefused(expired=False)
    admitted = await throttle.admit(
        email=f"contact-{number}", client_address=_scoped("activate", client_address)
    )
    if isinstance(admitted, Throttled):
        return admitted
    now = clock()
    async with unit_of_work(store, clock=lambda: now) as uow:
        row = await contacts_store.get_contact(
            uow.session, contact_id=number, user_id=user_id, for_update=True
        )
        if row is None:
            return ContactMissing()
        if row.activated_at is not None:
            return contacts_store.contact_of(row)
        if row.code_hash is None or not codes.code_matches(
            contact_id=row.id, serial=row.code_serial, code=code, stored_hash=row.code_hash
        ):
            return CodeRefused(expired=False)
        if row.code_expires_at is None or as_utc(row.code_expires_at) <= now:
            return CodeRefused(expired=True)
        row.activated_at = as_utc(now)
        row.code_hash = None
        row.code_expires_at = None
        if row.kind == ContactKind.SMS.value:
            await record_consent(
                uow.session,
                phone=row.value,
                user_id=user_id,
                change=ConsentChange.GRANTED,
                method=ConsentMethod.CONTACT_ACTIVATION,
                source=f"request:{request_id}",
                actor=user_actor(user_id),
                wording=CONSENT_WORDING,
                now=now,
            )
            # Express consent given now, online, outweighs an older STOP from the phone.
            await opt_in(uow.session, phone=row.value)
        contact = contacts_store.contact_of(row)
    await throttle.succeeded(admitted)
    logger.info("request %s: contact %s activated", request_id, contact.id)
    return contact


async def remove_contact(
    *,
    store: GatewayStore,
    user_id: int,
    contact_id: str,
    request_id: str,
    clock: Clock = utc_now,
) -> ContactRemoved | ContactMissing | LoginContact:
    number = parse_natural(contact_id.strip())
    if number is None:
        return ContactMissing()
    now = clock()
    async with unit_of_work(store, clock=lambda: now) as uow:
        row = await contacts_store.get_contact(
            uow.session, contact_id=number, user_id=user_id, for_update=True
        )
        if row is None:
            return ContactMissing()
        if row.is_login:
            return LoginContact()
        if row.kind == ContactKind.SMS.value and row.activated_at is not None:
            await record_consent(
                uow.session,
                phone=row.value,
                user_id=user_id,
                change=ConsentChange.REVOKED,
                method=ConsentMethod.CONTACT_REMOVED,
                source=f"request:{request_id}",
                actor=user_actor(user_id),
                wording="The member removed this number from their contacts.",
                now=now,
            )
        await contacts_store.delete_contact(uow.session, number)
    logger.info("request %s: contact %s removed", request_id, number)
    return ContactRemoved(number)
