"""When autopay drafts a bill: on its due date, some days before it, or on a day of the
month the member chose. One home for the rule: the enrollment, `account.autopay` and
the drafting job all ask it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Final

from gateway.core.outcomes import FieldProblem

MAX_DAYS_BEFORE_DUE: Final = 10
# Every month has a 28th: a draft day never falls outside a month.
LAST_DAY_OF_MONTH_CHOICE: Final = 28


class DraftRuleKind(StrEnum):
    DUE_DATE = "due_date"
    DAYS_BEFORE_DUE = "days_before"
    DAY_OF_MONTH = "day_of_month"


@dataclass(frozen=True, slots=True)
class DraftRule:
    kind: DraftRuleKind
    # DAYS_BEFORE_DUE: how many days (1-10); DAY_OF_MONTH: the day (1-28); else None.
    days: int | None = None

    def draft_date(self, due_date: date) -> date:
        """The day the bill due on `due_date` is drafted.

        A day of the month is the last such day on or before the due date, so that the
        bill is never drafted late: a 20th with a bill due on the 15th drafts on the
        20th of the month before.
        """
        if self.kind is DraftRuleKind.DUE_DATE:
            return due_date
        assert self.days is not None  # rule_problem checked it
        if self.kind is DraftRuleKind.DAYS_BEFORE_DUE:
            return due_date - timedelta(days=self.days)
        if due_date.day >= self.days:
            return due_date.replace(day=self.days)
        last_of_previous_month = due_date.replace(day=1) - timedelta(days=1)
        return last_of_previous_month.replace(day=self.days)


def rule_problem(
    kind: DraftRuleKind, days: int | None, day_of_month: int | None
) -> FieldProblem | None:
    """What is wrong with the rule as the member sent it, or None."""
    if kind is DraftRuleKind.DUE_DATE:
        if days is not None or day_of_month is not None:
            return FieldProblem("draft", "A draft on the due date takes no days.")
        return None
    if kind is DraftRuleKind.DAYS_BEFORE_DUE:
        if day_of_month is not None or days is None or not 1 <= days <= MAX_DAYS_BEFORE_DUE:
            return FieldProblem(
                "draft.days", f"Choose 1 to {MAX_DAYS_BEFORE_DUE} days before the due date."
            )
        return None
    if (
        days is not None
        or day_of_month is None
        or not 1 <= day_of_month <= LAST_DAY_OF_MONTH_CHOICE
    ):
        return FieldProblem(
            "draft.dayOfMonth", f"Choose a day of the month from 1 to {LAST_DAY_OF_MONTH_CHOICE}."
        )
    return None


def rule_of(kind: DraftRuleKind, days: int | None, day_of_month: int | None) -> DraftRule:
    """The rule from checked input (`rule_problem` found nothing)."""
    if kind is DraftRuleKind.DAYS_BEFORE_DUE:
        return DraftRule(kind, days)
    if kind is DraftRuleKind.DAY_OF_MONTH:
        return DraftRule(kind, day_of_month)
    return DraftRule(kind)
