"""Read queries of periodic returns (报送), always within the reader's scope
(`dudao.accounts.scoping`): who has reported, who is late, who has not, and the figures over
time. A fixed number of queries whatever the number of schools and periods."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from dudao.accounts import scoping
from dudao.checklists.models import AnswerType, ChecklistItem

from .models import ReturnAnswer, ReturnPeriod, ReturnSubmission

S = ReturnSubmission.Status
NUMBER = "number"
SHARE = "share"
# The figures page shows this many periods (the latest); the export has them all.
FIGURE_PERIODS = 24


@dataclass
class PeriodCounts:
    total: int = 0
    on_time: int = 0
    late: int = 0
    missing: int = 0  # not reported (pending or a draft)

    @property
    def reported(self) -> int:
        return self.on_time + self.late


def counts_by_period(user, periodic_return) -> dict[int, PeriodCounts]:
    """{period id: counts} over the reports the user may see (one query)."""
    rows = (
        scoping.return_submissions_for(user)
        .filter(period__periodic_return=periodic_return)
        .values("period_id")
        .annotate(
            total=Count("pk"),
            on_time=Count("pk", filter=Q(status=S.SUBMITTED, is_late=False)),
            late=Count("pk", filter=Q(status=S.SUBMITTED, is_late=True)),
        )
        .order_by()
    )
    return {
        r["period_id"]: PeriodCounts(
            r["total"], r["on_time"], r["late"], r["total"] - r["on_time"] - r["late"]
        )
        for r in rows
    }


def periods_with_counts(user, periodic_return, today: datetime.date) -> list[ReturnPeriod]:
    """The return's periods, latest first, each with `.counts`, `.is_due` (its due date
    has passed) and `.is_open` (open now)."""
    periods = list(
        scoping.return_periods_for(user)
        .filter(periodic_return=periodic_return, opens_on__lte=today)
        .order_by("-due_on")
    )
    counts = counts_by_period(user, periodic_return)
    for period in periods:
        period.counts = counts.get(period.pk, PeriodCounts())
        period.is_due = period.due_on < today
        period.is_open = period.opens_on <= today <= period.due_on
    return periods


def period_submissions(user, period) -> dict[str, list[ReturnSubmission]]:
    """The period's reports the user may see, by group: "on_time", "late", "missing"."""
    groups = {"on_time": [], "late": [], "missing": []}
    rows = (
        scoping.return_submissions_for(user)
        .filter(period=period)
        .select_related("school", "submitted_by")
        .order_by("school__name", "pk")
    )
    for submission in rows:
        if submission.status != S.SUBMITTED:
            groups["missing"].append(submission)
        elif submission.is_late:
            groups["late"].append(submission)
        else:
            groups["on_time"].append(submission)
    return groups


def checklist_items(periodic_return) -> list[ChecklistItem]:
    return list(
        ChecklistItem.objects.filter(template_id=periodic_return.checklist_id)
        .select_related("section")
        .order_by("position")
    )


def kind_of(item) -> str | None:
    """How an item is summed up over schools: the county's mean/min/max for a number, the
    share of compliant answers for an assessed yes/no, level or choice; nothing for text."""
    if item.answer_type == AnswerType.NUMBER:
        return NUMBER
    if item.answer_type in (AnswerType.YES_NO, AnswerType.LEVEL, AnswerType.CHOICE):
        return SHARE if item.compliant else None
    return None


@dataclass
class Point:
    n: int = 0
    mean: float | None = None
    low: float | None = None
    high: float | None = None
    compliant: int = 0
    assessed: int = 0

    @property
    def share(self) -> float | None:
        return round(100 * self.compliant / self.assessed, 1) if self.assessed else None


@dataclass
class ItemSeries:
    item: ChecklistItem
    kind: str | None
    points: list[Point] = field(default_factory=list)


def _number(value):
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def figures(user, periodic_return, periods: list[ReturnPeriod]) -> list[ItemSeries]:
    """Per item, one point per period (in the order given) over the reports submitted in
    the user's scope (two queries)."""
    items = checklist_items(periodic_return)
    index = {p.pk: i for i, p in enumerate(periods)}
    values: dict[tuple[int, int], list] = {}
    answers = ReturnAnswer.objects.filter(
        submission__in=scoping.return_submissions_for(user).filter(
            period__in=[p.pk for p in periods], status=S.SUBMITTED
        )
    ).order_by()  # into a dict: the model's ordering would join five tables over every answer
    answers = answers.values_list("submission__period_id", "item_id", "value", "compliant")
    for period_id, item_id, value, compliant in answers:
        values.setdefault((item_id, period_id), []).append((value, compliant))
    result = []
    for item in items:
        kind = kind_of(item)
        series = ItemSeries(item, kind, [Point() for _ in periods])
        for period in periods:
            point = series.points[index[period.pk]]
            rows = values.get((item.pk, period.pk), [])
            point.n = sum(1 for v, _c in rows if v is not None)
            numbers = [n for n in (_number(v) for v, _c in rows) if n is not None]
            if kind == NUMBER and numbers:
                point.mean = round(sum(numbers) / len(numbers), 2)
                point.low, point.high = min(numbers), max(numbers)
            point.assessed = sum(1 for _v, c in rows if c is not None)
            point.compliant = sum(1 for _v, c in rows if c)
        result.append(series)
    return result


def school_history(user, periodic_return, school, periods) -> list[dict]:
    """One school's answers per period (latest first): [{"period", "submission", "values":
    {item id: value}}] within the user's scope."""
    submissions = {
        s.period_id: s
        for s in scoping.return_submissions_for(user).filter(
            period__in=[p.pk for p in periods], school=school
        )
    }
    answers: dict[int, dict[int, object]] = {}
    for submission_id, item_id, value in (
        ReturnAnswer.objects.filter(submission__in=[s.pk for s in submissions.values()])
        .order_by()
        .values_list("submission_id", "item_id", "value")
    ):
        answers.setdefault(submission_id, {})[item_id] = value
    rows = []
    for period in periods:
        submission = submissions.get(period.pk)
        rows.append(
            {
                "period": period,
                "submission": submission,
                "values": answers.get(submission.pk, {}) if submission else {},
            }
        )
    return rows


def display_value(value) -> str:
    if value is None:
        return ""
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    return str(value)
