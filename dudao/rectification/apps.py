from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "dudao.rectification"
    label = "rectification"
