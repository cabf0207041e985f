from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "dudao.monitoring"
    label = "monitoring"

    def ready(self):
        # Registers the monitoring report and the monthly return with the exporter, whichever
        # page or task asks for them first.
        from . import monthly, report  # noqa: F401
