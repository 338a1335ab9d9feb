"""Quiet hours in the member's own time zone: chosen through GraphQL, checked by name,
and what holds a text for morning when the member is not where the co-op is."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from adapters.email.fake import FakeEmailSender
from adapters.sms.fake import FakeSmsSender
from gateway.core.backends import Adapters
from gateway.core.outbox.table import OutboxEntry
from gateway.core.store.gateway_store import GatewayStore
from gateway.notifications.contacts_store import ContactKind
from gateway.notifications.deliveries import DELIVER_KIND, get_delivery
from gateway.notifications.preferences_store import StoredPreference, save_preference
from gateway.notifications.quiet_hours import QuietHours
from gateway.notifications.sending import deliver
from gateway.notifications.types import RULES, NotificationType
from simulators.world import World
from tests.gateway.core.store.databases import store_on_each_backend
from tests.gateway.notifications.support import (
    contact_of,
    new_member,
    queue_notice,
    sending_rules,
)
from tests.gateway.support import execute

store = store_on_each_backend()
DENVER = ZoneInfo("America/Denver")
HONOLULU = ZoneInfo("Pacific/Honolulu")
QUIET = QuietHours(datetime(2026, 1, 1, 21, 0).time(), datetime(2026, 1, 1, 8, 0).time(), DENVER)
SET_ZONE = """
mutation($z: String!) { setNotificationTimeZone(input: {timeZone: $z}) {
  __typename
  ... on NotificationTimeZoneSet { timeZone }
  ... on ValidationError { field message }
} }
"""
VIEWER_ZONE = "query { viewer { notificationTimeZone } }"


async def test_a_member_chooses_a_zone_by_name_and_nothing_else(
    adapters: Adapters, store: GatewayStore
) -> None:
    member = await new_member(store)

    before = await execute(adapters, store, VIEWER_ZONE, member)
    chosen = await execute(adapters, store, SET_ZONE, member, z=" Pacific/Honolulu ")
    refused = [
        (await execute(adapters, store, SET_ZONE, member, z=name)).data
        for name in ("Mars/Olympus_Mons", "../../etc/passwd", "", "America/Denver" * 5)
    ]
    after = await execute(adapters, store, VIEWER_ZONE, member)

    assert before.data == {"viewer": {"notificationTimeZone": "America/Denver"}}
    assert chosen.data == {
        "setNotificationTimeZone": {
            "__typename": "NotificationTimeZoneSet",
            "timeZone": "Pacific/Honolulu",
        }
    }
    assert all(
        answer
        == {
            "setNotificationTimeZone": {
                "__typename": "ValidationError",
                "field": "timeZone",
                "message": "Choose a time zone by its name, such as America/Denver.",
            }
        }
        for answer in refused
    )
    assert after.data == {"viewer": {"notificationTimeZone": "Pacific/Honolulu"}}


async def test_choosing_a_zone_needs_a_sign_in(adapters: Adapters, store: GatewayStore) -> None:
    answer = await execute(adapters, store, SET_ZONE, None, z="Pacific/Honolulu")

    assert answer.data is None
    assert answer.errors is not None
    assert answer.errors[0].extensions == {"code": "UNAUTHENTICATED"}


@pytest.mark.parametrize(
    ("at_denver", "held_until"),
    [
        # 22:30 in Denver is 19:30 in Honolulu: evening there, so the text goes.
        (datetime(2026, 12, 3, 22, 30, tzinfo=DENVER), None),
        # 09:00 in Denver is 06:00 in Honolulu: it waits for 08:00 there.
        (datetime(2026, 12, 4, 9, 0, tzinfo=DENVER), datetime(2026, 12, 4, 8, 0, tzinfo=HONOLULU)),
    ],
)
async def test_quiet_hours_are_the_members_own_not_the_coops(
    adapters: Adapters,
    store: GatewayStore,
    world: World,
    at_denver: datetime,
    held_until: datetime | None,
) -> None:
    account = world.accounts[0].account_number
    member = await new_member(store, account)
    phone = await contact_of(store, member, ContactKind.SMS, "+15055550488")
    await save_preference(
        store,
        user_id=member.user_id,
        account_number=account,
        preference=StoredPreference(
            type=NotificationType.PAYMENT_DUE,
            enabled=True,
            settings=RULES[NotificationType.PAYMENT_DUE].defaults,
            contact_ids=frozenset({phone}),
        ),
        now=datetime.now(UTC),
    )
    await execute(adapters, store, SET_ZONE, member, z="Pacific/Honolulu")
    due = await queue_notice(store, member, phone, "payment_due", account, f"tz:{member.user_id}")
    assert due is not None
    texts = FakeSmsSender()

    await deliver(
        store=store,
        email=FakeEmailSender(),
        sms=texts,
        rules=sending_rules(None, QUIET),
        delivery_id=due,
        clock=lambda: at_denver,
    )
    found = await get_delivery(store, due)

    assert found is not None
    if held_until is None:
        assert found.status.value == "sent"
    else:
        assert (found.status.value, found.reason) == ("queued", "quiet_hours")
        async with store.sessions() as session:
            again_at = await session.scalar(
                select(OutboxEntry.due_at).where(
                    OutboxEntry.kind == DELIVER_KIND,
                    OutboxEntry.idempotency_key.like(f"deliver-after-quiet:{due}:%"),
                )
            )
        assert again_at is not None
        assert again_at.replace(tzinfo=again_at.tzinfo or UTC) == held_until
