from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "dudao.complaints"
    label = "complaints"
