"""Whose `X-Forwarded-For` the server believes: nobody's unless the operator says so.

uvicorn trusts proxy headers from 127.0.0.1 by default (`--forwarded-allow-ips`), so
any client on the gateway's own host, or a local sidecar passing headers through, could
name its own address: the login throttle, the audit log and the session list would take
its word. Proxy headers are off unless `COOP_FORWARDED_ALLOW_IPS` lists the reverse
proxies (comma-separated addresses or networks, as uvicorn reads them; "*" trusts all).
"""

from __future__ import annotations

from typing import TypedDict

from pydantic_settings import BaseSettings, SettingsConfigDict


class ForwardingSettings(BaseSettings):
    """Read on its own, so that `serve` can configure uvicorn before the app's settings."""

    model_config = SettingsConfigDict(env_prefix="COOP_", frozen=True, extra="ignore")

    forwarded_allow_ips: str = ""


class ProxyOptions(TypedDict):
    proxy_headers: bool
    forwarded_allow_ips: str | None


def proxy_options(forwarded_allow_ips: str) -> ProxyOptions:
    """uvicorn's `proxy_headers` and `forwarded_allow_ips` for the trusted proxies given."""
    trusted = ",".join(part.strip() for part in forwarded_allow_ips.split(",") if part.strip())
    # uvicorn reads None as "127.0.0.1" (or $FORWARDED_ALLOW_IPS): never pass None with
    # proxy headers on.
    return ProxyOptions(proxy_headers=bool(trusted), forwarded_allow_ips=trusted or "")
