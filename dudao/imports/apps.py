from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "dudao.imports"
    label = "imports"
