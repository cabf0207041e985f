"""Moved to `dudao.core.supervision_items` (shared by visits, findings, signboards, dashboards
and reports); this alias remains until every importer reads it from there."""

from dudao.core.supervision_items import SUPERVISION_ITEMS, SupervisionItem  # noqa: F401
