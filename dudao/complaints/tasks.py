from django_tasks import task

from .overdue import check_overdue_complaints


@task()
def check_overdue_complaints_task() -> dict[str, int]:
    """The daily check of complaints as a background task: overdue flags and urgings of the
    inspector and the office (`overdue.check_overdue_complaints`, idempotent)."""
    return check_overdue_complaints()
