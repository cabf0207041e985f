from django_tasks import task

from . import services


@task()
def open_due_periods_task() -> dict[str, int]:
    """Daily, in the evening: the periods of every active return that open by tomorrow,
    with a row per school (idempotent: services.open_due_periods)."""
    return services.open_due_periods()


@task()
def send_return_reminders_task() -> dict[str, int]:
    """Daily: reminders to schools that have not reported (once a day at most per report:
    services.send_reminders)."""
    return services.send_reminders()
