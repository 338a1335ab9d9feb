"""The delivery log in GraphQL: `viewer.notifications` and `sendTestNotification`."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry

from adapters.rules.numbers import parse_natural
from gateway.api.context import GatewayInfo
from gateway.api.fields import described_mutation
from gateway.api.pagination import PageInfo
from gateway.api.scalars import local
from gateway.core.errors import BadUserInput
from gateway.identity.roles import STAFF_ROLES
from gateway.notifications import deliveries
from gateway.notifications.contacts import ContactMissing
from gateway.notifications.contacts_schema import ContactNotFound, NotificationContactKind
from gateway.notifications.try_contact import ContactNotActivated as NotActivated
from gateway.notifications.try_contact import send_test


@strawberry.enum
class NotificationStatus(Enum):
    QUEUED = "queued"
    SENT = "sent"
    DELIVERED = "delivered"
    FAILED = "failed"
    SUPPRESSED = "suppressed"


@strawberry.type(description="One notification to one contact, and where it stands.")
class NotificationDelivery:
    id: strawberry.ID
    type: str = strawberry.field(description="The NotificationType, lower case, or test.")
    channel: NotificationContactKind
    recipient: str
    account_number: str | None
    subject: str
    status: NotificationStatus
    reason: str | None = strawberry.field(
        description="Why it was SUPPRESSED (no_consent, contact_removed, preference_off),"
        " is still QUEUED (quiet_hours), or FAILED."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, delivery: deliveries.Delivery, info: GatewayInfo) -> NotificationDelivery:
        zone = info.context.zone
        return cls(
            id=strawberry.ID(str(delivery.id)),
            type=delivery.type,
            channel=NotificationContactKind(delivery.channel.value),
            recipient=delivery.recipient,
            account_number=delivery.account_number,
            subject=delivery.subject,
            status=NotificationStatus(delivery.status.value),
            reason=delivery.reason,
            created_at=local(delivery.created_at, zone),
            updated_at=local(delivery.updated_at, zone),
        )


@strawberry.type
class NotificationDeliveryEdge:
    cursor: str
    node: NotificationDelivery


@strawberry.type(description="What was sent to the viewer's contacts, newest first.")
class NotificationDeliveryConnection:
    edges: list[NotificationDeliveryEdge]
    page_info: PageInfo


async def viewer_notifications(
    info: GatewayInfo, user_id: int, *, first: int, after: str | None
) -> NotificationDeliveryConnection:
    """For `Viewer.notifications`."""
    return await _page(info, user_id=user_id, account_number=None, first=first, after=after)


async def account_notifications(
    info: GatewayInfo, account_number: str, *, first: int, after: str | None
) -> NotificationDeliveryConnection:
    """For `Account.notifications`: staff see every notice about the account (the
    account's fields are audited as any); a member sees the ones sent to them, not
    another login's numbers and addresses."""
    user = await info.context.access.require_user()
    mine = None if user.role in STAFF_ROLES else user.id
    return await _page(info, user_id=mine, account_number=account_number, first=first, after=after)


async def _page(
    info: GatewayInfo,
    *,
    user_id: int | None,
    account_number: str | None,
    first: int,
    after: str | None,
) -> NotificationDeliveryConnection:
    if not 0 <= first <= deliveries.MAX_PAGE:
        raise BadUserInput(f"`first` must be between 0 and {deliveries.MAX_PAGE}.")
    position = None if after is None else parse_natural(after)
    if after is not None and position is None:
        raise BadUserInput("`after` is not a cursor of this list.")
    page = await deliveries.deliveries_of(
        info.context.store,
        user_id=user_id,
        account_number=account_number,
        first=first,
        after=position,
    )
    edges = [
        NotificationDeliveryEdge(cursor=str(d.id), node=NotificationDelivery.of(d, info))
        for d in page.deliveries
    ]
    return NotificationDeliveryConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


@strawberry.input
class SendTestNotificationInput:
    contact_id: strawberry.ID


@strawberry.type(description="The test message is queued; `viewer.notifications` follows it.")
class TestNotificationQueued:
    notification: NotificationDelivery


@strawberry.type(description="Nothing is sent to a contact before it is activated.")
class ContactNotActivated:
    contact_id: strawberry.ID
    message: str = "Activate this contact with its code first."


SendTestNotificationResult = Annotated[
    TestNotificationQueued | ContactNotFound | ContactNotActivated,
    strawberry.union("SendTestNotificationResult"),
]


@strawberry.type
class NotificationDeliveryMutations:
    @described_mutation("Send one test message to an activated contact of the viewer's.")
    async def send_test_notification(
        self, info: GatewayInfo, input: SendTestNotificationInput
    ) -> SendTestNotificationResult:
        context = info.context
        user = await context.access.require_user()
        outcome = await send_test(
            store=context.store,
            user_id=user.id,
            contact_id=str(input.contact_id),
            request_id=context.request_id,
        )
        if isinstance(outcome, ContactMissing):
            return ContactNotFound(contact_id=input.contact_id)
        if isinstance(outcome, NotActivated):
            return ContactNotActivated(contact_id=input.contact_id)
        queued = await deliveries.get_delivery(context.store, outcome)
        assert queued is not None
        return TestNotificationQueued(notification=NotificationDelivery.of(queued, info))
