"""The emails of registration, sign-in help and sharing: plain text, one link each.

The only secret a message carries is its one-time link. The idempotency key (it is in
logs and the Message-ID) is made from the token's hash, never from the token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from adapters.email.port import EmailSender, OutgoingEmail
from gateway.identity.one_time_tokens import (
    CONFIRM_EMAIL_TTL,
    INVITATION_TTL,
    RESET_PASSWORD_TTL,
    message_key,
    token_hash,
)

CONFIRM_EMAIL_PATH = "/confirm-email"
RESET_PASSWORD_PATH = "/reset-password"  # noqa: S105 - a URL path, not a secret
ACCEPT_INVITATION_PATH = "/accept-invitation"
_SIGNATURE = "\n\nIf you did not ask for this, you can ignore this email.\n"


@dataclass(frozen=True, slots=True)
class MemberMail:
    """What the services that email members need: the sender, and where the links in
    the messages point (the member portal, no trailing slash)."""

    sender: EmailSender
    public_base_url: str


def link(base_url: str, path: str, token: str) -> str:
    return f"{base_url}{path}?{urlencode({'token': token})}"


def confirm_email(*, to: str, token: str, base_url: str) -> OutgoingEmail:
    return OutgoingEmail(
        to=to,
        subject="Confirm your email address",
        text=(
            "Welcome to the member portal.\n\n"
            "To finish setting up your login, confirm your email address"
            + _confirmation_link(base_url, token)
            + _SIGNATURE
        ),
        idempotency_key=message_key("confirm-email", token_hash(token)),
    )


def _confirmation_link(base_url: str, token: str) -> str:
    return (
        f" by opening this link within {_duration(CONFIRM_EMAIL_TTL)}:\n\n"
        f"{link(base_url, CONFIRM_EMAIL_PATH, token)}"
    )


def already_registered(*, to: str, base_url: str, confirm_token: str | None) -> OutgoingEmail:
    """Someone tried to register this address again: tell its owner, not the requester.

    With `confirm_token` (the login was never confirmed), the message carries a fresh
    confirmation link.
    """
    text = (
        "Someone, probably you, tried to register for the member portal with this email "
        "address. You already have a login: sign in with it, or reset your password at "
        f"{base_url}{RESET_PASSWORD_PATH} if you forgot it."
    )
    if confirm_token is None:
        key = message_key("already-registered", token_hash(to))
    else:
        text += "\n\nYour email address is not confirmed yet. Confirm it" + _confirmation_link(
            base_url, confirm_token
        )
        key = message_key("confirm-email", token_hash(confirm_token))
    return OutgoingEmail(
        to=to,
        subject="You already have a member portal login",
        text=text + _SIGNATURE,
        idempotency_key=key,
    )


def reset_password(*, to: str, token: str, base_url: str) -> OutgoingEmail:
    return OutgoingEmail(
        to=to,
        subject="Reset your password",
        text=(
            "To choose a new password for the member portal, open this link within "
            f"{_duration(RESET_PASSWORD_TTL)}:\n\n"
            f"{link(base_url, RESET_PASSWORD_PATH, token)}\n\n"
            "Choosing a new password signs you out on every device." + _SIGNATURE
        ),
        idempotency_key=message_key("reset-password", token_hash(token)),
    )


def invitation(*, to: str, token: str, base_url: str, account_number: str) -> OutgoingEmail:
    return OutgoingEmail(
        to=to,
        subject="You are invited to share a co-op account",
        text=(
            f"A member invited you to see account {account_number} in the member portal.\n\n"
            "Sign in to the portal with your login for this email address, then open this "
            f"link within {_duration(INVITATION_TTL)} to accept:\n\n"
            f"{link(base_url, ACCEPT_INVITATION_PATH, token)}" + _SIGNATURE
        ),
        idempotency_key=message_key("invitation", token_hash(token)),
    )


def _duration(ttl: timedelta) -> str:
    minutes = int(ttl.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return f"{days} days" if days > 1 else "24 hours"
    if minutes % 60 == 0:
        return f"{minutes // 60} hours"
    return f"{minutes} minutes"
