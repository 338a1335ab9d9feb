"""The gateway's configuration: read once from the environment, then passed in.

Nothing else in the gateway or the adapters reads the environment. Secrets are
`SecretStr`, so they print as ``**********`` in reprs, logs and tracebacks.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# HS256 keys shorter than the hash output weaken the signature (RFC 7518 section 3.2).
MIN_JWT_SECRET_LENGTH = 32


class GatewaySettings(BaseSettings):
    # hide_input_in_errors: a rejected secret must not be echoed in the validation error.
    model_config = SettingsConfigDict(
        env_prefix="COOP_", frozen=True, extra="ignore", hide_input_in_errors=True
    )

    cis_url: str = "http://127.0.0.1:8101/CB_Server"
    cis_user: SecretStr = SecretStr("coop-gateway")
    cis_password: SecretStr = SecretStr("")
    cis_timeout_s: float = Field(default=10.0, gt=0)
    oms_url: str = "http://127.0.0.1:8102/OA_Server"
    oms_user: SecretStr = SecretStr("coop-gateway")
    oms_password: SecretStr = SecretStr("")
    oms_timeout_s: float = Field(default=10.0, gt=0)
    multispeak_app_name: str = "coop-gateway"
    multispeak_company: str = "Demo Electric Cooperative"

    # URLs of SQL databases may embed a password: keep them out of reprs.
    meters_database_url: str = Field(default="sqlite+aiosqlite:///var/meters.db", repr=False)
    database_url: str = Field(default="sqlite+aiosqlite:///var/gateway.db", repr=False)

    jwt_secret: SecretStr = Field(min_length=MIN_JWT_SECRET_LENGTH)
    access_token_ttl: timedelta = timedelta(minutes=15)

    time_zone: str = "America/Denver"
    cors_origins: tuple[str, ...] = ()
    debug: bool = False

    @field_validator("time_zone")
    @classmethod
    def _known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r}") from error
        return value

    @field_validator("access_token_ttl", mode="before")
    @classmethod
    def _seconds_or_iso_duration(cls, value: object) -> object:
        # COOP_ACCESS_TOKEN_TTL=900 reads as seconds; "PT15M" still works.
        if isinstance(value, str) and value.strip().isdigit():
            return timedelta(seconds=int(value))
        return value

    @field_validator("access_token_ttl")
    @classmethod
    def _positive_ttl(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("the access token lifetime must be positive")
        return value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)
