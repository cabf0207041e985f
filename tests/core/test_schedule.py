import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from dudao.core.models import ScheduledRun
from dudao.core.schedule import JOBS, Job, due_jobs, run_due
from dudao.rectification.models import Finding
from tests.factories_supervision import FindingFactory

pytestmark = pytest.mark.django_db


def local(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def test_jobs_point_at_real_tasks():
    for job in JOBS:
        assert hasattr(job.task(), "enqueue"), job.name


def test_a_job_runs_once_a_day_after_its_time(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    day = datetime.date(2026, 11, 20)
    assert due_jobs(local(day, 0, 5)) == []  # before 00:10
    assert run_due(local(day, 0, 15)) == ["check_overdue"]
    assert run_due(local(day, 9)) == [
        "clean_orphan_files",
        "check_overdue_complaints",
        "close_due_surveys",
        "deliver_due_webhooks",
        "delete_old_request_keys",
    ]
    assert run_due(local(day, 10)) == []  # all done today
    assert run_due(local(day + datetime.timedelta(days=1), 1)) == [
        "check_overdue",
        "check_overdue_complaints",
        "close_due_surveys",
    ]
    assert ScheduledRun.objects.count() == 9


def test_the_scheduled_overdue_check_marks_findings(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    late = FindingFactory(deadline=timezone.localdate() - datetime.timedelta(days=3))
    today = timezone.localdate()
    assert "check_overdue" in run_due(local(today, 23, 59))
    assert Finding.all_objects.get(pk=late.pk).is_overdue
    call_command("run_schedule", "--once")  # the same day: nothing again
    assert ScheduledRun.objects.filter(job="check_overdue").count() == 1


def test_a_claimed_day_is_not_enqueued_again():
    day = datetime.date(2026, 11, 21)
    ScheduledRun.objects.create(job="check_overdue", day=day)
    job = Job("check_overdue", "dudao.rectification.tasks:check_overdue_task", datetime.time(0))
    assert run_due(local(day, 12), jobs=[job]) == []
