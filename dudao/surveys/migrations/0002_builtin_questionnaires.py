"""Load the built-in questionnaires (dudao/surveys/builtin/*.json) with this migration's models:
each new revision published at once with a history line. No audit row: the audit chain is
written by the services (`shipped.ensure_builtin_questionnaires`, which later runs the same
idempotent `shipped.sync` with the app's models, for a changed file or a flushed database)."""

from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    from dudao.surveys.shipped import read_builtins, sync

    questionnaire_model = apps.get_model("surveys", "Questionnaire")
    event_model = apps.get_model("surveys", "QuestionnaireEvent")

    def publish(questionnaire):
        from dudao.surveys.questionnaire_services import publish_problems

        problems = publish_problems(questionnaire)
        if problems:  # a broken file stops the migration, as the workflow's guard would
            raise ValueError(f"built-in questionnaire {questionnaire.key}: {problems}")
        questionnaire.status = "published"
        questionnaire.published_at = timezone.now()
        questionnaire.version += 1
        questionnaire.save()
        event_model.objects.create(
            questionnaire=questionnaire,
            actor_name="System",
            action="publish",
            from_status="draft",
            to_status="published",
        )

    sync(
        read_builtins(),
        questionnaires=questionnaire_model.all_objects,
        section_model=apps.get_model("surveys", "Section"),
        question_model=apps.get_model("surveys", "Question"),
        publish=publish,
    )


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
