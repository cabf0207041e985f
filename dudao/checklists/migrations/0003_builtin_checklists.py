"""Load the built-in checklists (dudao/checklists/builtin/*.json) with this migration's models:
each new revision published at once with a history line. No audit row: the audit chain is
written by the services (`shipped.ensure_builtin_checklists`, which later runs the same
idempotent `shipped.sync` with the app's models, for a changed file or a flushed database)."""

from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    from dudao.checklists.shipped import read_builtins, sync

    template_model = apps.get_model("checklists", "ChecklistTemplate")
    event_model = apps.get_model("checklists", "ChecklistEvent")

    def publish(template):
        from dudao.checklists.services import publish_problems

        problems = publish_problems(template)
        if problems:  # a broken file stops the migration, as the workflow's guard would
            raise ValueError(f"built-in checklist {template.key}: {problems}")
        template.status = "published"
        template.published_at = timezone.now()
        template.version += 1
        template.save()
        event_model.objects.create(
            template=template,
            actor_name="System",
            action="publish",
            from_status="draft",
            to_status="published",
        )

    sync(
        read_builtins(),
        templates=template_model.all_objects,
        section_model=apps.get_model("checklists", "ChecklistSection"),
        item_model=apps.get_model("checklists", "ChecklistItem"),
        publish=publish,
    )


class Migration(migrations.Migration):
    dependencies = [("checklists", "0002_events")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
