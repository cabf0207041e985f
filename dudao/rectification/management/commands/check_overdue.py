import datetime

from django.core.management.base import BaseCommand, CommandError

from dudao.rectification.overdue import mark_overdue


class Command(BaseCommand):
    help = "Flag findings past their deadline as overdue (and clear the flag when no longer so)."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="Check as of this date (YYYY-MM-DD); default today.")

    def handle(self, *args, today=None, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError(f"--today must be YYYY-MM-DD, not {today!r}") from exc
        result = mark_overdue(day)
        self.stdout.write(
            f"Marked {result['marked']} finding(s) overdue; "
            f"cleared {result['cleared']} no longer overdue."
        )
