"""Who is asking: the bearer token of a request, turned into a viewer (or a reason not)."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.identity.tables import Role
from gateway.identity.tokens import InvalidToken, TokenIssuer


@dataclass(frozen=True, slots=True)
class Viewer:
    """The signed-in user as the token says; the store has the final word on role.

    `session_id` is the sign-in session the token belongs to: the store also has the
    final word on whether it still runs. Viewers made from a request's token always
    have one; None only for viewers the gateway makes in-process (tests, commands).
    """

    user_id: int
    token_role: Role
    session_id: str | None = None


@dataclass(frozen=True, slots=True)
class Authentication:
    viewer: Viewer | None
    # Why there is no viewer although the request sent credentials (user-facing).
    problem: str | None = None


ANONYMOUS = Authentication(viewer=None)


def authenticate(authorization: str | None, tokens: TokenIssuer) -> Authentication:
    """Read an ``Authorization: Bearer <token>`` header value."""
    if authorization is None or not authorization.strip():
        return ANONYMOUS
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return Authentication(None, "Send the access token as 'Authorization: Bearer <token>'.")
    try:
        claims = tokens.verify(token.strip())
    except InvalidToken as error:
        if error.expired:
            return Authentication(None, "The access token has expired; sign in again.")
        return Authentication(None, "The access token is not valid; sign in again.")
    return Authentication(
        Viewer(user_id=claims.user_id, token_role=claims.role, session_id=claims.session_id)
    )
