"""One-click unsubscribe from a notification email (RFC 8058's List-Unsubscribe).

Each notification email about an account carries a link that stops that type of
notification, about that account, at that address, and nothing else: the member's
other contacts and types are left as they chose them. Mailbox providers show it as
their own "unsubscribe" button and POST to it on the member's behalf, with no sign-in,
so the link carries its own authority: signed (`gateway.core.signed_links`), naming
the delivery it came with, and lasting `UNSUBSCRIBE_TTL`, as mail is read late.

A GET changes nothing: link scanners and previews follow links in mail. It shows what
a POST would do, with the button that does it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from adapters.rules.numbers import parse_natural
from gateway.core.signed_links import LinkHolder, LinkRefused, LinkSigner
from gateway.core.store.gateway_store import GatewayStore
from gateway.notifications.contacts_store import ContactKind
from gateway.notifications.deliveries import TEST_TYPE, Delivery, get_delivery
from gateway.notifications.payment_messages import account_ending
from gateway.notifications.preferences_store import (
    StoredPreference,
    preferences_of,
    save_preference,
)
from gateway.notifications.types import RULES, NotificationType

UNSUBSCRIBE_PATH: Final = "/notifications/unsubscribe"
UNSUBSCRIBE_TTL: Final = timedelta(days=60)
_DELIVERY: Final = "d"


@dataclass(frozen=True, slots=True, kw_only=True)
class Unsubscription:
    """What a link stops: one type, about one account, to one email contact."""

    user_id: int
    account_number: str
    type: NotificationType
    contact_id: int
    address: str

    @property
    def account_named(self) -> str:
        """The account as the notifications name it: "account ending 1234"."""
        return account_ending(self.account_number)


def unsubscribe_link(signer: LinkSigner, delivery: Delivery) -> str | None:
    """The link for a notification email, or None where it would stop nothing: a test
    message, one about no account, one to no contact."""
    if delivery.channel is not ContactKind.EMAIL or delivery.contact_id is None:
        return None
    if delivery.type == TEST_TYPE or delivery.account_number is None:
        return None
    lasting = signer.lasting(UNSUBSCRIBE_TTL)
    return lasting.sign(
        UNSUBSCRIBE_PATH,
        {_DELIVERY: str(delivery.id)},
        holder=LinkHolder(user_id=delivery.user_id, session_id=None),
    )


async def unsubscription_of(
    store: GatewayStore, signer: LinkSigner, params: Mapping[str, str]
) -> Unsubscription | None:
    """What the link with query `params` stops, or None for a link that is not one:
    unsigned, altered, expired, or naming a delivery that is not its holder's."""
    try:
        holder = signer.verify(UNSUBSCRIBE_PATH, params)
    except LinkRefused:
        return None
    delivery_id = parse_natural(params.get(_DELIVERY, ""))
    if delivery_id is None:
        return None
    delivery = await get_delivery(store, delivery_id)
    if (
        delivery is None
        or delivery.user_id != holder.user_id
        or delivery.contact_id is None
        or delivery.account_number is None
    ):
        return None
    try:
        kind = NotificationType(delivery.type)
    except ValueError:
        return None
    return Unsubscription(
        user_id=delivery.user_id,
        account_number=delivery.account_number,
        type=kind,
        contact_id=delivery.contact_id,
        address=delivery.recipient,
    )


async def unsubscribe(store: GatewayStore, what: Unsubscription, *, now: datetime) -> None:
    """Take the contact off the type for the account; the type is off once no contact
    is left. Doing it twice leaves it as once."""
    chosen = await preferences_of(store, user_id=what.user_id, account_number=what.account_number)
    current = chosen.get(what.type)
    if current is None:
        # Never chosen: the default, which sends to the login's email. The link came
        # with such a mail, so what is left is nothing.
        current = StoredPreference(
            type=what.type,
            enabled=False,
            settings=RULES[what.type].defaults,
            contact_ids=frozenset(),
        )
    left = current.contact_ids - {what.contact_id}
    await save_preference(
        store,
        user_id=what.user_id,
        account_number=what.account_number,
        preference=StoredPreference(
            type=what.type,
            enabled=current.enabled and bool(left),
            settings=current.settings,
            contact_ids=left,
        ),
        now=now,
    )
