"""Load the built-in indicator frameworks (dudao/evaluations/builtin/*.csv) with this
migration's models: each new revision published at once with a history line. No audit row: the
audit chain is written by the services (`shipped.ensure_builtin_frameworks`, which later runs
the same idempotent `shipped.sync` with the app's models, for a changed file or a flushed
database)."""

from django.db import migrations
from django.utils import timezone


def load(apps, schema_editor):
    from dudao.evaluations.framework_services import spec_of
    from dudao.evaluations.shipped import read_builtins, sync

    framework_model = apps.get_model("evaluations", "Framework")
    event_model = apps.get_model("evaluations", "FrameworkEvent")

    def publish(framework):
        # A broken tree stops the migration (FrameworkInvalid), as the workflow's guard would.
        spec = spec_of(framework)
        framework.status = "published"
        framework.published_at = timezone.now()
        framework.total_max = spec.total_max
        framework.version += 1
        framework.save()
        event_model.objects.create(
            framework=framework,
            actor_name="System",
            action="publish",
            from_status="draft",
            to_status="published",
        )

    sync(
        read_builtins(),
        frameworks=framework_model.all_objects,
        indicator_model=apps.get_model("evaluations", "Indicator"),
        publish=publish,
    )


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
