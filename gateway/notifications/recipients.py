"""Who is told about an account: for one notification type, every login linked to the
account that wants it, at each activated contact it chose (by default its own email).

The same rules as `preferences` (what a login sees and sets), applied to every login of
the account at once: a type a login turned off, or never turned on, reaches none of its
contacts, and an unconfirmed login address is no contact at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from gateway.core.clock import Clock, utc_now
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.tables import Role, User, UserAccount
from gateway.notifications import contacts as contacts_service
from gateway.notifications.contacts_store import Contact
from gateway.notifications.preferences import resolve
from gateway.notifications.preferences_store import preferences_of
from gateway.notifications.types import NotificationType, TypeSettings


@dataclass(frozen=True, slots=True)
class Recipient:
    user_id: int
    contact: Contact
    settings: TypeSettings  # the login's settings of the type (days before, ...)


async def recipients(
    store: GatewayStore,
    *,
    account_number: str,
    kind: NotificationType,
    clock: Clock = utc_now,
) -> list[Recipient]:
    """Each (login, contact) to tell about `kind` on the account, logins in id order."""
    async with store.sessions() as session:
        logins = (
            await session.execute(
                select(User.id, User.email, User.email_confirmed_at)
                .join(UserAccount, UserAccount.user_id == User.id)
                .where(UserAccount.account_number == account_number, User.role == Role.MEMBER)
                .order_by(User.id)
            )
        ).all()
    found: list[Recipient] = []
    for user_id, email, confirmed_at in logins:
        address = contacts_service.login_email(email, confirmed=confirmed_at is not None)
        listed = await contacts_service.list_contacts(
            store=store, user_id=user_id, login_address=address, clock=clock
        )
        chosen = await preferences_of(store, user_id=user_id, account_number=account_number)
        preference = resolve(kind, chosen.get(kind), [c for c in listed if c.activated])
        if preference.enabled:
            found += [Recipient(user_id, c, preference.settings) for c in preference.contacts]
    return found
