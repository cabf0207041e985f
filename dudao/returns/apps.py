from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "dudao.returns"
    label = "returns"
