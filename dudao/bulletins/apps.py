from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "dudao.bulletins"
    label = "bulletins"

    def ready(self):
        # The document registered with the exporter.
        from . import document  # noqa: F401
