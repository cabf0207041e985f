from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "dudao.surveys"
    label = "surveys"

    def ready(self):
        # The reports of the one exporter (`survey_results`, `survey_links`).
        from . import results  # noqa: F401
