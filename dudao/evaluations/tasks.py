from django_tasks import task

from .round_notifications import send_stage_reminders


@task()
def send_stage_reminders_task() -> dict[str, int]:
    """Daily: reminders before the deadline of a round's stage to those who have not finished
    (docs/rules.md §24; idempotent: `round_notifications.send_stage_reminders`)."""
    return send_stage_reminders()
