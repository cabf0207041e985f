from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "dudao.webhooks"
    label = "webhooks"

    def ready(self):
        from dudao.core.workflow import transitioned
        from dudao.rectification.signals import finding_transitioned

        from .receivers import on_finding_transitioned, on_transitioned

        finding_transitioned.connect(on_finding_transitioned, dispatch_uid="webhooks_finding")
        transitioned.connect(on_transitioned, dispatch_uid="webhooks_transitioned")
