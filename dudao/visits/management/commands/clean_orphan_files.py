from django.core.management.base import BaseCommand

from dudao.visits.orphans import delete_orphans, find_orphans


class Command(BaseCommand):
    help = "Delete uploaded files older than a day that no attachment or evidence row uses."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only list them.")

    def handle(self, *args, dry_run=False, **options):
        paths = find_orphans() if dry_run else delete_orphans()
        for path in paths:
            self.stdout.write(path)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(f"{verb} {len(paths)} orphaned file(s).")
