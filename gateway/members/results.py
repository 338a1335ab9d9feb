"""Outcomes shared by the registration, invitation and password mutations."""

from __future__ import annotations

import strawberry


@strawberry.type(
    description="Done: the next step is in an email to the address given. The answer is the "
    "same whether or not that address has a login."
)
class CheckYourEmail:
    message: str = "Check your email: we sent the next step to the address you gave."


@strawberry.type(
    description="The facts do not match the account, or there is no such account: the API "
    "does not say which."
)
class AccountProofFailed:
    message: str = (
        "These details do not match an account. Check the account number, and the name and "
        "ZIP code or the amount of the latest bill, as printed on your bill."
    )


@strawberry.type(description="Too many failed attempts from here or for this account or login.")
class TooManyAttempts:
    retry_after_seconds: int
    message: str = "Too many failed attempts. Wait a while, then try again."


@strawberry.type(
    description="The emailed link's token is unknown, used, replaced by a newer one, or expired."
)
class TokenInvalid:
    message: str
