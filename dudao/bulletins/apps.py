from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "dudao.bulletins"
    label = "bulletins"

    def ready(self):
        # The scope rules (to move into accounts/scoping.py), the document registered with
        # the exporter, and the notification messages (to move into notifications/messages.py).
        from . import document, messages, scope_rules  # noqa: F401

        messages.register()
