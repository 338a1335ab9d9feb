"""Reading wrk's result line, and the Lua literals the wrk script is built from."""

from __future__ import annotations

import pytest

from bench.wrk import (
    WrkError,
    lua_long_string,
    parse_wrk_output,
    wrk_script,
    wrk_version_from_banner,
)

WRK_OUTPUT = """\
Running 10s test @ http://127.0.0.1:40321/graphql
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.11ms    1.02ms  21.40ms   88.12%
    Req/Sec     1.29k   101.23     1.45k    71.00%
  Latency Distribution
     50%    2.90ms
     75%    3.31ms
     90%    4.02ms
     99%    7.80ms
  12873 requests in 10.00s, 98.21MB read
  Non-2xx or 3xx responses: 2
Requests/sec:   1287.02
Transfer/sec:      9.82MB
BENCH_JSON {"requests": 12873, "duration_us": 10002345, "bytes": 102982144, \
"errors": {"connect": 0, "read": 1, "write": 0, "status": 2, "timeout": 3}, \
"graphql_errors": 4, "latency_us": {"p50": 2904, "p95": 4820, "p99": 7801, \
"mean": 3110.412, "max": 21400}}
"""


def test_the_result_line_gives_counts_rate_and_percentiles_in_ms() -> None:
    result = parse_wrk_output(WRK_OUTPUT)
    assert result.requests == 12873
    assert result.duration_s == pytest.approx(10.002345)
    assert result.requests_per_s == pytest.approx(12873 / 10.002345)
    assert result.bytes == 102982144
    assert result.latency.samples == 12873
    assert result.latency.p50_ms == pytest.approx(2.904)
    assert result.latency.p95_ms == pytest.approx(4.82)
    assert result.latency.p99_ms == pytest.approx(7.801)
    assert result.latency.mean_ms == pytest.approx(3.110412)
    assert result.latency.max_ms == pytest.approx(21.4)


def test_socket_status_and_graphql_errors_are_told_apart_and_all_count() -> None:
    result = parse_wrk_output(WRK_OUTPUT)
    assert (result.socket_errors, result.status_errors, result.graphql_errors) == (4, 2, 4)
    assert result.errors == 10


def test_output_without_the_result_line_is_an_error_that_shows_the_output() -> None:
    plain = WRK_OUTPUT.split("BENCH_JSON")[0]
    with pytest.raises(WrkError, match="Requests/sec"):
        parse_wrk_output(plain)


def test_a_run_without_time_has_no_rate() -> None:
    output = WRK_OUTPUT.replace('"duration_us": 10002345', '"duration_us": 0')
    assert parse_wrk_output(output).requests_per_s == 0.0


def _long_string_content(literal: str) -> str:
    """What Lua reads from a long-bracket literal (the inverse of `lua_long_string`)."""
    level = literal.index("[", 1) - 1
    opening, closing = f"[{'=' * level}[\n", f"]{'=' * level}]"
    assert literal.startswith(opening)
    assert literal.endswith(closing)
    body = literal[len(opening) :]
    return body[: body.index(closing)]  # Lua stops at the first closing bracket


@pytest.mark.parametrize(
    "text",
    [
        '{"query": "{ viewer { email } }"}',
        "a]]b",
        "a]=]b]]",
        "ends with ]",
        "ends with ]=",
        "\nstarts with a newline",
        "",
    ],
)
def test_a_long_string_literal_holds_exactly_its_text(text: str) -> None:
    assert _long_string_content(lua_long_string(text)) == text


def test_the_script_posts_the_body_with_the_headers_and_reports_a_result_line() -> None:
    script = wrk_script(body='{"query": "{ a }"}', headers={"Authorization": "Bearer t.k.n"})
    assert 'wrk.method = "POST"' in script
    assert 'wrk.body = [[\n{"query": "{ a }"}]]' in script
    # A space after "[": "[[[" would read as a call with a long string.
    assert "wrk.headers[ [[\nAuthorization]] ] = [[\nBearer t.k.n]]" in script
    assert "BENCH_JSON" in script
    assert "function done(" in script


def test_the_version_comes_from_wrk_s_banner() -> None:
    banner = "wrk debian/4.1.0-3+b2 [epoll] Copyright (C) 2012 Will Glozer\nUsage: wrk ..."
    assert wrk_version_from_banner(banner) == "debian/4.1.0-3+b2 [epoll]"
    assert wrk_version_from_banner("") is None
    assert wrk_version_from_banner("command not found") is None
