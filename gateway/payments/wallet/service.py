"""Saving, listing, removing and choosing the default of a login's payment methods.

A method is made at the processor from the browser's single-use token, owned there by
the login (`customer_ref`). If the answer to that call is lost, the token is spent
and cannot be tried again: the method is found instead among the login's methods at
the processor that were not there before the call.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from adapters.payments.port import (
    PaymentInvalid,
    PaymentMethod,
    PaymentProcessor,
    PaymentsError,
    PaymentsUnavailable,
)
from gateway.core.clock import Clock, utc_now
from gateway.core.outcomes import FieldProblem
from gateway.core.store.gateway_store import GatewayStore
from gateway.payments.autopay import store as autopay_store
from gateway.payments.methods import TOKEN_PREFIX, customer_ref
from gateway.payments.wallet import store as wallet_store
from gateway.payments.wallet.store import SavedMethod

logger = logging.getLogger("gateway.payments.wallet")

MAX_NICKNAME_LENGTH: Final = 40
MAX_TOKEN_LENGTH: Final = 64


@dataclass(frozen=True, slots=True)
class MethodNotSaved:
    """No such method in the login's wallet (another login's reads the same)."""


@dataclass(frozen=True, slots=True)
class MethodUsedByAutopay:
    """The method pays an account's bills by autopay: cancel or change that first."""

    account_numbers: tuple[str, ...]


async def add_method(
    *,
    store: GatewayStore,
    processor: PaymentProcessor | None,
    user_id: int,
    token: str,
    nickname: str | None,
    make_default: bool,
    clock: Clock = utc_now,
) -> SavedMethod | FieldProblem:
    """Raises `PaymentsUnavailable` when the processor is not set up or cannot be reached
    (and, after a lost answer, the method cannot be found): nothing was saved."""
    nickname = _clean_nickname(nickname)
    problem = _nickname_problem(nickname) or _token_problem(token)
    if problem is not None:
        return problem
    if processor is None:
        raise PaymentsUnavailable("no payment processor is set up")
    owner = customer_ref(user_id)
    known = {method.id for method in await processor.list_payment_methods(owner)}
    try:
        method = await processor.create_payment_method(token=token, customer_ref=owner)
    except PaymentInvalid:
        return FieldProblem("token", "This card or bank account could not be used; enter it again.")
    except PaymentsUnavailable:
        found = await _made_though_unanswered(processor, owner=owner, known=known)
        if found is None:
            raise
        method = found
    return await wallet_store.insert_method(
        store,
        user_id=user_id,
        method=method,
        nickname=nickname,
        make_default=make_default,
        now=clock(),
    )


async def _made_though_unanswered(
    processor: PaymentProcessor, *, owner: str, known: set[str]
) -> PaymentMethod | None:
    """The one method of `owner`'s made since `known` was listed: the lost answer's.
    None when none was made (the call never reached the processor) or the processor
    cannot tell which (several were made at once, or it cannot be asked)."""
    try:
        new = [m for m in await processor.list_payment_methods(owner) if m.id not in known]
    except PaymentsError:
        return None
    if len(new) != 1:
        if new:
            logger.warning("%d new methods of one login at once: none saved", len(new))
        return None
    return new[0]


async def save_paid_method(
    *,
    store: GatewayStore,
    processor: PaymentProcessor,
    user_id: int,
    method_id: str,
    clock: Clock = utc_now,
) -> SavedMethod | None:
    """For `payBill(saveMethod: true)`: save the method a token payment made. The
    payment is accepted already: a processor that cannot be asked now costs the
    saving only (None, logged), never the payment."""
    try:
        method = await processor.get_payment_method(method_id)
    except PaymentsError as error:
        logger.warning("method %s not saved: %s", method_id, error)
        return None
    if method.customer_ref != customer_ref(user_id):
        return None
    return await wallet_store.insert_method(
        store, user_id=user_id, method=method, nickname=None, make_default=False, now=clock()
    )


async def list_methods(*, store: GatewayStore, user_id: int) -> list[SavedMethod]:
    return await wallet_store.methods_of(store, user_id)


async def remove_method(
    *,
    store: GatewayStore,
    processor: PaymentProcessor | None,
    user_id: int,
    method_id: str,
) -> SavedMethod | MethodNotSaved | MethodUsedByAutopay:
    """Forget the method here, then at the processor. An active autopay enrollment
    that uses it refuses the removal: its next draft would fail."""
    saved = await wallet_store.get_method(store, user_id=user_id, method_id=method_id)
    if saved is None:
        return MethodNotSaved()
    async with store.sessions() as session, session.begin():
        using = await autopay_store.accounts_drafting_with(session, method_id)
        if using:
            return MethodUsedByAutopay(tuple(using))
        if not await wallet_store.delete_method(session, user_id=user_id, method_id=method_id):
            return MethodNotSaved()
    if processor is not None:
        try:
            await processor.delete_payment_method(method_id)
        except PaymentsError as error:
            # Out of the wallet already, and never used again: the processor's copy is
            # harmless, and a card number was never here to forget.
            logger.warning("method %s left at the processor: %s", method_id, error)
    return saved


async def make_default(
    *, store: GatewayStore, user_id: int, method_id: str
) -> SavedMethod | MethodNotSaved:
    if not await wallet_store.set_default(store, user_id=user_id, method_id=method_id):
        return MethodNotSaved()
    saved = await wallet_store.get_method(store, user_id=user_id, method_id=method_id)
    return MethodNotSaved() if saved is None else saved


def _clean_nickname(nickname: str | None) -> str | None:
    if nickname is None:
        return None
    cleaned = " ".join(nickname.split())
    return cleaned or None


def _nickname_problem(nickname: str | None) -> FieldProblem | None:
    if nickname is not None and len(nickname) > MAX_NICKNAME_LENGTH:
        return FieldProblem("nickname", f"A nickname is at most {MAX_NICKNAME_LENGTH} characters.")
    return None


def _token_problem(token: str) -> FieldProblem | None:
    token = token.strip()
    if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return FieldProblem("token", "This is not a payment token.")
    return None
