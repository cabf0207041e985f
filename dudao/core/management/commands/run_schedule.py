import time

from django.core.management.base import BaseCommand

from dudao.core.schedule import JOBS, run_due


class Command(BaseCommand):
    help = (
        "Enqueue the daily jobs (overdue check, ...) once per day. Runs until stopped; "
        "--once checks a single time (for cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Check once and exit.")
        parser.add_argument("--interval", type=int, default=60, help="Seconds between checks.")

    def handle(self, *args, once=False, interval=60, **options):
        self.stdout.write("Daily jobs: " + ", ".join(f"{j.name} at {j.at:%H:%M}" for j in JOBS))
        while True:
            for name in run_due():
                self.stdout.write(f"Enqueued {name}")
            if once:
                return
            time.sleep(interval)
