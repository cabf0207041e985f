from .common import ADMIN_ONLY, POST_ONLY_ADMIN, everyone, only


def notice(w):
    from tests.reports.helpers import make_notice

    return [make_notice(w).pk]


def inspector_month(fmt):
    return lambda w: [w.inspector.pk, 2026, 10, fmt]


def office_month(fmt):
    return lambda w: [2026, 10, fmt]


NOTICE = everyone(200) | {"other_admin": 404}
LEDGER = everyone(200) | {"school": 403}
INSPECTOR_REPORT = everyone(200) | {"school": 403, "other_admin": 404}
OFFICE_REPORT = only({"admin": 200, "viewer": 200, "other_admin": 200, "superuser": 200})
KIND = lambda w: ["notice"]  # noqa: E731

MATRIX = {
    "reports:index": (None, everyone(200)),
    "reports:ledger_xlsx": (None, LEDGER),
    "reports:notice_docx": (notice, NOTICE),
    "reports:notice_pdf": (notice, NOTICE),
    "reports:inspector_monthly": (inspector_month("docx"), INSPECTOR_REPORT),
    "reports:office_monthly": (office_month("docx"), OFFICE_REPORT),
    "reports:template_upload": (KIND, POST_ONLY_ADMIN),
    "reports:template_default": (KIND, ADMIN_ONLY),
    "reports:template_reset": (KIND, POST_ONLY_ADMIN),
}

OUT_OF_SCOPE = [
    (
        "reports:inspector_monthly",
        lambda w: [w.other_inspector.pk, 2026, 10, "docx"],
        ["inspector"],
    ),
    (
        "reports:inspector_monthly",
        lambda w: [w.foreign_inspector.pk, 2026, 10, "docx"],
        ["admin", "viewer", "zone_leader"],
    ),
]

# No WRITES rows: a template upload or reset acts on the admin's own office only (the other
# county's admin changes its own templates), so tests/reports/test_templates.py checks that
# the other roles are refused and write nothing.
