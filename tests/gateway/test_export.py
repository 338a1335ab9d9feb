"""`schema.graphql` is the exported schema; changes to it are deliberate and visible."""

from __future__ import annotations

from pathlib import Path

from graphql import build_schema

from gateway.export import describe_changes, export_schema

COMMITTED = Path(__file__).resolve().parents[2] / "schema.graphql"


def test_the_committed_schema_is_the_exported_one() -> None:
    exported = export_schema()
    committed = COMMITTED.read_text(encoding="utf-8")
    if exported == committed:
        return
    changes = describe_changes(committed, exported) or ["(no breaking or dangerous changes)"]
    raise AssertionError(
        "schema.graphql differs from the code; run `coop-gateway export-schema > schema.graphql`"
        " and commit it. Changes from the committed schema:\n  " + "\n  ".join(changes)
    )


def test_changes_name_what_breaks_clients() -> None:
    old = "type Query { bill: Bill }\ntype Bill { amount: String! kwh: String! }\n"
    new = "type Query { bill: Bill }\ntype Bill { amount: String! }\n"
    assert describe_changes(old, new) == ["BREAKING FIELD_REMOVED: Field Bill.kwh was removed."]
    assert describe_changes(new, old) == []


def test_money_is_its_own_scalar_never_a_float() -> None:
    schema = build_schema(export_schema())
    money = {
        ("Bill", "amount"),
        ("Bill", "balanceAfterBilling"),
        ("Balance", "amountDue"),
        ("BillLineItem", "amount"),
        ("UsageChange", "cost"),
        ("BillingPeriodUsage", "cost"),
    }
    for type_name, field_name in money:
        field = schema.type_map[type_name].fields[field_name]  # type: ignore[attr-defined]
        assert str(field.type) == "Money!", (type_name, field_name)
