from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "dudao.reports"
    label = "reports"

    def ready(self):
        # Registers the reports with the exporter.
        from . import builders, feedback  # noqa: F401
