from django.apps import AppConfig


class RectificationConfig(AppConfig):
    name = "dudao.rectification"
    label = "rectification"

    def ready(self):
        from .receivers import on_finding_transitioned
        from .signals import finding_transitioned

        finding_transitioned.connect(on_finding_transitioned, dispatch_uid="notify_finding")
