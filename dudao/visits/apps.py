from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "dudao.visits"
    label = "visits"
