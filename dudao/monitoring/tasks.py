"""Background work of the monitoring (django-tasks; scheduled in dudao/core/schedule.py)."""

from django_tasks import task

from . import services


@task()
def monthly_return_task() -> dict[str, int]:
    """The month-end return to the city (docs/rules.md §19): runs daily, acts on the last day
    of the month (Beijing) and is idempotent."""
    return services.take_month_end_returns()
