"""What a login is told about an account: per notification type, on or off, to which of
its activated contacts, and the type's own settings.

A type the login never set follows the defaults (SmartHub's): on or off as the type
says, to the login's own email address. Only activated contacts are ever listed or
chosen; a contact removed since is dropped from every choice. Only the logins linked to
an account choose for it (staff see the account, but have no choices of their own on
it). Prepay accounts are offered the low-credit warning and not the delinquency notice;
other accounts the other way round (the CIS says which an account is).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from adapters.rules.numbers import parse_natural
from gateway.core.clock import Clock, utc_now
from gateway.core.loaders import DataLoaders
from gateway.core.outcomes import AccountHidden, FieldProblem
from gateway.core.store.gateway_store import GatewayStore
from gateway.identity.policy import AccountAccess
from gateway.notifications import contacts as contacts_service
from gateway.notifications.contacts_store import Contact
from gateway.notifications.preferences_store import (
    StoredPreference,
    preferences_of,
    save_preference,
)
from gateway.notifications.types import (
    RULES,
    NotificationType,
    TypeSettings,
    merged,
    offered_types,
    settings_problem,
)
from gateway.payments.prepay import prepay_account

MAX_CONTACTS_PER_TYPE = contacts_service.MAX_CONTACTS


@dataclass(frozen=True, slots=True, kw_only=True)
class Preference:
    type: NotificationType
    enabled: bool
    contacts: tuple[Contact, ...]  # activated ones only
    settings: TypeSettings
    is_default: bool  # never set by the login


@dataclass(frozen=True, slots=True, kw_only=True)
class PreferenceChange:
    """What `setNotificationPreference` was given; None: as it is now."""

    type: NotificationType
    enabled: bool | None = None
    contact_ids: Sequence[str] | None = None
    settings: TypeSettings = field(default_factory=TypeSettings)


async def _linked(access: AccountAccess, account_number: str) -> bool:
    return account_number in await access.linked_accounts()


async def _offered(loaders: DataLoaders, account_number: str) -> list[NotificationType]:
    prepay = await prepay_account(loaders=loaders, account_number=account_number)
    return offered_types(prepay=prepay is not None)


async def _activated_contacts(
    store: GatewayStore, *, user_id: int, login_address: str | None, clock: Clock
) -> list[Contact]:
    listed = await contacts_service.list_contacts(
        store=store, user_id=user_id, login_address=login_address, clock=clock
    )
    return [contact for contact in listed if contact.activated]


def _resolve(
    kind: NotificationType, stored: StoredPreference | None, activated: list[Contact]
) -> Preference:
    if stored is None:
        rule = RULES[kind]
        return Preference(
            type=kind,
            enabled=rule.enabled_by_default,
            contacts=tuple(c for c in activated if c.is_login),
            settings=rule.defaults,
            is_default=True,
        )
    return Preference(
        type=kind,
        enabled=stored.enabled,
        contacts=tuple(c for c in activated if c.id in stored.contact_ids),
        settings=stored.settings,
        is_default=False,
    )


async def account_preferences(
    *,
    access: AccountAccess,
    store: GatewayStore,
    loaders: DataLoaders,
    user_id: int,
    login_address: str | None,
    account_number: str,
    clock: Clock = utc_now,
) -> list[Preference] | AccountHidden:
    """Every type offered for the account, as the login chose it or by default."""
    if not await _linked(access, account_number):
        return AccountHidden()
    offered = await _offered(loaders, account_number)
    stored = await preferences_of(store, user_id=user_id, account_number=account_number)
    activated = await _activated_contacts(
        store, user_id=user_id, login_address=login_address, clock=clock
    )
    return [_resolve(kind, stored.get(kind), activated) for kind in offered]


async def set_preference(
    *,
    access: AccountAccess,
    store: GatewayStore,
    loaders: DataLoaders,
    user_id: int,
    login_address: str | None,
    account_number: str,
    change: PreferenceChange,
    clock: Clock = utc_now,
) -> Preference | AccountHidden | FieldProblem:
    if not await access.can_see(account_number) or not await _linked(access, account_number):
        return AccountHidden()
    if change.type not in await _offered(loaders, account_number):
        return FieldProblem("type", "This notification is not offered for this account.")
    problem = settings_problem(change.type, change.settings)
    if problem is not None:
        return FieldProblem(*problem)
    now = clock()
    activated = await _activated_contacts(
        store, user_id=user_id, login_address=login_address, clock=lambda: now
    )
    stored = await preferences_of(store, user_id=user_id, account_number=account_number)
    current = _resolve(change.type, stored.get(change.type), activated)
    chosen = (
        {c.id for c in current.contacts}
        if change.contact_ids is None
        else _chosen_contacts(change.contact_ids, activated)
    )
    if isinstance(chosen, FieldProblem):
        return chosen
    enabled = current.enabled if change.enabled is None else change.enabled
    if enabled and not chosen:
        return FieldProblem(
            "contactIds", "Choose at least one activated contact, or turn this notification off."
        )
    settings = merged(change.type, current.settings, change.settings)
    problem = settings_problem(change.type, settings)
    if problem is not None:
        return FieldProblem(*problem)
    saved = StoredPreference(
        type=change.type, enabled=enabled, settings=settings, contact_ids=frozenset(chosen)
    )
    await save_preference(
        store, user_id=user_id, account_number=account_number, preference=saved, now=now
    )
    return _resolve(change.type, saved, activated)


def _chosen_contacts(given: Sequence[str], activated: list[Contact]) -> set[int] | FieldProblem:
    mine = {c.id for c in activated}
    if len(given) > MAX_CONTACTS_PER_TYPE:
        return FieldProblem("contactIds", "Choose among your activated contacts.")
    chosen: set[int] = set()
    for text in given:
        number = parse_natural(text.strip())
        if number is None or number not in mine:
            # The same answer for another login's contact, a pending one, or none at all.
            return FieldProblem("contactIds", "Choose among your activated contacts.")
        chosen.add(number)
    return chosen
