"""The gateway's GraphQL schema, assembled from one module per domain."""

from __future__ import annotations

from functools import partial
from typing import Any, Final

import strawberry
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from gateway.accounts.schema import AccountQueries
from gateway.api.cost import CostBeforeValidation, CostLimit, Estimates
from gateway.api.documents import DOCUMENT_CACHE_SIZE, CachedParse
from gateway.api.execution import InMemoryExecutionContext
from gateway.api.fairness import RateLimit
from gateway.api.limits import QueryLimits
from gateway.api.scalars import SCALARS
from gateway.api.shape import shape_limits
from gateway.api.validation import ValidationUnlessRefused
from gateway.audit.reads import AuditAccountReads
from gateway.core.errors import ErrorMasking, public_error
from gateway.documents.schema import (
    BILL_CHANGE_COST,
    BILL_PDF_LINK_COST,
    PROJECTED_BILL_COST,
    green_button_link_cost,
    peak_demand_cost,
)
from gateway.members.contact_schema import ContactMutations
from gateway.members.registration_schema import RegistrationMutations, RegistrationQueries
from gateway.notifications.contacts_schema import NotificationContactMutations
from gateway.notifications.deliveries_schema import NotificationDeliveryMutations
from gateway.notifications.preferences_schema import NotificationPreferenceMutations
from gateway.notifications.time_zones_schema import NotificationTimeZoneMutations
from gateway.outages.schema import OutageMutations
from gateway.payments.attention_schema import PaymentAttentionQueries
from gateway.payments.autopay.schema import AutopayMutations
from gateway.payments.cancel_schema import ScheduledPaymentMutations
from gateway.payments.extension_schema import PaymentExtensionMutations
from gateway.payments.refund_schema import RefundMutations
from gateway.payments.schema import PaymentMutations
from gateway.payments.wallet.schema import WalletMutations
from gateway.similar_homes.schema import SIMILAR_HOMES_COST
from gateway.staff.schema import StaffQueries
from gateway.usage.cost import usage_points
from gateway.viewer.schema import AuthMutations, AuthQueries

# Fields that cost more than one object: a usage series costs its points.
COST_ESTIMATES: Final[Estimates] = {
    ("Account", "usage"): usage_points,
    ("ServiceLocation", "usage"): usage_points,
    ("Bill", "pdfUrl"): lambda _: BILL_PDF_LINK_COST,
    ("Account", "greenButtonUrl"): green_button_link_cost,
    ("Account", "billChange"): lambda _: BILL_CHANGE_COST,
    ("Account", "peakDemand"): peak_demand_cost,
    ("Account", "projectedBill"): lambda _: PROJECTED_BILL_COST,
    ("Account", "similarHomes"): lambda _: SIMILAR_HOMES_COST,
}


@strawberry.type
class Query(
    AccountQueries, AuthQueries, StaffQueries, RegistrationQueries, PaymentAttentionQueries
):
    pass


@strawberry.type
class Mutation(
    AuthMutations,
    OutageMutations,
    ContactMutations,
    RegistrationMutations,
    PaymentMutations,
    RefundMutations,
    WalletMutations,
    AutopayMutations,
    ScheduledPaymentMutations,
    PaymentExtensionMutations,
    NotificationContactMutations,
    NotificationPreferenceMutations,
    NotificationDeliveryMutations,
    NotificationTimeZoneMutations,
):
    pass


class GatewaySchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # ErrorMasking logs what deserves it; Strawberry's default would log every
        # expected error (a backend down, bad input) with a traceback.
        #
        # One kind of error escapes ErrorMasking: CachedParse raises a syntax error
        # from its hook, which ends the operation hooks early. Give it its public
        # form here (in place: this list is the result's).
        request_id = getattr(getattr(execution_context, "context", None), "request_id", "-")
        for index, error in enumerate(errors):
            if isinstance(error, GraphQLSyntaxError):
                errors[index] = public_error(error, request_id=request_id)


def build_schema(limits: QueryLimits | None = None, **overrides: Any) -> GatewaySchema:
    """The gateway's schema under `limits` (default: the settings' defaults); `overrides`
    replace any of the options below (for tests)."""
    limits = limits or QueryLimits.defaults()
    options: dict[str, Any] = {
        "query": Query,
        "mutation": Mutation,
        # Apps send the same few documents over and over: parse and validate each once.
        # (The caches live at module level; the extensions are built per request.)
        "extensions": [
            # First, so that it finishes last: it may withhold a result it cannot audit.
            AuditAccountReads,
            partial(CachedParse, max_tokens=limits.max_tokens, max_aliases=limits.max_aliases),
            shape_limits(
                max_depth=limits.max_depth,
                max_aliases=limits.max_aliases,
                # A document may repeat itself through fragments: twice its tokens' worth.
                max_fields=2 * limits.max_tokens,
            ),
            # Before validation: a document already over the cost is refused unvalidated.
            partial(
                CostBeforeValidation,
                limit=limits.max_cost,
                estimates=COST_ESTIMATES,
                max_fields=2 * limits.max_tokens,
            ),
            partial(ValidationUnlessRefused, maxsize=DOCUMENT_CACHE_SIZE),
            # After validation: costs what could not be costed before it.
            partial(CostLimit, limit=limits.max_cost, estimates=COST_ESTIMATES),
            # After the cost: charges it to the client's buckets, or refuses the request.
            RateLimit,
            ErrorMasking,
        ],
        "config": StrawberryConfig(scalar_map=SCALARS),
        "execution_context_class": InMemoryExecutionContext,
    }
    return GatewaySchema(**(options | overrides))


schema = build_schema()

__all__ = ["GatewaySchema", "Mutation", "Query", "build_schema", "schema"]
