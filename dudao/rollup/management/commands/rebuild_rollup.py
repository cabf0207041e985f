"""Recount the roll-up counters from scratch (docs/rules.md §28): after data was loaded
behind the services (COPY, `bench/supervision.py`, a restore). Safe to run any time: one
transaction, writes to visits and findings wait for it."""

import time

from django.core.management.base import BaseCommand

from dudao.rollup import aggregates


class Command(BaseCommand):
    help = "Recount the city/province roll-up counters from the visits and findings."

    def handle(self, *args, **options):
        started = time.monotonic()
        sizes = aggregates.rebuild()
        self.stdout.write(
            f"Roll-up rebuilt: {sizes['school_months']} school-months, "
            f"{sizes['office_months']} office-months in {time.monotonic() - started:.1f} s"
        )
