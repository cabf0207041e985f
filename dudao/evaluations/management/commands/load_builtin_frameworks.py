"""`manage.py load_builtin_frameworks`: load the built-in indicator frameworks whose file is new
or changed since the last load (`shipped.ensure_builtin_frameworks`; idempotent). Run it after a
deployment that changes dudao/evaluations/builtin/*.csv; migration 0002 loaded the first ones."""

from django.core.management.base import BaseCommand

from dudao.evaluations.shipped import ensure_builtin_frameworks


class Command(BaseCommand):
    help = (
        "Load new or changed built-in indicator frameworks (a changed file becomes a new revision)."
    )

    def handle(self, *args, **options):
        made = ensure_builtin_frameworks()
        for framework in made:
            self.stdout.write(f"{framework.key} revision {framework.revision}: {framework.title}")
        self.stdout.write(f"{len(made)} built-in framework revision(s) loaded.")
