from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "dudao.complaints"
    label = "complaints"

    def ready(self):
        from dudao.core.workflow import transitioned

        # The figures' workbook registers itself with the exporter on import.
        from . import report  # noqa: F401
        from .models import Complaint
        from .receivers import on_complaint_transitioned

        transitioned.connect(
            on_complaint_transitioned, sender=Complaint, dispatch_uid="notify_complaint"
        )
