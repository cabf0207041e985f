"""Daily jobs (定时任务) without cron: `manage.py run_schedule` runs beside the task worker and
enqueues each job once per local day, after its time of day. The (job, day) pair is a unique
row, so two schedulers, a restart or a cron line calling `run_schedule --once` never run a job
twice on the same day. Jobs themselves must be idempotent too (they are: see each task)."""

import datetime
from dataclasses import dataclass
from importlib import import_module

from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ScheduledRun


@dataclass(frozen=True)
class Job:
    name: str
    task_path: str  # "module:attribute" of a django-tasks task
    at: datetime.time  # local (Asia/Shanghai) time of day

    def task(self):
        module, attribute = self.task_path.split(":")
        return getattr(import_module(module), attribute)


JOBS = [
    # Overdue rectification (逾期): just after midnight, so the day's lists are right.
    Job("check_overdue", "dudao.rectification.tasks:check_overdue_task", datetime.time(0, 10)),
    # Uploads left behind by requests that failed after writing the file.
    Job("clean_orphan_files", "dudao.visits.tasks:clean_orphan_files_task", datetime.time(3, 0)),
    # The monthly monitoring return to the city: every evening; the task acts on the last day
    # of the month only (docs/rules.md §19).
    Job(
        "monitoring_monthly_return",
        "dudao.monitoring.tasks:monthly_return_task",
        datetime.time(22, 0),
    ),
    # Background exports (reports.ExportJob) older than settings.EXPORT_KEEP_DAYS.
    Job(
        "delete_expired_exports",
        "dudao.reports.tasks:delete_expired_exports_task",
        datetime.time(23, 30),
    ),
    # Periodic returns (报送): the day's reminders to schools that have not reported, and in
    # the evening the periods that open tomorrow (made ahead, so they are there at midnight).
    Job(
        "send_return_reminders",
        "dudao.returns.tasks:send_return_reminders_task",
        datetime.time(10, 30),
    ),
    Job("open_return_periods", "dudao.returns.tasks:open_due_periods_task", datetime.time(22, 10)),
    # Complaints past their reply deadline (投诉举报逾期): flagged and urged.
    Job(
        "check_overdue_complaints",
        "dudao.complaints.tasks:check_overdue_complaints_task",
        datetime.time(0, 20),
    ),
    # Surveys past their closing day (满意度调查) are closed.
    Job("close_due_surveys", "dudao.surveys.tasks:close_due_surveys_task", datetime.time(0, 25)),
    # Inspectors' terms and certificates that end soon (docs/rules.md §31): reminded once.
    Job(
        "inspector_term_reminders",
        "dudao.inspectors.tasks:send_term_reminders_task",
        datetime.time(10, 45),
    ),
    # Evaluation rounds (督导评估): reminders before a stage's deadline to those who have not
    # finished (docs/rules.md §24), once per round, stage, recipient and days before.
    Job(
        "evaluation_stage_reminders",
        "dudao.evaluations.tasks:send_stage_reminders_task",
        datetime.time(10, 50),
    ),
    # Group robots' messages still waiting (dudao.webhooks): a sweep beside the deferred retries.
    Job("deliver_due_webhooks", "dudao.webhooks.tasks:deliver_due_task", datetime.time(7, 30)),
    # One-time keys of create forms (dudao.core.idempotency), kept a week.
    Job(
        "delete_old_request_keys",
        "dudao.core.tasks:delete_old_request_keys_task",
        datetime.time(3, 20),
    ),
]


def due_jobs(now: datetime.datetime | None = None, jobs=None):
    """Jobs whose time has come today and that have not been enqueued today."""
    now = timezone.localtime(now)
    jobs = JOBS if jobs is None else jobs
    done = set(ScheduledRun.objects.filter(day=now.date()).values_list("job", flat=True))
    return [job for job in jobs if job.name not in done and now.time() >= job.at]


def run_due(now: datetime.datetime | None = None, jobs=None) -> list[str]:
    """Enqueue every due job once; return the names enqueued."""
    now = timezone.localtime(now)
    started = []
    for job in due_jobs(now, jobs):
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(job=job.name, day=now.date())
                result = job.task().enqueue()
                ScheduledRun.objects.filter(job=job.name, day=now.date()).update(
                    result_id=str(getattr(result, "id", ""))
                )
        except IntegrityError:
            continue  # another scheduler claimed it first
        started.append(job.name)
    return started
