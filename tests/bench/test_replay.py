"""What the replay records of each attack: statuses, codes, the gateway's time, the
other client's requests during it."""

from __future__ import annotations

import orjson

from bench.attacks import Attack
from bench.bystander import Sample, during
from bench.replay import (
    DURATION_COUNT,
    DURATION_SUM,
    Sent,
    ServerTime,
    Usage,
    cpu_per_send_ms,
    error_code,
    server_time,
    summarize_attack,
)


def test_the_first_error_s_code_is_read_from_the_answer() -> None:
    refused = {"errors": [{"message": "no", "extensions": {"code": "QUERY_TOO_DEEP"}}]}
    assert error_code(orjson.dumps(refused)) == "QUERY_TOO_DEEP"
    assert error_code(orjson.dumps({"data": {"viewer": None}})) == "none"
    assert error_code(b"<html>Bad Gateway</html>") == "none"
    huge = b'{"errors":[{"extensions":{"code":"RESPONSE_TOO_LARGE"}}],"x":"' + b"x" * 2_000_000
    assert error_code(huge) == "RESPONSE_TOO_LARGE"


def test_the_gateway_s_time_is_its_unnamed_requests_mean() -> None:
    anonymous = (("operation", "anonymous"),)
    probe = (("operation", "BystanderProbe"),)
    before = {(DURATION_SUM, anonymous): 1.0, (DURATION_COUNT, anonymous): 10.0}
    after = {
        (DURATION_SUM, anonymous): 1.3,
        (DURATION_COUNT, anonymous): 13.0,
        (DURATION_SUM, probe): 5.0,  # the other client's requests are not the attack's
        (DURATION_COUNT, probe): 100.0,
    }
    timed = server_time(before, after)
    assert timed.requests == 3
    assert timed.mean_ms is not None
    assert abs(timed.mean_ms - 100.0) < 1e-6
    assert server_time(after, after) == ServerTime(0, None)


def test_the_gateway_s_cpu_per_send_leaves_out_what_it_uses_anyway() -> None:
    before = Usage(metrics={}, cpu_s=10.0, at=100.0)
    after = Usage(metrics={}, cpu_s=10.7, at=102.0)
    # 0.1 s of CPU a second without the attacks: 0.5 s for 10 sends.
    assert abs(cpu_per_send_ms(before, after, sends=10, background_cpu_per_s=0.1) - 50.0) < 1e-6
    assert cpu_per_send_ms(before, after, sends=10, background_cpu_per_s=1.0) == 0.0


def sent(status: int, code: str, wall_ms: float, retry_after: str | None = None) -> Sent:
    return Sent(
        status=status, code=code, retry_after=retry_after, response_bytes=100, wall_ms=wall_ms
    )


def test_an_attack_is_summed_up_with_the_other_client_s_requests_due_during_it() -> None:
    attack = Attack("a", "An attack", "QUERY_TOO_LARGE", "{ a }")
    sends = [
        sent(400, "QUERY_TOO_LARGE", 10.0),
        sent(429, "RATE_LIMITED", 2.0, retry_after="3"),
        sent(429, "RATE_LIMITED", 1.0, retry_after="2"),
    ]
    samples = [Sample(due=t, latency_ms=t, status=200) for t in (1.0, 5.0, 6.0, 9.0)]
    samples.append(Sample(due=7.0, latency_ms=30_000.0, status=0))
    window = (4.0, 8.0)
    result = summarize_attack(
        attack, sends, ServerTime(1, 4.0), 3.0, window, during(samples, *window)
    )
    assert result.statuses == {"400": 1, "429": 2}
    assert result.codes == {"QUERY_TOO_LARGE": 1, "RATE_LIMITED": 2}
    assert result.retry_after == "3"  # the first 429's
    assert (result.server_requests, result.server_mean_ms, result.gateway_cpu_ms) == (1, 4.0, 3.0)
    assert result.wall_ms.max_ms == 10.0
    assert result.bystander is not None
    assert result.bystander.samples == 3
    assert result.bystander_failures == 1
    assert result.window_s == 4.0
