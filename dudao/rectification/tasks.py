from django_tasks import task

from .overdue import mark_overdue


@task()
def check_overdue_task() -> dict[str, int]:
    """The daily overdue check as a background task (same function as the command)."""
    return mark_overdue()
