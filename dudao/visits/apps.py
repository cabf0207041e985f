from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "dudao.visits"
    label = "visits"

    def ready(self):
        # The monthly focus points' visibility rule (dudao/core/scopes.py).
        from . import focus  # noqa: F401
