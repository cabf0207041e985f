from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "dudao.surveys"
    label = "surveys"
