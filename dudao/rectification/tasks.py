from django_tasks import task

from .overdue import daily_check


@task()
def check_overdue_task() -> dict[str, int]:
    """The daily check as a background task (same function as the command): overdue flags
    and urgings for missed dates (docs/rules.md §10)."""
    return daily_check()
