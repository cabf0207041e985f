from django.apps import AppConfig


class ChecklistsConfig(AppConfig):
    name = "dudao.checklists"
    label = "checklists"

    def ready(self):
        # The spreadsheet import of a draft's items (kind "checklist"), registered here so the
        # imports app needs no line for it (dudao/imports/importers/__init__.py).
        from dudao.imports.importers import IMPORTERS, register

        from .importer import ChecklistImporter

        if ChecklistImporter.kind not in IMPORTERS:
            register(ChecklistImporter)
