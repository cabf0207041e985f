from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "dudao.evaluations"
    label = "evaluations"
