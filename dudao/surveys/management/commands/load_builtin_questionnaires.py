"""`manage.py load_builtin_questionnaires`: load the built-in questionnaires whose file is new
or changed since the last load (`shipped.ensure_builtin_questionnaires`; idempotent). Run it
after a deployment that changes dudao/surveys/builtin/*.json; migration 0002 loaded the first
ones."""

from django.core.management.base import BaseCommand

from dudao.surveys.shipped import ensure_builtin_questionnaires


class Command(BaseCommand):
    help = "Load new or changed built-in questionnaires (a changed file becomes a new revision)."

    def handle(self, *args, **options):
        made = ensure_builtin_questionnaires()
        for questionnaire in made:
            self.stdout.write(
                f"{questionnaire.key} revision {questionnaire.revision}: {questionnaire.title}"
            )
        self.stdout.write(f"{len(made)} built-in questionnaire revision(s) loaded.")
