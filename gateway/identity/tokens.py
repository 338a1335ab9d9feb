"""The tokens of a sign-in session.

Access tokens are signed JWTs (HS256) that say who the viewer is and in which
session, until they expire. Refresh tokens are random strings that the store keeps
only as their SHA-256: they are worth nothing to someone who reads the database.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import jwt
from pydantic import SecretStr

from gateway.core.clock import Clock, utc_now
from gateway.identity.tables import Role

ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ("sub", "role", "sid", "exp", "iat", "jti")
DEFAULT_REFRESH_TTL = timedelta(days=30)
DEFAULT_SESSION_MAX_AGE = timedelta(days=90)
# Access tokens whose signature and claims were checked, remembered per process: a
# client sends the same token with every request until it expires (15 minutes), and
# checking it again cost more than the rest of a response cache hit.
MAX_VERIFIED_TOKENS = 10_000


class InvalidToken(Exception):
    """The token is expired, forged, malformed or names an unknown role."""

    def __init__(self, message: str, *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str = field(repr=False)
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class TokenClaims:
    user_id: int
    role: Role
    session_id: str
    token_id: str
    expires_at: datetime


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def refresh_token_hash(token: str) -> str:
    """What the store keeps of a refresh token (the token has 256 random bits: no salt needed)."""
    return hashlib.sha256(token.encode()).hexdigest()


class TokenIssuer:
    """Signs access tokens; knows how long they and sessions last, by its own clock."""

    def __init__(
        self,
        secret: SecretStr,
        *,
        ttl: timedelta,
        refresh_ttl: timedelta = DEFAULT_REFRESH_TTL,
        session_max_age: timedelta = DEFAULT_SESSION_MAX_AGE,
        clock: Clock = utc_now,
        max_verified: int = MAX_VERIFIED_TOKENS,
    ) -> None:
        self._secret = secret
        self._ttl = ttl
        self.refresh_ttl = refresh_ttl
        self.session_max_age = session_max_age
        self._clock = clock
        self._verified: dict[str, TokenClaims] = {}  # token -> its claims, oldest first
        self._max_verified = max_verified

    def now(self) -> datetime:
        return self._clock()

    def issue(self, *, user_id: int, role: Role, session_id: str) -> AccessToken:
        # JWT times are whole seconds; truncating keeps `expires_at` equal to `exp`.
        issued_at = self._clock().replace(microsecond=0)
        expires_at = issued_at + self._ttl
        claims = {
            "sub": str(user_id),
            "role": role.value,
            "sid": session_id,
            "iat": issued_at,
            "exp": expires_at,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(claims, self._secret.get_secret_value(), algorithm=ALGORITHM)
        return AccessToken(token=token, expires_at=expires_at)

    def verify(self, token: str) -> TokenClaims:
        """The token's claims, if this issuer signed it and it has not expired.

        A token verified before is not decoded again: the same string was signed by
        this issuer's key, so only its expiry can have changed (revocation is the
        session's, checked by the store). Only valid tokens are remembered, so that
        sending made-up ones fills nothing."""
        claims = self._verified.get(token)
        if claims is None:
            claims = self._decode(token)
            while len(self._verified) >= self._max_verified:
                del self._verified[next(iter(self._verified))]
            self._verified[token] = claims
        if self._clock() >= claims.expires_at:
            raise InvalidToken("the access token has expired", expired=True)
        return claims

    def _decode(self, token: str) -> TokenClaims:
        try:
            claims = jwt.decode(
                token,
                self._secret.get_secret_value(),
                algorithms=[ALGORITHM],
                # Times are checked below against the issuer's clock, not the wall clock.
                options={
                    "require": list(_REQUIRED_CLAIMS),
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
            expires_at = datetime.fromtimestamp(int(claims["exp"]), UTC)
            user_id, role = int(claims["sub"]), Role(claims["role"])
            session_id = claims["sid"]
            if not isinstance(session_id, str) or not session_id:
                raise TypeError("the session id is not a string")
        except (jwt.PyJWTError, TypeError, ValueError, OverflowError) as error:
            raise InvalidToken("the access token is not valid") from error
        return TokenClaims(
            user_id=user_id,
            role=role,
            session_id=session_id,
            token_id=str(claims["jti"]),
            expires_at=expires_at,
        )
