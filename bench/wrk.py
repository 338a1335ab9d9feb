"""The warm load generator: wrk, driven by a Lua script that POSTs one GraphQL body.

wrk measures every request's latency in its own event loop (C, not Python), so the
percentiles are not skewed by the client. The script's `done()` prints one line,
`BENCH_JSON {...}`, with the counts and the percentiles in microseconds; a response
that is HTTP 200 but carries GraphQL `errors` is counted too (wrk alone would call it
a success).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from bench.stats import LatencySummary

RESULT_MARKER: Final = "BENCH_JSON "

_DONE: Final = r"""
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  graphql_errors = 0
end

function response(status, headers, body)
  if body and string.find(body, '"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
  end
end

function done(summary, latency, requests)
  local graphql = 0
  for _, thread in ipairs(threads) do
    graphql = graphql + thread:get("graphql_errors")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %.0f, "duration_us": %.0f, "bytes": %.0f, ' ..
    '"errors": {"connect": %.0f, "read": %.0f, "write": %.0f, "status": %.0f, ' ..
    '"timeout": %.0f}, "graphql_errors": %.0f, "latency_us": {"p50": %.0f, ' ..
    '"p95": %.0f, "p99": %.0f, "mean": %.3f, "max": %.0f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout, graphql,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.mean, latency.max))
end
"""


class WrkError(Exception):
    """wrk is missing, failed, or printed no result."""


@dataclass(frozen=True, slots=True)
class WrkResult:
    requests: int
    duration_s: float
    bytes: int
    socket_errors: int  # connect, read, write and timeouts
    status_errors: int  # HTTP status other than 2xx/3xx
    graphql_errors: int  # HTTP 200 carrying GraphQL errors
    latency: LatencySummary

    @property
    def requests_per_s(self) -> float:
        return self.requests / self.duration_s if self.duration_s else 0.0

    @property
    def errors(self) -> int:
        return self.socket_errors + self.status_errors + self.graphql_errors


def lua_long_string(text: str) -> str:
    """`text` as a Lua long-bracket literal that no content can close early."""
    level = 0
    # The closing bracket may also be completed by the text's own tail ("...]=" + "=]").
    while (text + _closing(level)).find(_closing(level)) < len(text):
        level += 1
    fence = "=" * level
    # A newline right after the opening bracket is dropped by Lua: add one of our own.
    return f"[{fence}[\n{text}]{fence}]"


def _closing(level: int) -> str:
    return f"]{'=' * level}]"


def wrk_script(*, body: str, headers: Mapping[str, str]) -> str:
    """A wrk script that POSTs `body` with `headers` and reports as `parse_wrk_output` reads."""
    lines = ['wrk.method = "POST"', f"wrk.body = {lua_long_string(body)}"]
    lines += [
        # The spaces keep "[[[" from reading as a call with a long string.
        f"wrk.headers[ {lua_long_string(k)} ] = {lua_long_string(v)}"
        for k, v in headers.items()
    ]
    return "\n".join(lines) + "\n" + _DONE


def parse_wrk_output(output: str) -> WrkResult:
    for line in output.splitlines():
        if line.startswith(RESULT_MARKER):
            return _result(json.loads(line[len(RESULT_MARKER) :]))
    raise WrkError(f"wrk printed no {RESULT_MARKER.strip()} line:\n{output[-2000:]}")


def _result(data: Mapping[str, Any]) -> WrkResult:
    errors = data["errors"]
    latency = data["latency_us"]
    requests = int(data["requests"])
    return WrkResult(
        requests=requests,
        duration_s=float(data["duration_us"]) / 1e6,
        bytes=int(data["bytes"]),
        socket_errors=int(errors["connect"] + errors["read"] + errors["write"] + errors["timeout"]),
        status_errors=int(errors["status"]),
        graphql_errors=int(data["graphql_errors"]),
        latency=LatencySummary(
            samples=requests,
            p50_ms=latency["p50"] / 1000,
            p95_ms=latency["p95"] / 1000,
            p99_ms=latency["p99"] / 1000,
            mean_ms=latency["mean"] / 1000,
            max_ms=latency["max"] / 1000,
        ),
    )


def wrk_version() -> str | None:
    executable = shutil.which("wrk")
    if executable is None:
        return None
    # `wrk --version` prints its banner and usage, and exits 1.
    run = subprocess.run(  # noqa: S603 - a fixed argument list
        [executable, "--version"], capture_output=True, text=True, check=False, timeout=10
    )
    return wrk_version_from_banner(run.stdout or run.stderr)


def wrk_version_from_banner(banner: str) -> str | None:
    """ "debian/4.1.0-3+b2 [epoll]" from "wrk debian/4.1.0-3+b2 [epoll] Copyright (C) ..."."""
    first = banner.strip().splitlines()[0] if banner.strip() else ""
    if not first.startswith("wrk "):
        return None
    return first.removeprefix("wrk ").partition(" Copyright")[0].strip()


def run_wrk(
    *,
    url: str,
    script: Path,
    connections: int,
    threads: int,
    duration_s: float,
    timeout_s: float,
) -> WrkResult:
    executable = shutil.which("wrk")
    if executable is None:
        raise WrkError("wrk is not installed (apt-get install -y wrk; `make bench` does it)")
    command = [
        executable,
        f"--threads={min(threads, connections)}",
        f"--connections={connections}",
        f"--duration={max(1, round(duration_s))}s",
        f"--timeout={max(1, round(timeout_s))}s",
        "--latency",
        f"--script={script}",
        url,
    ]
    run = subprocess.run(  # noqa: S603 - a fixed argument list
        command, capture_output=True, text=True, check=False, timeout=duration_s + timeout_s + 30
    )
    if run.returncode != 0 or run.stderr.strip():
        # wrk reports a broken script on stderr and then runs a plain GET instead.
        raise WrkError(f"wrk exited with {run.returncode}:\n{run.stderr[-2000:]}")
    return parse_wrk_output(run.stdout)
