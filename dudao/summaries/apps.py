from django.apps import AppConfig


class SummariesConfig(AppConfig):
    name = "dudao.summaries"
    label = "summaries"

    def ready(self):
        from . import report  # noqa: F401 (registers the summary with the exporter)
