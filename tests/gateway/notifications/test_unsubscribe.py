"""The unsubscribe link of a notification email: it stops that type, about that account,
at that address, and nothing else; following it (GET) changes nothing; a link altered,
expired or not the holder's stops nothing."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import select
from starlette.applications import Starlette

from adapters.email.fake import FakeEmailSender
from adapters.email.port import OutgoingEmail
from adapters.sms.fake import FakeSmsSender
from gateway.core.signed_links import LinkSigner
from gateway.core.store.gateway_store import GatewayStore
from gateway.notifications.contacts_store import ContactKind, ensure_login_contact
from gateway.notifications.deliveries import get_delivery
from gateway.notifications.preferences_store import (
    StoredPreference,
    preferences_of,
    save_preference,
)
from gateway.notifications.sending import deliver
from gateway.notifications.tables import ContactRow
from gateway.notifications.types import RULES, NotificationType
from gateway.notifications.unsubscribe import UNSUBSCRIBE_TTL
from gateway.notifications.unsubscribe_routes import unsubscribe_routes
from simulators.world import World
from tests.gateway.core.store.databases import store_on_each_backend
from tests.gateway.notifications.support import (
    PORTAL,
    contact_of,
    new_member,
    queue_notice,
    sending_rules,
)
from tests.gateway.support import Member

store = store_on_each_backend()
KEY = secrets.token_bytes(32)


def signer(now: datetime | None = None) -> LinkSigner:
    return LinkSigner(KEY, clock=lambda: now or datetime.now(UTC), origin=PORTAL)


@pytest_asyncio.fixture
async def site(store: GatewayStore) -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(
        routes=unsubscribe_routes(
            links=signer(),
            store=lambda: store,
            coop_name="Mesa Verde Electric",
            manage_url=f"{PORTAL}/notifications",
        )
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url=PORTAL) as client:
        yield client


async def mailed(
    store: GatewayStore, member: Member, contact_id: int, kind: str, account: str, *, at: datetime
) -> OutgoingEmail:
    """The email the worker sends for a notice of `kind`, its links signed at `at`."""
    delivery_id = await queue_notice(
        store, member, contact_id, kind, account, f"{kind}:{member.user_id}:{contact_id}"
    )
    assert delivery_id is not None
    email = FakeEmailSender()
    await deliver(
        store=store,
        email=email,
        sms=FakeSmsSender(),
        rules=replace(sending_rules(None), unsubscribe_links=signer(at)),
        delivery_id=delivery_id,
    )
    [sent] = email.sent
    return sent


async def choose(
    store: GatewayStore, member: Member, account: str, *contact_ids: int
) -> dict[NotificationType, StoredPreference]:
    """PAYMENT_DUE and OUTAGE both to `contact_ids`, as the portal's matrix sets them."""
    for kind in (NotificationType.PAYMENT_DUE, NotificationType.OUTAGE):
        await save_preference(
            store,
            user_id=member.user_id,
            account_number=account,
            preference=StoredPreference(
                type=kind,
                enabled=True,
                settings=RULES[kind].defaults,
                contact_ids=frozenset(contact_ids),
            ),
            now=datetime.now(UTC),
        )
    return await preferences_of(store, user_id=member.user_id, account_number=account)


async def login_contact(store: GatewayStore, member: Member) -> int:
    """The contact the login's own address is from the start; its id."""
    await ensure_login_contact(
        store, user_id=member.user_id, email=member.email, now=datetime.now(UTC)
    )
    async with store.sessions() as session:
        found = await session.scalar(
            select(ContactRow.id).where(
                ContactRow.user_id == member.user_id, ContactRow.is_login.is_(True)
            )
        )
    assert found is not None
    return int(found)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def test_the_link_stops_that_type_to_that_address_only_when_posted(
    store: GatewayStore, world: World, site: httpx.AsyncClient
) -> None:
    account = world.accounts[0].account_number
    member = await new_member(store, account)
    email = await contact_of(store, member, ContactKind.EMAIL, f"second-{member.user_id}@x.coop")
    phone = await contact_of(store, member, ContactKind.SMS, "+15055550177")
    chosen = await choose(store, member, account, email, phone)
    sent = await mailed(store, member, email, "payment_due", account, at=datetime.now(UTC))
    assert sent.unsubscribe_url is not None

    shown = await site.get(path_of(sent.unsubscribe_url))
    after_get = await preferences_of(store, user_id=member.user_id, account_number=account)
    done = await site.post(path_of(sent.unsubscribe_url), data={"List-Unsubscribe": "One-Click"})
    after = await preferences_of(store, user_id=member.user_id, account_number=account)

    assert sent.unsubscribe_url.startswith(f"{PORTAL}/notifications/unsubscribe?")
    assert sent.unsubscribe_url in sent.text
    assert shown.status_code == 200
    assert "Stop payment due emails" in shown.text
    assert '<form method="post">' in shown.text
    assert "script-src" not in shown.headers["content-security-policy"]
    assert "form-action 'self'" in shown.headers["content-security-policy"]
    assert shown.headers["referrer-policy"] == "no-referrer"
    assert after_get == chosen
    assert done.status_code == 200
    assert "no more payment due emails" in done.text
    due = after[NotificationType.PAYMENT_DUE]
    assert (due.enabled, due.contact_ids) == (True, frozenset({phone}))
    assert after[NotificationType.OUTAGE] == chosen[NotificationType.OUTAGE]


