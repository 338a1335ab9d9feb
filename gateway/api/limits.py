"""What one GraphQL request may ask of the gateway, and reading a body within its limit.

Each limit stops a request at the cheapest point that can see it: the body's size while
it arrives, the document's tokens while it is parsed, depth and aliases during
validation, the cost (`gateway.api.cost`) once the variables are known; all of them
before any resolver runs. Then execution has a deadline, and its answer a size.
"""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from gateway.settings import GatewaySettings


@dataclass(frozen=True, slots=True)
class QueryLimits:
    max_body_bytes: int
    max_tokens: int
    max_depth: int
    max_aliases: int
    max_cost: int
    execution_timeout_s: float
    max_response_bytes: int

    @classmethod
    def defaults(cls) -> QueryLimits:
        """The settings' defaults (one home for them), for a schema built without settings."""
        fields = GatewaySettings.model_fields
        return cls(**{name: fields[name].default for name in cls.__dataclass_fields__})

    @classmethod
    def of(cls, settings: GatewaySettings) -> QueryLimits:
        return cls(
            max_body_bytes=settings.max_body_bytes,
            max_tokens=settings.max_tokens,
            max_depth=settings.max_depth,
            max_aliases=settings.max_aliases,
            max_cost=settings.max_cost,
            execution_timeout_s=settings.execution_timeout_s,
            max_response_bytes=settings.max_response_bytes,
        )


class BodyTooLarge(Exception):
    def __init__(self, limit: int) -> None:
        super().__init__(f"The request is larger than {limit} bytes.")


async def read_body(request: Request, *, limit: int) -> bytes:
    """The request body, refused as soon as it is known to be over `limit` bytes.

    A declared Content-Length over the limit is refused without reading anything; the
    bytes are counted as they arrive too, since a chunked body declares no length and
    a declared one may lie.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(limit)
        chunks.append(chunk)
    return b"".join(chunks)
