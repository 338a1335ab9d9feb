"""The payment rules' settings: bounds, methods and convenience fees, as bootstrap reads them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import SecretStr, ValidationError

from adapters.payments.port import MethodKind
from gateway.bootstrap import payment_rules
from gateway.settings import GatewaySettings

SECRET = SecretStr("settings-test-signing-secret-" + "x" * 20)


def test_by_default_any_amount_from_one_dollar_to_ten_thousand_by_either_method_free() -> None:
    rules = payment_rules(GatewaySettings(jwt_secret=SECRET))
    assert (rules.min_amount, rules.max_amount) == (Decimal("1.00"), Decimal("10000.00"))
    assert rules.methods == (MethodKind.CARD, MethodKind.BANK_ACCOUNT)
    assert rules.fee(MethodKind.CARD, Decimal("84.50")) == Decimal("0.00")
    assert rules.fee(MethodKind.BANK_ACCOUNT, Decimal("84.50")) == Decimal("0.00")


def test_read_from_coop_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOP_JWT_SECRET", SECRET.get_secret_value())
    monkeypatch.setenv("COOP_PAYMENT_MIN_AMOUNT", "5.00")
    monkeypatch.setenv("COOP_PAYMENT_MAX_AMOUNT", "2500.00")
    monkeypatch.setenv("COOP_PAYMENT_METHODS", '["card"]')
    monkeypatch.setenv("COOP_CARD_FEE_FLAT", "1.50")
    monkeypatch.setenv("COOP_CARD_FEE_PERCENT", "2.5")
    rules = payment_rules(GatewaySettings())  # type: ignore[call-arg]
    assert (rules.min_amount, rules.max_amount) == (Decimal("5.00"), Decimal("2500.00"))
    assert rules.methods == (MethodKind.CARD,)
    assert rules.fee(MethodKind.CARD, Decimal("100.00")) == Decimal("4.00")


@pytest.mark.parametrize(
    "overrides",
    [
        {"payment_min_amount": Decimal("50.00"), "payment_max_amount": Decimal("10.00")},
        {"payment_min_amount": Decimal("0.00")},
        {"payment_max_amount": Decimal("10.001")},
        {"card_fee_flat": Decimal("-1.00")},
        {"bank_fee_percent": Decimal("50")},
        {"payment_methods": ()},
        {"payment_methods": ("cash",)},
    ],
)
def test_rules_that_make_no_sense_are_refused_at_start(overrides: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        GatewaySettings(jwt_secret=SECRET, **overrides)  # type: ignore[arg-type]
