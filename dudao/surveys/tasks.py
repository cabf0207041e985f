"""Background work of surveys: the daily job that closes the surveys whose closing day has
passed (`JOBS` in dudao/core/schedule.py; idempotent)."""

from django_tasks import task

from . import services


@task()
def close_due_surveys_task() -> int:
    """Daily, just after midnight: close, as the platform, the open surveys whose closing day
    has passed (services.close_due_surveys; idempotent)."""
    return len(services.close_due_surveys())
