from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_triggers(sender, using="default", **kwargs):
    # SQLite drops a table's triggers when a migration rebuilds it: put them back.
    from . import triggers

    triggers.ensure(using)


class AuditConfig(AppConfig):
    name = "dudao.audit"
    label = "audit"

    def ready(self):
        post_migrate.connect(_ensure_triggers, sender=self, dispatch_uid="audit_triggers")
