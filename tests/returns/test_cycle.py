"""A whole return cycle on the pinned clock (Monday 23 November 2026): the office starts a
half-monthly return on 23 November for four schools; two report on time (one at 23:30 on the
due date), one late, one never. The periods, reminders, counts, figures and export are
exactly as expected, and the daily jobs are idempotent."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from dudao.core.guards import SYSTEM
from dudao.notifications.models import Notification
from dudao.reports import exporter
from dudao.returns import queries, services
from dudao.returns.models import PeriodicReturn, ReturnPeriod, ReturnSubmission, SubmissionEvent
from dudao.returns.schedule import next_due_date
from tests.clock import SHANGHAI
from tests.factories import SchoolFactory

from .conftest import answers, new_return, school_user

pytestmark = pytest.mark.django_db
S = ReturnSubmission.Status


def at(day: datetime.date, hour=10, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def row(school, due):
    return ReturnSubmission.objects.unscoped().get(school=school, period__due_on=due)


def reminders(user):
    return list(
        Notification.objects.unscoped()
        .filter(recipient=user)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


def test_a_return_cycle_with_one_school_late(
    world, checklist, items, today, clock, django_capture_on_commit_callbacks
):
    def remind(day):
        with django_capture_on_commit_callbacks(execute=True):
            return services.send_reminders(day)

    quiet = SchoolFactory(office=world.office, name="南山小学")
    users = {
        "a": world.school_user,
        "b": school_user(world.zone_school, "school_b"),
        "c": school_user(world.far_school, "school_c"),
        "d": school_user(quiet, "school_d"),
    }
    schools = {
        "a": world.school,
        "b": world.zone_school,
        "c": world.far_school,
        "d": quiet,
    }
    due = next_due_date("half_monthly", None, today)  # 30 November
    assert today < due - datetime.timedelta(days=1)
    item = new_return(world, checklist, starts_on=today, schools=list(schools.values()))
    assert item.status == PeriodicReturn.Status.DRAFT
    assert not ReturnPeriod.objects.unscoped().filter(periodic_return=item).exists()

    item = services.activate_return(world.admin, item)
    assert item.status == PeriodicReturn.Status.ACTIVE
    assert list(ReturnPeriod.objects.unscoped().values_list("opens_on", "due_on")) == [(today, due)]
    assert ReturnSubmission.objects.unscoped().filter(status=S.PENDING).count() == 4
    # The daily job finds nothing more to open today, however often it runs.
    assert services.open_due_periods(today) == {"periods": 0, "rows": 0}
    assert services.send_reminders(today) == {"reminded": 0}  # not yet the day before

    # School A reports at once; school B keeps a draft.
    a = services.submit(users["a"], row(schools["a"], due), answers(items, minutes=45))
    assert (a.status, a.is_late) == (S.SUBMITTED, False)
    services.save_draft(users["b"], row(schools["b"], due), {items["1"].pk: 50})

    # The day before the due date: B, C and D are reminded, once.
    clock.move_to(at(due - datetime.timedelta(days=1), 8, 30))
    day = due - datetime.timedelta(days=1)
    assert remind(day) == {"reminded": 3}
    assert remind(day) == {"reminded": 0}
    assert reminders(users["a"]) == []
    assert reminders(users["b"]) == reminders(users["d"]) == ["return.remind"]

    # B reports at 23:30 on the due date: still on time.
    clock.move_to(at(due, 23, 30))
    b = services.submit(
        users["b"], row(schools["b"], due), answers(items, minutes=50, service="一般")
    )
    assert (b.status, b.is_late) == (S.SUBMITTED, False)

    # Half past midnight: the next period opens (once), and C and D are late.
    clock.move_to(at(due + datetime.timedelta(days=1), 0, 30))
    next_day = due + datetime.timedelta(days=1)
    second = next_due_date("half_monthly", None, next_day)  # 15 December
    assert services.open_due_periods(next_day) == {"periods": 1, "rows": 4}
    assert services.open_due_periods(next_day) == {"periods": 0, "rows": 0}
    assert ReturnPeriod.objects.unscoped().get(due_on=second).opens_on == next_day
    assert remind(next_day) == {"reminded": 2}
    assert remind(next_day) == {"reminded": 0}
    assert reminders(users["c"]) == ["return.remind", "return.overdue"]

    # C reports the day after the due date: late.
    clock.move_to(at(next_day, 9))
    c = services.submit(
        users["c"], row(schools["c"], due), answers(items, minutes=70, publicity="no")
    )
    assert (c.status, c.is_late) == (S.SUBMITTED, True)
    # A revision after the due date is refused; the report stands as reported.
    with pytest.raises(services.DomainError):
        services.submit(users["a"], row(schools["a"], due), answers(items, minutes=10))

    # The day after: only D (still late) is reminded; the office's "remind now" adds nothing.
    clock.move_to(at(next_day + datetime.timedelta(days=1), 8, 30))
    third = next_day + datetime.timedelta(days=1)
    assert remind(third) == {"reminded": 1}
    period = ReturnPeriod.objects.unscoped().get(due_on=due)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_period(world.admin, period, third) == 0
    d = row(schools["d"], due)
    assert (d.status, d.reminders_sent) == (S.PENDING, 3)
    assert row(schools["a"], due).reminders_sent == 0
    assert SubmissionEvent.objects.filter(submission=d, action="remind").count() == 3
    assert reminders(users["d"]) == ["return.remind", "return.overdue", "return.overdue"]
    notification = Notification.objects.unscoped().filter(recipient=users["d"]).first()
    assert notification.url == reverse("returns:submission", args=[d.pk])

    # Who has reported, who is late, who has not.
    counts = queries.counts_by_period(world.admin, item)[period.pk]
    assert (counts.total, counts.on_time, counts.late, counts.missing) == (4, 2, 1, 1)
    groups = queries.period_submissions(world.admin, period)
    assert [s.school for s in groups["missing"]] == [quiet]
    assert [s.school for s in groups["late"]] == [world.far_school]

    # The figures over the three reports: minutes 45, 50, 70; publicity yes, yes, no;
    # after-school service 好, 一般, 好 (two of three compliant).
    series = {s.item.code: s for s in queries.figures(world.admin, item, [period])}
    minutes = series["1"].points[0]
    assert (minutes.n, minutes.mean, minutes.low, minutes.high) == (3, 55.0, 45.0, 70.0)
    assert (minutes.compliant, minutes.assessed) == (2, 3)  # 70 > 60 minutes
    assert series["2"].points[0].share == 66.7
    assert series["3"].points[0].share == 66.7
    assert series["4"].kind is None

    # The period's export holds the same.
    export = exporter.export("return_period", exporter.XLSX, world.admin, period.pk)
    book = load_workbook(io.BytesIO(export.content))
    reports, figures = book.worksheets
    rows = list(reports.iter_rows(min_row=3, values_only=True))
    by_school = {r[1]: r for r in rows}
    with translation.override("zh-hans"):  # documents are written in Chinese
        assert by_school["南山小学"][2] == str(S.PENDING.label)
        assert by_school["城东中学"][2] == gettext("Reported late")
    assert by_school["湖滨小学"][5:8] == (45, "是", "好")
    figure_rows = {r[0]: r for r in figures.iter_rows(min_row=3, values_only=True)}
    assert figure_rows["1"][3:7] == (3, 55, 45, 70)
    assert figure_rows["2"][7] == 66.7

    # The series export: both periods, the second one with no reports yet.
    series_export = exporter.export("return_series", exporter.XLSX, world.admin, item.pk)
    over_time, by_school_sheet = load_workbook(io.BytesIO(series_export.content)).worksheets
    lines = list(over_time.iter_rows(min_row=3, values_only=True))
    assert len(lines) == 2 * 3  # two periods × three assessed items
    assert len(list(by_school_sheet.iter_rows(min_row=3, values_only=True))) == 3

    # Closing stops the reminders and the periods.
    services.close_return(world.admin, item)
    assert remind(third) == {"reminded": 0}
    assert services.open_due_periods(second + datetime.timedelta(days=1)) == {
        "periods": 0,
        "rows": 0,
    }


def test_the_daily_tasks_run_the_services(world, checklist, today):
    from dudao.returns import tasks

    item = new_return(world, checklist, starts_on=today)
    services.activate_return(world.admin, item)
    assert tasks.open_due_periods_task.call() == {"periods": 0, "rows": 0}
    assert "reminded" in tasks.send_return_reminders_task.call()


def test_the_jobs_are_scheduled():
    from dudao.core.schedule import JOBS

    names = {job.name: job for job in JOBS}
    assert names["open_return_periods"].task().name
    assert names["send_return_reminders"].task().name


def test_system_cannot_report_for_a_school(world, checklist, items, today):
    item = services.activate_return(world.admin, new_return(world, checklist, starts_on=today))
    submission = ReturnSubmission.objects.unscoped().filter(period__periodic_return=item).first()
    with pytest.raises(services.DomainError):
        services.submit(SYSTEM, submission, answers(items))


def test_late_reminders_are_of_the_last_missed_period_only(world, checklist, today):
    item = new_return(world, checklist, starts_on=today - datetime.timedelta(days=40))
    item = services.activate_return(world.admin, item)
    past = list(item.periods.filter(due_on__lt=today).order_by("due_on"))
    assert len(past) >= 2
    assert services.send_reminders(today) == {"reminded": 3}
    reminded = ReturnSubmission.objects.unscoped().filter(reminders_sent=1)
    assert {s.period_id for s in reminded} == {past[-1].pk}
