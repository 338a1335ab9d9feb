"""The stand-in's store on a clock the test holds: when debits fall due, and which
answers an idempotency key keeps.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.payments import sandbox
from simulators.payments.store import ApiError, PaymentStore, fingerprint

START = datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def _store(clock: Clock) -> PaymentStore:
    return PaymentStore(now=clock, settle_after=timedelta(days=2), return_after=timedelta(days=1))


def _bank_token(store: PaymentStore, account: str) -> str:
    token = store.tokenize(
        {
            "bank_account": {
                "routing_number": sandbox.TEST_ROUTING_NUMBER,
                "account_number": account,
                "account_type": "savings",
                "holder_name": "Dana Member",
            }
        }
    )
    return str(token["id"])


def test_a_debit_settles_when_due_and_is_returned_a_day_later() -> None:
    clock = Clock()
    store = _store(clock)
    source = _bank_token(store, sandbox.RETURNED_R01_ACCOUNT)
    status, debit = store.debit({"amount": 2500, "source": source, "reference": "P-1"})
    assert (status, debit["status"]) == (200, "pending")

    clock.now = START + timedelta(days=2, seconds=-1)
    assert store.progress() == []
    clock.now = START + timedelta(days=2)
    assert [e["type"] for e in store.progress()] == ["debit.settled"]
    assert store.progress() == []  # nothing happens twice
    clock.now = START + timedelta(days=3)
    [returned] = store.progress()

    assert returned["type"] == "debit.returned"
    assert returned["data"]["return_code"] == "R01"
    assert store.debits[debit["id"]]["status"] == "returned"


def test_an_account_failing_validation_is_never_debited_however_often_tried() -> None:
    clock = Clock()
    store = _store(clock)
    method = store.create_method(
        {"token": _bank_token(store, sandbox.INVALID_ACCOUNT), "customer": "C1"}
    )
    for reference in ("P-1", "P-2"):
        status, answer = store.debit(
            {"amount": 100, "source": method["id"], "reference": reference}
        )
        assert (status, answer["error"]["code"]) == (402, "account_invalid")
    clock.now = START + timedelta(days=30)

    assert store.progress() == []
    assert {d["status"] for d in store.debits.values()} == {"failed"}


def test_a_key_keeps_a_decline_but_not_a_refused_request() -> None:
    store = _store(Clock())
    token = store.tokenize(
        {
            "card": {
                "number": sandbox.DECLINED_CARD,
                "exp_month": 1,
                "exp_year": 2030,
                "cvc": "999",
                "postal_code": "87544-1234",
            }
        }
    )["id"]
    wrong = {"amount": "1.00", "source": token, "reference": "P-1"}
    right = {"amount": 100, "source": token, "reference": "P-1"}

    def charge(body: dict[str, object]) -> tuple[int, dict[str, object]]:
        return store.once("k1", fingerprint("/v1/charges", body), lambda: store.charge(body))

    with pytest.raises(ApiError) as refused:
        charge(wrong)
    assert refused.value.status == 400
    status, declined = charge(right)  # the key was not taken by the refused request
    assert status == 402
    assert charge(right) == (402, declined)
    with pytest.raises(ApiError) as conflict:
        charge({**right, "amount": 101})
    assert conflict.value.status == 409
