from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "dudao.demo"
    label = "demo"
