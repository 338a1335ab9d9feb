"""A plain HTTP client for the gateway: sign in, send one GraphQL request, read /metrics."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import httpx
import orjson

from bench.metrics import SampleKey, parse_metrics

REQUEST_TIMEOUT_S: Final = 300.0

LOGIN = """\
mutation BenchLogin($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    ... on LoginSuccess { accessToken }
    ... on LoginFailed { message }
  }
}
"""


class GatewayRequestFailed(Exception):
    """The gateway answered a benchmark request with an HTTP error or GraphQL errors."""


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    body: bytes
    elapsed_ms: float

    def data(self) -> Mapping[str, Any]:
        """The response's `data`; raises when the request failed in any way."""
        if self.status != 200:
            raise GatewayRequestFailed(f"HTTP {self.status}: {self.body[:500]!r}")
        document = orjson.loads(self.body)
        if document.get("errors"):
            raise GatewayRequestFailed(f"GraphQL errors: {document['errors']!r}"[:2000])
        data: Mapping[str, Any] = document["data"]
        return data


class GatewayClient:
    def __init__(self, base_url: str) -> None:
        self._http = httpx.Client(base_url=base_url, timeout=REQUEST_TIMEOUT_S)

    def close(self) -> None:
        self._http.close()

    def post(self, body: bytes, *, token: str | None = None) -> Answer:
        headers = graphql_headers(token)
        started = time.perf_counter()
        response = self._http.post("/graphql", content=body, headers=headers)
        elapsed_ms = (time.perf_counter() - started) * 1000
        return Answer(status=response.status_code, body=response.content, elapsed_ms=elapsed_ms)

    def login(self, email: str, password: str) -> str:
        body = orjson.dumps({"query": LOGIN, "variables": {"email": email, "password": password}})
        result = self.post(body).data()["login"]
        if "accessToken" not in result:
            raise GatewayRequestFailed(f"the gateway refused the login of {email}")
        token: str = result["accessToken"]
        return token

    def metrics(self) -> dict[SampleKey, float] | None:
        """The gateway's metrics; None while it has no /metrics."""
        response = self._http.get("/metrics")
        if response.status_code == 404:
            return None
        response.raise_for_status()
        return parse_metrics(response.text)


def graphql_headers(token: str | None) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "Accept": "application/graphql-response+json",
    }
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return headers
