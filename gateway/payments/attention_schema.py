"""`paymentsNeedingAttention`: staff's queue of payments a person must look at.

Staff and admins only (members get FORBIDDEN). Each payment listed is written to the
audit log as a read of its account, as any staff read of an account is.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.api.context import GatewayInfo
from gateway.api.fields import described_field
from gateway.api.pagination import PageInfo
from gateway.api.scalars import local
from gateway.audit.reads import note_account_read
from gateway.core.errors import BadUserInput
from gateway.identity.roles import require_staff
from gateway.payments import attention
from gateway.payments.schema import AccountPayment, PaymentStatus

FIELD_NAME = "paymentsNeedingAttention"


@strawberry.type(description="A step in a payment's life, as staff see it.")
class PaymentHistoryEvent:
    at: datetime
    status: PaymentStatus
    detail: str = strawberry.field(description="What happened, for staff; may name a system.")


@strawberry.type(description="A payment a person must look at, and why.")
class PaymentNeedingAttention:
    payment: AccountPayment
    reason: str = strawberry.field(description="What went wrong last.")
    since: datetime = strawberry.field(description="When it was set aside.")
    events: list[PaymentHistoryEvent] = strawberry.field(description="Its history, oldest first.")


@strawberry.type
class PaymentNeedingAttentionEdge:
    cursor: str
    node: PaymentNeedingAttention


@strawberry.type(description="Payments needing attention, longest waiting first.")
class PaymentNeedingAttentionConnection:
    edges: list[PaymentNeedingAttentionEdge]
    page_info: PageInfo


@strawberry.type
class PaymentAttentionQueries:
    @described_field(
        "Staff and admins: payments whose retries ran out or that a system refused,"
        " longest waiting first, with what went wrong. Each is audited as a read of its"
        " account."
    )
    async def payments_needing_attention(
        self, info: GatewayInfo, first: int = 50, after: str | None = None
    ) -> PaymentNeedingAttentionConnection:
        context = info.context
        await require_staff(context.access)
        if not 0 <= first <= attention.MAX_PAGE:
            raise BadUserInput(f"`first` must be between 0 and {attention.MAX_PAGE}.")
        page = await attention.payments_needing_attention(context.store, first=first, after=after)
        zone = context.zone
        edges = []
        for item in page.items:
            note_account_read(item.payment.account_number, FIELD_NAME)
            node = PaymentNeedingAttention(
                payment=AccountPayment.of(item.payment, zone),
                reason=item.reason,
                since=local(item.since, zone),
                events=[
                    PaymentHistoryEvent(
                        at=local(e.at, zone), status=PaymentStatus(e.status.value), detail=e.detail
                    )
                    for e in item.events
                ],
            )
            edges.append(PaymentNeedingAttentionEdge(cursor=item.payment.id, node=node))
        return PaymentNeedingAttentionConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.has_next_page,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )
