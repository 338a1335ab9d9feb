"""The quiet hours' time zone in GraphQL: `Viewer.notificationTimeZone` and
`setNotificationTimeZone`."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.api.context import GatewayInfo
from gateway.api.fields import described_mutation
from gateway.api.results import ValidationError
from gateway.core.clock import utc_now
from gateway.core.outcomes import FieldProblem
from gateway.notifications.time_zones import choose_time_zone, chosen_time_zone


async def viewer_time_zone(info: GatewayInfo, user_id: int) -> str:
    """For `Viewer.notificationTimeZone`: the login's own zone, else the co-op's."""
    chosen = await chosen_time_zone(info.context.store, user_id=user_id)
    return (chosen or info.context.zone).key


@strawberry.input
class SetNotificationTimeZoneInput:
    time_zone: str = strawberry.field(description='An IANA time zone name: "America/Denver".')


@strawberry.type
class NotificationTimeZoneSet:
    time_zone: str


SetNotificationTimeZoneResult = Annotated[
    NotificationTimeZoneSet | ValidationError,
    strawberry.union("SetNotificationTimeZoneResult"),
]


@strawberry.type
class NotificationTimeZoneMutations:
    @described_mutation(
        "Choose the time zone this login's quiet hours are kept in (texts that can wait are"
        " held from 21:00 to 08:00 there); by default it is the co-op's."
    )
    async def set_notification_time_zone(
        self, info: GatewayInfo, input: SetNotificationTimeZoneInput
    ) -> SetNotificationTimeZoneResult:
        context = info.context
        user = await context.access.require_user()
        chosen = await choose_time_zone(
            context.store, user_id=user.id, name=input.time_zone, now=utc_now()
        )
        if isinstance(chosen, FieldProblem):
            return ValidationError.of(chosen)
        return NotificationTimeZoneSet(time_zone=chosen.key)
