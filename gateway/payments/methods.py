"""What a payment is paid with: a single-use token from the member's browser, or a
method saved earlier (pm_...), as a processor method of the paying login.

A token is turned into a method of the login's before anything is written: the card's
brand and last four digits come back with it, for the payment's label and for the
masked number the CIS posting carries. A card number never reaches the gateway.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapters.payments.port import (
    MethodKind,
    PaymentInvalid,
    PaymentMethod,
    PaymentNotFound,
    PaymentProcessor,
    PaymentsUnavailable,
)
from gateway.core.outcomes import FieldProblem

TOKEN_PREFIX = "tok_"  # noqa: S105 - a prefix, not a secret
SAVED_METHOD_PREFIX = "pm_"
MAX_SOURCE_LENGTH = 64


@dataclass(frozen=True, slots=True)
class MethodChoice:
    """Exactly one of the two, as the member sent it."""

    token: str | None = None
    saved_method_id: str | None = None


def customer_ref(user_id: int) -> str:
    """Who owns a method at the processor: the login that saved it."""
    return f"user-{user_id}"


def method_label(method: PaymentMethod) -> str:
    """How the method is shown: "Visa ending 4242", "Checking ending 6789"."""
    if method.kind is MethodKind.CARD:
        name = (method.brand or "card").replace("_", " ").title()
    else:
        name = (method.account_type or "bank account").title()
    return f"{name} ending {method.last4}"


def choice_problem(choice: MethodChoice) -> FieldProblem | None:
    token, saved = choice.token, choice.saved_method_id
    if (token is None) == (saved is None):
        return FieldProblem("method", "Give either a card or bank token or a saved method.")
    if token is not None and not _looks_like(token, TOKEN_PREFIX):
        return FieldProblem("method.token", "This is not a payment token.")
    if saved is not None and not _looks_like(saved, SAVED_METHOD_PREFIX):
        return FieldProblem("method.savedMethodId", "This is not a saved payment method.")
    return None


async def resolve_method(
    *, processor: PaymentProcessor | None, user_id: int, choice: MethodChoice
) -> PaymentMethod | FieldProblem:
    """The processor method to pay with; the member's problem when there is none.

    `PaymentsUnavailable` (the processor is down, or none is set up: `processor` None)
    is raised: nothing was written yet.
    """
    if processor is None:
        raise PaymentsUnavailable("no payment processor is set up")
    owner = customer_ref(user_id)
    if choice.token is not None:
        try:
            return await processor.create_payment_method(token=choice.token, customer_ref=owner)
        except PaymentInvalid:
            return FieldProblem(
                "method.token", "This card or bank account could not be used; enter it again."
            )
    assert choice.saved_method_id is not None  # choice_problem checked it
    try:
        method = await processor.get_payment_method(choice.saved_method_id)
    except PaymentNotFound:
        method = None
    # Someone else's method gets the same answer as one that does not exist.
    if method is None or method.customer_ref != owner:
        return FieldProblem("method.savedMethodId", "No such saved payment method.")
    return method


def _looks_like(text: str, prefix: str) -> bool:
    return text.startswith(prefix) and len(text) <= MAX_SOURCE_LENGTH and text.isascii()
