"""How the dashboards during a frozen CIS are counted."""

from __future__ import annotations

import orjson

from bench.freeze import Outcome, Record, Timeline, classify, figures, first_recovery


def test_answers_are_complete_partial_or_failed() -> None:
    complete = orjson.dumps({"data": {"viewer": {}}})
    partial = orjson.dumps(
        {
            "data": {"viewer": {"accounts": [{"balance": None}]}},
            "errors": [{"path": ["viewer"], "extensions": {"code": "BACKEND_UNAVAILABLE"}}],
        }
    )
    timed_out = orjson.dumps({"errors": [{"extensions": {"code": "QUERY_TIMED_OUT"}}]})
    assert classify(200, complete) == (Outcome.COMPLETE, ())
    assert classify(200, partial) == (Outcome.PARTIAL, ("BACKEND_UNAVAILABLE",))
    assert classify(504, timed_out) == (Outcome.FAILED, ("QUERY_TIMED_OUT",))
    assert classify(0, b"") == (Outcome.FAILED, ())


def record(started: float, ended: float, outcome: Outcome = Outcome.COMPLETE) -> Record:
    codes = ("BACKEND_UNAVAILABLE",) if outcome is Outcome.PARTIAL else ()
    return Record(started, ended, 200, outcome, codes)


def test_requests_are_counted_by_when_they_ran() -> None:
    timeline = Timeline(measuring_from=1.0, frozen_at=10.0, thawed_at=20.0, recovered_at=21.0)
    records = [
        record(0.0, 0.5),  # warm-up: not counted
        record(2.0, 2.1),  # before
        record(9.9, 13.0, Outcome.PARTIAL),  # in flight when the CIS stopped: during
        record(15.0, 15.1, Outcome.PARTIAL),
        record(19.0, 27.5, Outcome.PARTIAL),  # past the deadline
        record(20.5, 21.0),  # the recovery
        record(22.0, 22.1),  # after
    ]
    found = figures(records, timeline, deadline_s=8.5)
    assert found.before is not None
    assert found.before.samples == 1
    assert found.during is not None
    assert found.during.samples == 3
    assert (found.complete, found.partial, found.failed) == (0, 3, 0)
    assert found.error_codes == {"BACKEND_UNAVAILABLE": 3}
    assert found.over_deadline == 0
    assert found.after is not None
    assert found.after.samples == 1
    assert found.recovery_s == 1.0
    assert figures(records, timeline, deadline_s=8.0).over_deadline == 1


def test_recovery_is_the_first_complete_answer_started_after_the_thaw() -> None:
    records = [
        record(19.0, 20.5),  # started before the thaw
        record(20.1, 20.9, Outcome.PARTIAL),
        record(20.2, 21.4),
        record(20.3, 21.2),
    ]
    assert first_recovery(records, thawed_at=20.0) == 21.2
    assert first_recovery(records[:2], thawed_at=20.0) is None
