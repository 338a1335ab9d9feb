"""How the gateway connects to Redis: one configuration for the cache and the rate limit.

Short socket timeouts (a slow Redis counts as a down one: its callers fall back rather
than wait), one immediate retry on a broken pooled connection, and the URL's password
kept out of every log line.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError


def open_redis(url: str, *, socket_timeout_s: float) -> Redis:
    """A client for `redis://[user:password@]host:port/db`; connects on first use."""
    return Redis.from_url(
        url,
        socket_timeout=socket_timeout_s,
        socket_connect_timeout=socket_timeout_s,
        # One immediate retry on a broken connection replaces a pooled socket that
        # died while Redis restarted; a timeout is not retried (it would double it).
        retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
    )


def redis_endpoint(url: str) -> str:
    """The URL without its credentials, to name Redis in logs and errors."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return f"unix:{parts.path}"
    host = parts.hostname or "localhost"
    port = parts.port or 6379
    database = parts.path.lstrip("/") or "0"
    return f"{host}:{port}/{database}"


def redis_secrets(url: str) -> tuple[str, ...]:
    """What must never appear in a log line about this Redis: its password, both ways."""
    password = urlsplit(url).password or ""
    return tuple(secret for secret in (password, unquote(password)) if secret)


def describe_error(error: BaseException, *, secrets: tuple[str, ...]) -> str:
    """The error's type and message for a log line, with `secrets` scrubbed."""
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    for secret in secrets:
        text = text.replace(secret, "***")
    return text
