from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from gateway.settings import GatewaySettings

SECRET = "settings-test-secret-" + "q" * 20


def test_read_from_coop_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOP_JWT_SECRET", SECRET)
    monkeypatch.setenv("COOP_CIS_USER", "cis-user-789")
    monkeypatch.setenv("COOP_CIS_PASSWORD", "cis-pass-123")
    monkeypatch.setenv("COOP_ACCESS_TOKEN_TTL", "600")
    monkeypatch.setenv("COOP_CORS_ORIGINS", '["https://portal.example.coop"]')
    monkeypatch.setenv("COOP_DATABASE_URL", "postgresql+asyncpg://gw:pg-pass-456@db/gateway")
    settings = GatewaySettings()  # type: ignore[call-arg]
    assert settings.jwt_secret.get_secret_value() == SECRET
    assert settings.access_token_ttl == timedelta(minutes=10)
    assert settings.cors_origins == ("https://portal.example.coop",)
    assert settings.zone.key == "America/Denver"
    shown = repr(settings) + str(settings)
    assert settings.cis_user.get_secret_value() == "cis-user-789"
    for secret in (SECRET, "cis-user-789", "cis-pass-123", "pg-pass-456"):
        assert secret not in shown


def test_defaults() -> None:
    settings = GatewaySettings(jwt_secret=SECRET)  # type: ignore[arg-type]
    assert settings.access_token_ttl == timedelta(minutes=15)
    assert settings.database_url == "sqlite+aiosqlite:///var/gateway.db"
    assert settings.cors_origins == ()
    assert settings.debug is False
    assert settings.graphiql_enabled is False  # `serve` shows browsers no GraphiQL...


def test_coop_graphiql_turns_graphiql_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOP_JWT_SECRET", SECRET)
    monkeypatch.setenv("COOP_GRAPHIQL", "true")  # ...unless told to
    monkeypatch.setenv("COOP_WEB_BUILD_DIR", "/srv/web")
    settings = GatewaySettings()  # type: ignore[call-arg]
    assert settings.graphiql_enabled is True
    assert str(settings.web_build_dir) == "/srv/web"


def test_the_signing_secret_is_required_and_never_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COOP_JWT_SECRET", raising=False)
    with pytest.raises(ValidationError, match="jwt_secret"):
        GatewaySettings()  # type: ignore[call-arg]
    with pytest.raises(ValidationError) as short:
        GatewaySettings(jwt_secret="too-short-but-secret")  # type: ignore[arg-type]
    assert "too-short-but-secret" not in str(short.value)


def test_unknown_time_zone_is_refused() -> None:
    with pytest.raises(ValidationError, match="Mars/Olympus"):
        GatewaySettings(jwt_secret=SECRET, time_zone="Mars/Olympus")  # type: ignore[arg-type]


def test_the_rate_limit_is_on_by_default_with_room_for_members_and_offices() -> None:
    settings = GatewaySettings(jwt_secret=SECRET)  # type: ignore[arg-type]
    assert settings.rate_limit_enabled is True
    # Two documents at the most a document may cost, back to back, then one each 4 s.
    assert settings.rate_limit_login_capacity == 2 * settings.max_cost
    assert settings.max_cost / settings.rate_limit_login_refill_per_s == 4.0
    # An address holds four logins' worth, for several members behind one NAT.
    assert settings.rate_limit_address_capacity == 4 * settings.rate_limit_login_capacity
    assert settings.rate_limit_address_refill_per_s == 4 * settings.rate_limit_login_refill_per_s


def test_the_rate_limit_is_read_from_coop_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOP_JWT_SECRET", SECRET)
    monkeypatch.setenv("COOP_RATE_LIMIT_ENABLED", "false")
    monkeypatch.setenv("COOP_RATE_LIMIT_LOGIN_CAPACITY", "1000")
    monkeypatch.setenv("COOP_RATE_LIMIT_ADDRESS_REFILL_PER_S", "250.5")
    settings = GatewaySettings()  # type: ignore[call-arg]
    assert settings.rate_limit_enabled is False
    assert settings.rate_limit_login_capacity == 1000
    assert settings.rate_limit_address_refill_per_s == 250.5
    with pytest.raises(ValidationError):
        GatewaySettings(jwt_secret=SECRET, rate_limit_login_refill_per_s=0)  # type: ignore[arg-type]


def test_payments_are_read_from_coop_variables_and_the_key_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COOP_JWT_SECRET", SECRET)
    monkeypatch.setenv("COOP_PAYMENTS_URL", "https://api.processor.example")
    monkeypatch.setenv("COOP_PAYMENTS_SECRET_KEY", "sk_live_never_shown_42")
    monkeypatch.setenv("COOP_PAYMENTS_TIMEOUT_S", "7.5")
    settings = GatewaySettings()  # type: ignore[call-arg]
    assert settings.payments_url == "https://api.processor.example"
    assert settings.payments_secret_key is not None
    assert settings.payments_secret_key.get_secret_value() == "sk_live_never_shown_42"
    assert settings.payments_timeout_s == 7.5
    assert "sk_live_never_shown_42" not in repr(settings) + str(settings)


def test_payments_are_off_unless_a_url_is_set_and_a_url_needs_its_key() -> None:
    assert GatewaySettings(jwt_secret=SECRET, payments_url=" ").payments_url is None  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="payments_secret_key"):
        GatewaySettings(jwt_secret=SECRET, payments_url="https://api.processor.example")  # type: ignore[arg-type]


def test_the_payments_webhook_secret_is_read_and_never_shown(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COOP_JWT_SECRET", SECRET)
    assert GatewaySettings().payments_webhook_secret is None  # type: ignore[call-arg]
    monkeypatch.setenv("COOP_PAYMENTS_WEBHOOK_SECRET", "whsec_never_shown_42")
    settings = GatewaySettings()  # type: ignore[call-arg]
    assert settings.payments_webhook_secret is not None
    assert settings.payments_webhook_secret.get_secret_value() == "whsec_never_shown_42"
    assert "whsec_never_shown_42" not in repr(settings) + str(settings)


def test_autopay_drafts_hourly_unless_told_otherwise(monkeypatch: pytest.MonkeyPatch) -> None:
    assert GatewaySettings(jwt_secret=SECRET).autopay_draft_interval_s == 3600  # type: ignore[arg-type]

    monkeypatch.setenv("COOP_AUTOPAY_DRAFT_INTERVAL_S", "0")
    assert GatewaySettings(jwt_secret=SECRET).autopay_draft_interval_s == 0  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        GatewaySettings(jwt_secret=SECRET, autopay_draft_interval_s=-1)  # type: ignore[arg-type]
