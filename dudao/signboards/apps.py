from django.apps import AppConfig


class SignboardsConfig(AppConfig):
    name = "dudao.signboards"
    label = "signboards"
