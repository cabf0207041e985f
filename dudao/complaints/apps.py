from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "dudao.complaints"
    label = "complaints"

    def ready(self):
        from dudao.core.workflow import transitioned

        # The scope rule (until the lead moves it into accounts/scoping.py) and the figures'
        # workbook (registered with the exporter) register themselves on import.
        from . import report, scope_rules  # noqa: F401
        from .models import Complaint
        from .receivers import on_complaint_transitioned

        transitioned.connect(
            on_complaint_transitioned, sender=Complaint, dispatch_uid="notify_complaint"
        )
