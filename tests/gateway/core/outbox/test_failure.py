"""What is kept of a failure: its type and a short, one-line message."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from gateway.core.outbox.errors import IdempotencyKeyConflict
from gateway.core.outbox.failure import MAX_ERROR_LENGTH, describe_failure


def test_keeps_the_type_and_the_message_on_one_line() -> None:
    assert describe_failure(ValueError("bad\n  amount\tgiven")) == "ValueError: bad amount given"
    assert describe_failure(TimeoutError()) == "TimeoutError"
    assert describe_failure(IdempotencyKeyConflict("k")).startswith(
        "gateway.core.outbox.errors.IdempotencyKeyConflict: idempotency key 'k'"
    )


def test_a_long_message_is_cut() -> None:
    text = describe_failure(RuntimeError("x" * 10_000))

    assert len(text) == MAX_ERROR_LENGTH
    assert text.startswith("RuntimeError: xxx")
    assert text.endswith("…")


def failing_charge(token: str) -> None:
    try:
        raise KeyError(token)
    except KeyError as inner:
        raise RuntimeError("charge failed") from inner


def test_the_cause_and_traceback_are_not_kept() -> None:
    with pytest.raises(RuntimeError) as caught:
        failing_charge("tok_secret_123")

    assert describe_failure(caught.value) == "RuntimeError: charge failed"


def test_a_database_error_keeps_neither_the_statement_nor_its_parameters() -> None:
    error = IntegrityError(
        "INSERT INTO payments (account, token) VALUES (?, ?)",
        ("1001", "tok_visa_4242"),
        ValueError("UNIQUE constraint failed: payments.token"),
    )

    assert describe_failure(error) == (
        "sqlalchemy.exc.IntegrityError: UNIQUE constraint failed: payments.token"
    )
