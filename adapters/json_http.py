"""What the adapters over HTTP/JSON APIs (the payment processor, the SMS provider)
share: telling "nothing happened" from "the answer was lost", and reading answers.

A call that does something (a charge, a text) carries an idempotency key. If it fails
before the request left this process, the provider cannot have acted: the caller may
simply try again later. If the request went out and no complete answer came back
(the connection dropped, a read timed out, a 5xx other than 503), the provider may
well have acted: the caller must look the outcome up by its key or reference before
trying again. A 503 is the provider saying it did nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

import httpx

from adapters.http_lanes import LanesTransport

IDEMPOTENCY_HEADER: Final = "Idempotency-Key"
# Failures before the request left this process.
NOT_SENT: Final = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# As many calls under way as httpx's own pool allows by default.
MAX_CALLS_IN_FLIGHT: Final = 100


def own_transport() -> httpx.AsyncBaseTransport:
    """The HTTP transport of an adapter not given one: a connection per call under way,
    and one whose call was cancelled (a request's deadline) replaced rather than left
    in httpx's pool, where httpcore can strand it for good (`adapters.http_lanes`)."""
    return LanesTransport(lanes=MAX_CALLS_IN_FLIGHT)


async def post_once(
    client: httpx.AsyncClient,
    path: str,
    *,
    body: Mapping[str, Any],
    idempotency_key: str,
    system: str,
    not_sent: Callable[[str], Exception],
    outcome_unknown: Callable[[str], Exception],
) -> httpx.Response:
    """POST `body` with its idempotency key; the answer, whatever its status, unless
    the outcome is unknown (`outcome_unknown` raised) or nothing was sent (`not_sent`)."""
    try:
        response = await client.post(path, json=body, headers={IDEMPOTENCY_HEADER: idempotency_key})
    except NOT_SENT as error:
        raise not_sent(f"{system}: {type(error).__name__}") from None
    except httpx.TransportError as error:
        raise outcome_unknown(f"{system}: no answer ({type(error).__name__})") from None
    if response.status_code >= 500 and response.status_code != 503:
        raise outcome_unknown(f"{system}: HTTP {response.status_code}")
    return response


def json_answer(
    response: httpx.Response, *, system: str, unavailable: Callable[[str], Exception]
) -> dict[str, Any]:
    """The body of a 2xx answer; `unavailable` raised when it is not a JSON object."""
    try:
        data = response.json()
    except ValueError:
        raise unavailable(f"{system}: an answer that is not JSON") from None
    if not isinstance(data, dict):
        raise unavailable(f"{system}: an answer that is not a JSON object")
    return data


def error_object(response: httpx.Response) -> dict[str, Any]:
    """The `error` object of a refusal (`{"error": {"code", "message", ...}}`), or {}."""
    try:
        payload = response.json()
    except ValueError:
        return {}
    error = payload.get("error") if isinstance(payload, dict) else None
    return error if isinstance(error, dict) else {}
