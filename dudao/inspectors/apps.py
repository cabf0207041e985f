from django.apps import AppConfig


class InspectorsConfig(AppConfig):
    name = "dudao.inspectors"
    label = "inspectors"
