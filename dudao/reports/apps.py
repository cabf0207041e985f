from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "dudao.reports"
    label = "reports"

    def ready(self):
        from . import builders  # noqa: F401  (registers the reports with the exporter)
