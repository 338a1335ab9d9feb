"""Digesting the gateway's log for the report."""

from __future__ import annotations

from bench.logs import log_digest

LOG = """\
INFO:     Started server process [123]
INFO:     Application startup complete.
Redis cache at 127.0.0.1:4242/0 is unavailable (TimeoutError); reading from the backends
request 0123456789abcdef0123456789abcdef: cis unavailable at a1: no answer within 10 s
request fedcba9876543210fedcba9876543210: cis unavailable at a1: no answer within 10 s
ERROR:    Exception in ASGI application
Traceback (most recent call last):
  File "x.py", line 1, in <module>
    boom()
starlette.requests.ClientDisconnect
Redis cache at 127.0.0.1:4242/0 is unavailable (TimeoutError); reading from the backends
request 00000000000000000000000000000000: cis unavailable at a17: no answer within 10 s
"""


def test_lines_are_counted_most_frequent_first_with_request_ids_blanked() -> None:
    assert log_digest(LOG) == [
        "3× request …: cis unavailable at a…: no answer within 10 s",
        "2× Redis cache at 127.0.0.1:4242/0 is unavailable (TimeoutError); reading from the"
        " backends",
        "1× ERROR:    Exception in ASGI application",
        "1× starlette.requests.ClientDisconnect",
    ]


def test_routine_lines_leave_nothing() -> None:
    assert log_digest("INFO:     Uvicorn running on http://127.0.0.1:1\n\n") == []


def test_the_digest_is_bounded() -> None:
    text = "\n".join(f"warning {n}" for n in range(20))
    assert len(log_digest(text, limit=5)) == 5