async def test_a_default_choice_is_turned_off_and_the_next_notice_is_suppressed(
    store: GatewayStore, world: World, site: httpx.AsyncClient
) -> None:
    account = world.accounts[1].account_number
    member = await new_member(store, account)
    login = await login_contact(store, member)
    sent = await mailed(store, member, login, "bill_available", account, at=datetime.now(UTC))
    assert sent.unsubscribe_url is not None

    first = await site.post(path_of(sent.unsubscribe_url))
    again = await site.post(path_of(sent.unsubscribe_url))
    later = await queue_notice(store, member, login, "bill_available", account, "later")
    assert later is not None
    await deliver(
        store=store,
        email=FakeEmailSender(),
        sms=FakeSmsSender(),
        rules=sending_rules(None),
        delivery_id=later,
    )
    found = await get_delivery(store, later)

    assert (first.status_code, again.status_code) == (200, 200)
    stored = await preferences_of(store, user_id=member.user_id, account_number=account)
    assert stored[NotificationType.BILL_AVAILABLE].enabled is False
    assert found is not None
    assert (found.status.value, found.reason) == ("suppressed", "preference_off")


@pytest.mark.parametrize("spoil", ["other delivery", "altered", "unsigned", "expired"])
async def test_a_link_that_is_not_valid_stops_nothing(
    store: GatewayStore, world: World, site: httpx.AsyncClient, spoil: str
) -> None:
    account = world.accounts[2].account_number
    member = await new_member(store, account)
    other = await new_member(store, account)
    email = await contact_of(store, member, ContactKind.EMAIL, f"m-{member.user_id}@x.coop")
    theirs = await contact_of(store, other, ContactKind.EMAIL, f"o-{other.user_id}@x.coop")
    chosen = await choose(store, member, account, email)
    await choose(store, other, account, theirs)
    signed_at = datetime.now(UTC) - (
        UNSUBSCRIBE_TTL + timedelta(minutes=1) if spoil == "expired" else timedelta()
    )
    sent = await mailed(store, member, email, "payment_due", account, at=signed_at)
    their_mail = await mailed(store, other, theirs, "payment_due", account, at=datetime.now(UTC))
    assert sent.unsubscribe_url is not None
    assert their_mail.unsubscribe_url is not None
    params = dict(parse_qsl(urlsplit(sent.unsubscribe_url).query))
    if spoil == "other delivery":  # the member's own signature on another's delivery
        params["d"] = dict(parse_qsl(urlsplit(their_mail.unsubscribe_url).query))["d"]
    elif spoil == "altered":
        params["u"] = str(other.user_id)
    elif spoil == "unsigned":
        del params["sig"]

    shown = await site.get(f"/notifications/unsubscribe?{urlencode(params)}")
    posted = await site.post(f"/notifications/unsubscribe?{urlencode(params)}")

    assert (shown.status_code, posted.status_code) == (404, 404)
    assert "not valid, or it has expired" in posted.text
    assert await preferences_of(store, user_id=member.user_id, account_number=account) == chosen


async def test_a_test_message_has_no_link_and_plain_http_gets_no_header(
    store: GatewayStore, world: World
) -> None:
    account = world.accounts[3].account_number
    member = await new_member(store, account)
    email = await contact_of(store, member, ContactKind.EMAIL, f"t-{member.user_id}@x.coop")
    await choose(store, member, account, email)
    test = await mailed(store, member, email, "test", account, at=datetime.now(UTC))
    local = LinkSigner(KEY, origin="http://127.0.0.1:8000")
    delivery_id = await queue_notice(store, member, email, "outage", account, "local-outage")
    assert delivery_id is not None
    sender = FakeEmailSender()
    await deliver(
        store=store,
        email=sender,
        sms=FakeSmsSender(),
        rules=replace(sending_rules(None), unsubscribe_links=local),
        delivery_id=delivery_id,
    )
    [over_http] = sender.sent

    assert test.unsubscribe_url is None
    assert "Stop these emails" not in test.text
    assert over_http.unsubscribe_url is None  # RFC 8058 wants HTTPS for the header
    assert "Stop these emails: http://127.0.0.1:8000/notifications/unsubscribe?" in over_http.text
