"""Signed access tokens (JWT, HS256) that say who the viewer is until they expire."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import jwt
from pydantic import SecretStr

from gateway.store.models import Role

ALGORITHM = "HS256"
_REQUIRED_CLAIMS = ("sub", "role", "exp", "iat", "jti")


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
    token_id: str
    expires_at: datetime


def _utc_now() -> datetime:
    return datetime.now(UTC)


class TokenIssuer:
    def __init__(
        self,
        secret: SecretStr,
        *,
        ttl: timedelta,
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self._secret = secret
        self._ttl = ttl
        self._clock = clock

    def issue(self, *, user_id: int, role: Role) -> AccessToken:
        # JWT times are whole seconds; truncating keeps `expires_at` equal to `exp`.
        issued_at = self._clock().replace(microsecond=0)
        expires_at = issued_at + self._ttl
        claims = {
            "sub": str(user_id),
            "role": role.value,
            "iat": issued_at,
            "exp": expires_at,
            "jti": uuid.uuid4().hex,
        }
        token = jwt.encode(claims, self._secret.get_secret_value(), algorithm=ALGORITHM)
        return AccessToken(token=token, expires_at=expires_at)

    def verify(self, token: str) -> TokenClaims:
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
        except (jwt.PyJWTError, TypeError, ValueError, OverflowError) as error:
            raise InvalidToken("the access token is not valid") from error
        if self._clock() >= expires_at:
            raise InvalidToken("the access token has expired", expired=True)
        return TokenClaims(
            user_id=user_id, role=role, token_id=str(claims["jti"]), expires_at=expires_at
        )
