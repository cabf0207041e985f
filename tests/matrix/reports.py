from .common import ADMIN_ONLY, AS_GET, POST_ONLY_ADMIN, everyone, only


def export_job(w):
    """A finished background export of county A's office admin."""
    from django.core.files.base import ContentFile

    from dudao.reports.models import ExportJob

    job = ExportJob.all_objects.create(
        office=w.office,
        requested_by=w.admin,
        report="ledger",
        format="xlsx",
        status="done",
        filename="matrix.xlsx",
        row_count=3,
    )
    job.file.save("matrix.xlsx", ContentFile(b"PK matrix"))
    return [job.pk]


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
# No file to upload, no own template to reset: back to the reports page (own office's templates).
OWN_TEMPLATES = only({"admin": 302, "other_admin": 302})
# A background export: its requester's only; anybody else (the superuser too) does not find it.
EXPORT_JOB = everyone(404) | {"admin": 200}
# The monthly reports' own words: the inspector (world.inspector's own account) or the office
# admin; the zone leader reads the report but does not write it; the other county does not
# find the inspector. An empty POST lacks the version the writer saw: the form again (200).
INSPECTOR_TEXT = only({"admin": 200, "inspector": 200, "other_admin": 404})
OFFICE_TEXT = only({"admin": 200, "other_admin": 200})

MATRIX = {
    "reports:index": (None, everyone(200), AS_GET),
    "reports:ledger_xlsx": (None, LEDGER, AS_GET),
    "reports:export_job": (export_job, EXPORT_JOB, AS_GET),
    "reports:export_job_file": (export_job, EXPORT_JOB, AS_GET),
    "reports:notice_docx": (notice, NOTICE, AS_GET),
    "reports:notice_pdf": (notice, NOTICE, AS_GET),
    "reports:inspector_monthly": (inspector_month("docx"), INSPECTOR_REPORT, AS_GET),
    "reports:office_monthly": (office_month("docx"), OFFICE_REPORT, AS_GET),
    "reports:inspector_text": (
        lambda w: [w.inspector.pk, 2026, 10],
        INSPECTOR_TEXT,
        INSPECTOR_TEXT,
    ),
    "reports:office_text": (lambda w: [2026, 10], OFFICE_TEXT, OFFICE_TEXT),
    "reports:template_upload": (KIND, POST_ONLY_ADMIN, OWN_TEMPLATES),
    "reports:template_default": (KIND, ADMIN_ONLY, AS_GET),
    "reports:template_reset": (KIND, POST_ONLY_ADMIN, OWN_TEMPLATES),
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
    ("reports:inspector_text", lambda w: [w.other_inspector.pk, 2026, 10], ["inspector"]),
    ("reports:inspector_text", lambda w: [w.foreign_inspector.pk, 2026, 10], ["admin"]),
]

# No WRITES rows: a template upload or reset acts on the admin's own office only (the other
# county's admin changes its own templates), so tests/reports/test_templates.py checks that
# the other roles are refused and write nothing.
