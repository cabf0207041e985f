from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "dudao.core"
    label = "core"

    def ready(self):
        from . import security  # noqa: F401  (registers the deployment check)
