from django.apps import AppConfig


class RollupConfig(AppConfig):
    name = "dudao.rollup"
    label = "rollup"

    def ready(self):
        from . import receivers, report  # noqa: F401  (connects the receivers, registers the export)

        receivers.connect()
