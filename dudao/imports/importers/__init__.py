"""The importer registry: kind → importer class. Every spreadsheet import of the project goes
through one job model (`dudao.imports.models.ImportJob`: preview → confirm → apply, with
progress) and is described here by one class (see `base.Importer`).

To add an import (e.g. checklists, frameworks): write an `Importer` subclass in the owning app
or here, with `kind`, `label`, `columns`, `plan()` and `apply()` (or `apply_row()`), and
`register()` it; the upload, preview, confirm, progress and template download work at once."""

from .base import Importer

IMPORTERS: dict[str, type[Importer]] = {}


def register(cls: type[Importer]) -> type[Importer]:
    IMPORTERS[cls.kind] = cls
    return cls


def importer_class(kind: str) -> type[Importer] | None:
    return IMPORTERS.get(kind)


def _register_builtin():
    from .assignments import AssignmentImporter
    from .inspectors import InspectorImporter
    from .resources import ResourcesImporter
    from .schools import SchoolImporter
    from .training import TrainingAttendanceImporter

    for cls in (
        SchoolImporter,
        InspectorImporter,
        AssignmentImporter,
        ResourcesImporter,
        TrainingAttendanceImporter,
    ):
        register(cls)


_register_builtin()
