import datetime

from django.core.management.base import BaseCommand, CommandError

from dudao.rectification.overdue import daily_check


class Command(BaseCommand):
    help = (
        "Flag findings past their deadline as overdue (and clear the flag when no longer so); "
        "urge schools that let their date to respond pass (docs/rules.md §10)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Check as of this date (YYYY-MM-DD); default today.")

    def handle(self, *args, today=None, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today must be YYYY-MM-DD, not {today!r}") from exc
        result = daily_check(day)
        self.stdout.write(
            f"Marked {result['marked']} finding(s) overdue; "
            f"cleared {result['cleared']} no longer overdue; "
            f"urged {result['urged']} school(s) for a missed date, "
            f"{result['escalated']} escalated to the county office."
        )
