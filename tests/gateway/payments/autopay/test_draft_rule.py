"""The day each rule drafts a bill, across month and year ends, and the rules' ranges."""

from __future__ import annotations

from datetime import date

import pytest

from gateway.payments.autopay.draft_rule import DraftRule, DraftRuleKind, rule_problem

DUE = DraftRuleKind.DUE_DATE
BEFORE = DraftRuleKind.DAYS_BEFORE_DUE
DAY = DraftRuleKind.DAY_OF_MONTH


@pytest.mark.parametrize(
    ("rule", "due", "drafted"),
    [
        (DraftRule(DUE), date(2026, 12, 15), date(2026, 12, 15)),
        (DraftRule(BEFORE, 5), date(2026, 12, 15), date(2026, 12, 10)),
        (DraftRule(BEFORE, 5), date(2026, 3, 3), date(2026, 2, 26)),  # February of 28 days
        (DraftRule(BEFORE, 10), date(2027, 1, 4), date(2026, 12, 25)),  # over the year's end
        (DraftRule(DAY, 10), date(2026, 12, 15), date(2026, 12, 10)),
        (DraftRule(DAY, 15), date(2026, 12, 15), date(2026, 12, 15)),  # on the due date
        (DraftRule(DAY, 20), date(2026, 12, 15), date(2026, 11, 20)),  # never after it
        (DraftRule(DAY, 28), date(2026, 3, 5), date(2026, 2, 28)),
        (DraftRule(DAY, 28), date(2027, 1, 2), date(2026, 12, 28)),
        (DraftRule(DAY, 1), date(2026, 5, 1), date(2026, 5, 1)),
    ],
)
def test_the_draft_day_of_a_bill(rule: DraftRule, due: date, drafted: date) -> None:
    assert rule.draft_date(due) == drafted


@pytest.mark.parametrize(
    ("kind", "days", "day_of_month", "field"),
    [
        (DUE, None, None, None),
        (DUE, 3, None, "draft"),
        (BEFORE, 1, None, None),
        (BEFORE, 10, None, None),
        (BEFORE, 0, None, "draft.days"),
        (BEFORE, 11, None, "draft.days"),
        (BEFORE, None, None, "draft.days"),
        (BEFORE, 3, 3, "draft.days"),
        (DAY, None, 1, None),
        (DAY, None, 28, None),
        (DAY, None, 29, "draft.dayOfMonth"),
        (DAY, None, 0, "draft.dayOfMonth"),
        (DAY, None, None, "draft.dayOfMonth"),
        (DAY, 5, 5, "draft.dayOfMonth"),
    ],
)
def test_the_rules_ranges(
    kind: DraftRuleKind, days: int | None, day_of_month: int | None, field: str | None
) -> None:
    problem = rule_problem(kind, days, day_of_month)

    assert (problem and problem.field) == field
