from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "dudao.returns"
    label = "returns"

    def ready(self):
        # Registers the returns' spreadsheets with the exporter.
        from . import report  # noqa: F401
