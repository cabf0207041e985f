from django_tasks import task

from .term_services import send_reminders


@task()
def send_term_reminders_task() -> dict[str, int]:
    """The daily reminders before an inspector's term or certificate ends (docs/rules.md §31;
    idempotent: `term_services.send_reminders`)."""
    return send_reminders()
