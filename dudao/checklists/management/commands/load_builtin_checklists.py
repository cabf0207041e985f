"""`manage.py load_builtin_checklists`: load the built-in checklists whose file is new or
changed since the last load (`shipped.ensure_builtin_checklists`; idempotent). Run it after a
deployment that changes dudao/checklists/builtin/*.json; migration 0003 loaded the first ones."""

from django.core.management.base import BaseCommand

from dudao.checklists.shipped import ensure_builtin_checklists


class Command(BaseCommand):
    help = "Load new or changed built-in checklists (a changed file becomes a new revision)."

    def handle(self, *args, **options):
        made = ensure_builtin_checklists()
        for checklist in made:
            self.stdout.write(f"{checklist.key} revision {checklist.revision}: {checklist.title}")
        self.stdout.write(f"{len(made)} built-in checklist revision(s) loaded.")
