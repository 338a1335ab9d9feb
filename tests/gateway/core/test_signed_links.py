"""Signed links: what verifies, and everything that must not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest

from gateway.core.signed_links import LinkHolder, LinkRefused, LinkSigner, derived_key

KEY = b"k" * 32
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
HOLDER = LinkHolder(user_id=42, session_id="sess-1")


def signer(at: datetime = NOW, key: bytes = KEY) -> LinkSigner:
    return LinkSigner(key, clock=lambda: at)


def split(link: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(link)
    return parts.path, dict(parse_qsl(parts.query))


def test_a_link_verifies_as_its_holder_until_it_expires() -> None:
    path, params = split(signer().sign("/documents/x.pdf", {"from": "2026-01-01"}, holder=HOLDER))

    assert signer(NOW + timedelta(minutes=4, seconds=59)).verify(path, params) == HOLDER
    with pytest.raises(LinkRefused, match="expired"):
        signer(NOW + timedelta(minutes=5)).verify(path, params)


@pytest.mark.parametrize(
    ("name", "value"), [("from", "2025-01-01"), ("u", "43"), ("s", "sess-2"), ("e", "9999999999")]
)
def test_a_changed_parameter_does_not_verify(name: str, value: str) -> None:
    path, params = split(signer().sign("/documents/x.pdf", {"from": "2026-01-01"}, holder=HOLDER))

    with pytest.raises(LinkRefused, match="signature"):
        signer().verify(path, {**params, name: value})


def test_a_link_moved_to_another_path_or_key_or_stripped_does_not_verify() -> None:
    path, params = split(signer().sign("/documents/a/1.pdf", {}, holder=HOLDER))

    with pytest.raises(LinkRefused):
        signer().verify("/documents/b/1.pdf", params)
    with pytest.raises(LinkRefused):
        signer(key=b"o" * 32).verify(path, params)
    with pytest.raises(LinkRefused):
        signer().verify(path, {k: v for k, v in params.items() if k != "sig"})
    with pytest.raises(LinkRefused):
        signer().verify(path, {k: v for k, v in params.items() if k != "s"})


def test_a_link_without_a_session_is_bound_to_the_user_only() -> None:
    path, params = split(signer().sign("/d", {}, holder=LinkHolder(7, None)))

    assert "s" not in params
    assert signer().verify(path, params) == LinkHolder(7, None)


def test_the_links_own_parameters_and_short_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="link's own"):
        signer().sign("/d", {"u": "1"}, holder=HOLDER)
    with pytest.raises(ValueError, match="32 bytes"):
        LinkSigner(b"short")


def test_a_derived_key_is_not_the_secret_it_comes_from() -> None:
    secret = b"s" * 40
    assert derived_key(secret) != secret
    assert len(derived_key(secret)) == 32
    assert derived_key(secret) == derived_key(secret)


def test_a_link_for_an_origin_starts_with_it_and_verifies_by_its_path() -> None:
    link = signer().for_origin("https://gw.example.coop/").sign("/d/1.pdf", {}, holder=HOLDER)

    assert link.startswith("https://gw.example.coop/d/1.pdf?")
    path, params = split(link)
    assert signer().verify(path, params) == HOLDER
