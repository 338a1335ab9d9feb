"""Reading and writing what each login chose to be told, per account and type."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select

from gateway.core.clock import as_utc
from gateway.core.store.gateway_store import GatewayStore
from gateway.notifications.tables import PreferenceContactRow, PreferenceRow
from gateway.notifications.types import NotificationType, OutagePhase, TypeSettings


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredPreference:
    type: NotificationType
    enabled: bool
    settings: TypeSettings
    contact_ids: frozenset[int]


def settings_json(settings: TypeSettings) -> str:
    document: dict[str, Any] = {}
    for name in TypeSettings.__dataclass_fields__:
        value = getattr(settings, name)
        if isinstance(value, Decimal):
            document[name] = str(value)  # money stays exact
        elif isinstance(value, frozenset):
            document[name] = sorted(phase.value for phase in value)
        elif value is not None:
            document[name] = value
    return json.dumps(document, sort_keys=True)


def settings_of(text: str) -> TypeSettings:
    document: dict[str, Any] = json.loads(text)

    def amount(name: str) -> Decimal | None:
        value = document.get(name)
        return None if value is None else Decimal(value)

    phases = document.get("outage_phases")
    return TypeSettings(
        days_before=document.get("days_before"),
        low_balance_amount=amount("low_balance_amount"),
        low_balance_days=document.get("low_balance_days"),
        outage_phases=None if phases is None else frozenset(OutagePhase(p) for p in phases),
        high_usage_kwh_per_day=document.get("high_usage_kwh_per_day"),
        high_usage_amount=amount("high_usage_amount"),
    )


async def preferences_of(
    store: GatewayStore, *, user_id: int, account_number: str
) -> dict[NotificationType, StoredPreference]:
    async with store.sessions() as session:
        rows = list(
            await session.scalars(
                select(PreferenceRow).where(
                    PreferenceRow.user_id == user_id,
                    PreferenceRow.account_number == account_number,
                )
            )
        )
        links = await session.execute(
            select(PreferenceContactRow.preference_id, PreferenceContactRow.contact_id).where(
                PreferenceContactRow.preference_id.in_([row.id for row in rows])
            )
        )
        contacts: dict[int, set[int]] = {}
        for preference_id, contact_id in links:
            contacts.setdefault(preference_id, set()).add(contact_id)
    found: dict[NotificationType, StoredPreference] = {}
    for row in rows:
        try:
            kind = NotificationType(row.type)
        except ValueError:
            continue  # a type no longer offered: its row is kept but not shown
        found[kind] = StoredPreference(
            type=kind,
            enabled=row.enabled,
            settings=settings_of(row.settings),
            contact_ids=frozenset(contacts.get(row.id, ())),
        )
    return found


async def save_preference(
    store: GatewayStore,
    *,
    user_id: int,
    account_number: str,
    preference: StoredPreference,
    now: datetime,
) -> None:
    """Write the whole preference: its row, and exactly its contacts."""
    async with store.sessions.begin() as session:
        row = await session.scalar(
            select(PreferenceRow)
            .where(
                PreferenceRow.user_id == user_id,
                PreferenceRow.account_number == account_number,
                PreferenceRow.type == preference.type.value,
            )
            .with_for_update()
        )
        if row is None:
            row = PreferenceRow(
                user_id=user_id, account_number=account_number, type=preference.type.value
            )
            session.add(row)
        row.enabled = preference.enabled
        row.settings = settings_json(preference.settings)
        row.updated_at = as_utc(now)
        await session.flush()
        await session.execute(
            delete(PreferenceContactRow).where(PreferenceContactRow.preference_id == row.id)
        )
        session.add_all(
            PreferenceContactRow(preference_id=row.id, contact_id=contact_id)
            for contact_id in sorted(preference.contact_ids)
        )
