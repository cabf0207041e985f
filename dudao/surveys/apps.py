from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "dudao.surveys"
    label = "surveys"

    def ready(self):
        # The scope rules (until they move into dudao/accounts/scoping.py) and the reports of
        # the one exporter (`survey_results`, `survey_links`).
        from . import results, scope_rules  # noqa: F401
