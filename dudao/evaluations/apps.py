from django.apps import AppConfig


class EvaluationsConfig(AppConfig):
    name = "dudao.evaluations"
    label = "evaluations"

    def ready(self):
        # The spreadsheet import of a draft framework's indicators (kind "framework"),
        # registered here so the imports app needs no line for it
        # (dudao/imports/importers/__init__.py).
        from dudao.imports.importers import IMPORTERS, register

        from .framework_importer import FrameworkImporter

        if FrameworkImporter.kind not in IMPORTERS:
            register(FrameworkImporter)
        from dudao.core.workflow import transitioned

        from . import report  # noqa: F401 (register the evaluation reports with the exporter)
        from .models import Round
        from .round_notifications import on_round_transitioned

        transitioned.connect(on_round_transitioned, sender=Round, dispatch_uid="notify_round")
