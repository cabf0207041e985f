"""The returns' spreadsheets through the one exporter (`dudao.reports.exporter`, XLSX), built
for a reader within their scope:

- `return_period`: one period: every school's status and answers, and the county's figure per
  item;
- `return_series`: the figures over time (per item and period: answers, mean, min, max, share
  of compliant answers) and every school's answers per period.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts import scoping
from dudao.reports import exporter
from dudao.reports.exporter import XLSX, Report, Section, Table, long_date

from . import queries
from .models import ReturnAnswer, ReturnSubmission

S = ReturnSubmission.Status


def _cell(value):
    """An answer in a spreadsheet: numbers stay numbers (offices add them up)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return queries.display_value(value)


def _status(submission) -> str:
    if submission.status != S.SUBMITTED:
        return str(submission.get_status_display())
    return _("Reported late") if submission.is_late else _("Reported on time")


def _figure_row(series, point) -> list:
    item = series.item
    return [
        item.code,
        item.question,
        item.unit,
        point.n,
        point.mean,
        point.low,
        point.high,
        point.share,
    ]


def _figure_columns():
    return [
        _("Code"),
        _("Question"),
        _("Unit"),
        _("Answers"),
        _("Mean"),
        _("Minimum"),
        _("Maximum"),
        _("Compliant (%)"),
    ]


@exporter.register("return_period", formats=(XLSX,), for_user=True)
def return_period(user, pk) -> Report:
    """One period of a return, fetched again in the reader's scope (404 if not)."""
    period = scoping.get_or_404(
        scoping.return_periods_for(user).select_related("periodic_return"), pk=pk
    )
    periodic_return = period.periodic_return
    items = queries.checklist_items(periodic_return)
    submissions = list(
        scoping.return_submissions_for(user)
        .filter(period=period)
        .select_related("school")
        .order_by("school__name", "pk")
    )
    values: dict[int, dict[int, object]] = {}
    for submission_id, item_id, value in (
        ReturnAnswer.objects.filter(submission__in=[s.pk for s in submissions])
        .order_by()  # into a dict
        .values_list("submission_id", "item_id", "value")
    ):
        values.setdefault(submission_id, {})[item_id] = value
    rows = []
    for s in submissions:
        answers = values.get(s.pk, {}) if s.status == S.SUBMITTED else {}
        rows.append(
            [
                s.school.code,
                s.school.name,
                _status(s),
                timezone.localtime(s.submitted_at).strftime("%Y-%m-%d %H:%M")
                if s.submitted_at
                else "",
                s.reminders_sent,
                *[_cell(answers.get(item.pk)) for item in items],
            ]
        )
    columns = [
        _("School code"),
        _("School"),
        _("Status"),
        _("Reported at"),
        _("Reminders"),
        *[f"{item.code} {item.question}"[:60] for item in items],
    ]
    series = queries.figures(user, periodic_return, [period])
    figure_rows = [_figure_row(s, s.points[0]) for s in series if s.kind]
    counts = queries.counts_by_period(user, periodic_return).get(period.pk, queries.PeriodCounts())
    title = f"{periodic_return.title}（{long_date(period.due_on)}）"
    return Report(
        title=title,
        filename=f"{periodic_return.title}_{period.due_on:%Y%m%d}",
        sections=[
            Section(
                paragraphs=[
                    _(
                        "%(total)s schools: %(on_time)s reported on time, %(late)s late, "
                        "%(missing)s not reported."
                    )
                    % {
                        "total": counts.total,
                        "on_time": counts.on_time,
                        "late": counts.late,
                        "missing": counts.missing,
                    }
                ],
                tables=[
                    Table(columns, rows, title=_("Reports")),
                    Table(_figure_columns(), figure_rows, title=_("Figures")),
                ],
            )
        ],
        office_id=periodic_return.office_id,
        figures={
            "total": counts.total,
            "on_time": counts.on_time,
            "late": counts.late,
            "missing": counts.missing,
        },
    )


@exporter.register("return_series", formats=(XLSX,), for_user=True)
def return_series(user, pk) -> Report:
    """Every period of a return: the figures per item and every school's answers."""
    periodic_return = scoping.get_periodic_return_for(user, pk)
    periods = list(
        scoping.return_periods_for(user)
        .filter(periodic_return=periodic_return, opens_on__lte=timezone.localdate())
        .order_by("due_on")
    )
    series = queries.figures(user, periodic_return, periods)
    figure_rows = [
        [period.due_on, *_figure_row(s, s.points[i])]
        for i, period in enumerate(periods)
        for s in series
        if s.kind
    ]
    items = [s.item for s in series]
    submissions = list(
        scoping.return_submissions_for(user)
        .filter(period__in=[p.pk for p in periods], status=S.SUBMITTED)
        .select_related("school", "period")
        .order_by("school__name", "period__due_on")
    )
    values: dict[int, dict[int, object]] = {}
    for submission_id, item_id, value in (
        ReturnAnswer.objects.filter(submission__in=[s.pk for s in submissions])
        .order_by()  # into a dict
        .values_list("submission_id", "item_id", "value")
    ):
        values.setdefault(submission_id, {})[item_id] = value
    school_rows = [
        [
            s.school.code,
            s.school.name,
            s.period.due_on,
            _("Yes") if s.is_late else _("No"),
            *[_cell(values.get(s.pk, {}).get(item.pk)) for item in items],
        ]
        for s in submissions
    ]
    return Report(
        title=periodic_return.title,
        filename=f"{periodic_return.title}_{_('figures over time')}",
        sections=[
            Section(
                tables=[
                    Table(
                        [_("Due on"), *_figure_columns()], figure_rows, title=_("Figures over time")
                    ),
                    Table(
                        [
                            _("School code"),
                            _("School"),
                            _("Due on"),
                            _("Late"),
                            *[f"{item.code} {item.question}"[:60] for item in items],
                        ],
                        school_rows,
                        title=_("Reports by school"),
                    ),
                ]
            )
        ],
        office_id=periodic_return.office_id,
        figures={"periods": len(periods), "rows": len(figure_rows)},
    )
