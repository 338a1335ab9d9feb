from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import pytest
from pydantic import SecretStr

from gateway.identity.tables import Role
from gateway.identity.tokens import (
    InvalidToken,
    TokenIssuer,
    new_refresh_token,
    refresh_token_hash,
)
from gateway.identity.viewer import authenticate

SECRET = SecretStr("a-signing-secret-that-is-long-enough-for-hs256")
NOON = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
SID = "5e55" * 8


def issuer(now: datetime = NOON, secret: SecretStr = SECRET) -> TokenIssuer:
    return TokenIssuer(secret, ttl=timedelta(minutes=15), clock=lambda: now)


def test_a_token_carries_user_role_session_and_expiry() -> None:
    token = issuer().issue(user_id=42, role=Role.STAFF, session_id=SID)
    assert token.expires_at == NOON + timedelta(minutes=15)
    claims = issuer().verify(token.token)
    assert (claims.user_id, claims.role, claims.session_id, claims.expires_at) == (
        42,
        Role.STAFF,
        SID,
        token.expires_at,
    )
    raw = jwt.decode(token.token, options={"verify_signature": False})
    assert set(raw) == {"sub", "role", "sid", "exp", "iat", "jti"}
    assert jwt.get_unverified_header(token.token)["alg"] == "HS256"


def test_each_token_has_its_own_id() -> None:
    first = issuer().issue(user_id=1, role=Role.MEMBER, session_id=SID)
    second = issuer().issue(user_id=1, role=Role.MEMBER, session_id=SID)
    assert issuer().verify(first.token).token_id != issuer().verify(second.token).token_id


def test_an_expired_token_is_refused_as_expired() -> None:
    token = issuer().issue(user_id=1, role=Role.MEMBER, session_id=SID)
    with pytest.raises(InvalidToken) as caught:
        issuer(NOON + timedelta(minutes=15)).verify(token.token)
    assert caught.value.expired


def test_a_token_verified_before_still_expires_and_its_altered_copies_are_checked() -> None:
    now = [NOON]
    verifier = TokenIssuer(SECRET, ttl=timedelta(minutes=15), clock=lambda: now[0])
    token = verifier.issue(user_id=7, role=Role.MEMBER, session_id=SID).token
    assert verifier.verify(token).user_id == 7

    header, payload, signature = token.split(".")
    altered = ".".join(
        (header, payload, signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB"))
    )
    with pytest.raises(InvalidToken) as caught:
        verifier.verify(altered)
    assert not caught.value.expired
    now[0] = NOON + timedelta(minutes=15)
    with pytest.raises(InvalidToken) as caught:
        verifier.verify(token)
    assert caught.value.expired


def test_at_most_so_many_verified_tokens_are_remembered() -> None:
    verifier = TokenIssuer(SECRET, ttl=timedelta(minutes=15), clock=lambda: NOON, max_verified=2)
    tokens = [verifier.issue(user_id=n, role=Role.MEMBER, session_id=SID).token for n in range(3)]
    assert [verifier.verify(token).user_id for token in tokens] == [0, 1, 2]
    assert list(verifier._verified) == tokens[1:]  # the oldest went first
    assert verifier.verify(tokens[0]).user_id == 0  # verified again, in full


def test_a_token_signed_with_another_secret_is_refused() -> None:
    forged = issuer(secret=SecretStr("another-secret-that-is-also-long-enough!!")).issue(
        user_id=1, role=Role.ADMIN, session_id=SID
    )
    with pytest.raises(InvalidToken) as caught:
        issuer().verify(forged.token)
    assert not caught.value.expired


def test_an_unsigned_token_is_refused() -> None:
    unsigned = jwt.encode(
        {
            "sub": "1",
            "role": "admin",
            "sid": SID,
            "exp": NOON + timedelta(hours=1),
            "iat": NOON,
            "jti": "x",
        },
        key=None,
        algorithm="none",
    )
    with pytest.raises(InvalidToken):
        issuer().verify(unsigned)


CLAIMS = {
    "sub": "1",
    "role": "member",
    "sid": SID,
    "exp": NOON + timedelta(hours=1),
    "iat": NOON,
    "jti": "x",
}


@pytest.mark.parametrize("claim", sorted(CLAIMS))
def test_a_token_without_a_required_claim_is_refused(claim: str) -> None:
    claims = {name: value for name, value in CLAIMS.items() if name != claim}
    token = jwt.encode(claims, SECRET.get_secret_value(), algorithm="HS256")
    with pytest.raises(InvalidToken):
        issuer().verify(token)


@pytest.mark.parametrize("session_id", ["", 17, None])
def test_a_token_with_a_blank_or_odd_session_is_refused(session_id: object) -> None:
    token = jwt.encode({**CLAIMS, "sid": session_id}, SECRET.get_secret_value(), algorithm="HS256")
    with pytest.raises(InvalidToken):
        issuer().verify(token)


def test_the_complete_claims_are_accepted() -> None:
    token = jwt.encode(CLAIMS, SECRET.get_secret_value(), algorithm="HS256")
    assert issuer().verify(token).session_id == SID


def test_refresh_tokens_are_random_and_stored_as_their_sha256() -> None:
    first, second = new_refresh_token(), new_refresh_token()
    assert first != second
    assert len(first) == 43  # 32 random bytes, base64url
    digest = refresh_token_hash(first)
    assert len(digest) == 64
    assert digest == refresh_token_hash(first) != refresh_token_hash(second)
    assert first not in digest


def test_authorization_headers() -> None:
    tokens = issuer(datetime.now(UTC))
    good = tokens.issue(user_id=7, role=Role.MEMBER, session_id=SID).token
    signed_in = authenticate(f"Bearer {good}", tokens)
    assert signed_in.viewer is not None
    assert (signed_in.viewer.user_id, signed_in.viewer.session_id) == (7, SID)
    assert authenticate(None, tokens).viewer is None
    assert authenticate(None, tokens).problem is None
    basic = authenticate("Basic dXNlcjpwYXNz", tokens)
    assert basic.viewer is None
    assert basic.problem is not None
    assert "Bearer" in basic.problem
    garbage = authenticate("Bearer not-a-token", tokens)
    assert garbage.viewer is None
    assert garbage.problem is not None
    assert "not valid" in garbage.problem
