from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "dudao.organisations"
    label = "organisations"

    def ready(self):
        # The spreadsheet import of government units (kind "government_units"), registered
        # here so the imports app needs no line for it (dudao/imports/importers/__init__.py).
        from dudao.imports.importers import IMPORTERS, register
        from dudao.imports.importers.government_units import GovernmentUnitImporter

        if GovernmentUnitImporter.kind not in IMPORTERS:
            register(GovernmentUnitImporter)
