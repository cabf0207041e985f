"""`manage.py seed_demo --schools 150 --seed 1 [--if-empty] [--reset]`: the demo county."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dudao.demo import generator
from dudao.organisations.models import Office


class Command(BaseCommand):
    help = "Load the deterministic demo county (same seed, same data) and print the logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--schools",
            type=int,
            default=150,
            help=f"schools in the main county (at least {generator.MIN_SCHOOLS}; default 150)",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing (but print the logins) when any supervision office exists",
        )
        parser.add_argument(
            "--reset", action="store_true", help="delete the demo data first, then seed again"
        )

    def handle(self, *args, schools, seed, if_empty, reset, **options):
        if schools < generator.MIN_SCHOOLS:
            raise CommandError(f"--schools must be at least {generator.MIN_SCHOOLS}.")
        if if_empty and not reset and Office.objects.exists():
            self.stdout.write("Data already present (a supervision office exists): not seeding.")
            self._print_logins()
            return
        started = time.monotonic()
        verbose = options.get("verbosity", 1) > 1
        with transaction.atomic():  # the reset and the seed succeed or fail together
            if reset:
                generator.DemoBuilder.reset()
                self.stdout.write("Deleted the previous demo data.")
            elif generator.demo_exists():
                raise CommandError(
                    "The demo data already exists: use --reset to rebuild it, "
                    "or --if-empty to keep it."
                )
            builder = generator.DemoBuilder(
                seed=seed, schools=schools, log=self.stdout.write if verbose else None
            )
            context = builder.build()
        elapsed = time.monotonic() - started
        for county in context.counties:
            self.stdout.write(
                f"{county.office.name}: {len(county.townships)} townships, "
                f"{len(county.schools)} schools, {len(county.zones)} zones, "
                f"{len(county.inspectors)} inspectors, "
                f"{county.office.visits.filter(status='submitted').count()} visits, "
                f"{county.office.findings.count()} findings"
            )
        self.stdout.write(
            self.style.SUCCESS(f"Demo data loaded (seed {seed}) in {elapsed:.1f} s.")
            + f" Fingerprint {generator.fingerprint()[:12]}."
        )
        self._print_logins()

    def _print_logins(self):
        rows = generator.describe_logins()
        if not rows:
            self.stdout.write("No demo logins found.")
            return
        self.stdout.write("\nDemo logins:\n" + generator.format_logins(rows))
