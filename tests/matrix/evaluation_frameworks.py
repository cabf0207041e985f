"""Indicator frameworks (指标体系): the office admin writes its own county's drafts (and copies
built-ins); every signed-in user of an office, the viewer above it and the superuser read;
another county's framework is not found."""

from .common import ADMIN_A_ACTION, AS_GET, POST_ONLY_ADMIN, everyone, only, writes

READ = everyone(200)
READ_A = READ | {"other_admin": 404}
EDIT_A = only({"admin": 200, "other_admin": 404})
WRITE_A = only({"admin": writes(302), "other_admin": 404})


def framework(w, *, office=None, status="draft", key="matrix"):
    """County A's framework (made without services, so WRITES can count their rows): one
    first-level indicator scored by points, valid for publishing."""
    from dudao.evaluations.models import Framework, Indicator

    office = office or w.office
    made, created = Framework.all_objects.get_or_create(
        office=office,
        key=f"{key}-{status}",
        revision=1,
        defaults={"title": f"指标体系 {status}", "status": status, "total_max": 10},
    )
    if created:
        Indicator.objects.create(
            framework=made,
            position=1,
            depth=0,
            code="A1",
            title="办学方向",
            max_score=10,
            method="points",
        )
    return made


def draft(w):
    return [framework(w).pk]


def published(w):
    return [framework(w, status="published").pk]


def indicator(w):
    return [framework(w).indicators.get().pk]


def foreign(w):
    return [framework(w, office=w.other_office).pk]


def import_job(w):
    from dudao.imports.models import ImportJob

    job = ImportJob.all_objects.create(
        office=w.office, kind="framework", params={"framework": framework(w).pk}, created_by=w.admin
    )
    return [job.pk]


MATRIX = {
    "evaluations:framework_list": (None, READ, AS_GET),
    # an empty form is shown again with its errors
    "evaluations:framework_create": (
        None,
        only({"admin": 200, "other_admin": 200}),
        only({"admin": 200, "other_admin": 200}),
    ),
    "evaluations:framework_detail": (draft, READ_A, AS_GET),
    "evaluations:framework_export_xlsx": (draft, READ_A, AS_GET),
    "evaluations:framework_copy": (published, POST_ONLY_ADMIN, WRITE_A),
    "evaluations:framework_new_revision": (published, POST_ONLY_ADMIN, WRITE_A),
    "evaluations:framework_publish": (draft, POST_ONLY_ADMIN, WRITE_A),
    "evaluations:framework_retire": (published, POST_ONLY_ADMIN, WRITE_A),
    # without the confirmation box: back with a message, nothing deleted
    "evaluations:framework_delete": (draft, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "evaluations:framework_edit": (draft, EDIT_A, EDIT_A),
    "evaluations:framework_indicator_add": (draft, EDIT_A, EDIT_A),
    "evaluations:framework_indicator_edit": (indicator, EDIT_A, EDIT_A),
    "evaluations:framework_indicator_delete": (indicator, POST_ONLY_ADMIN, WRITE_A),
    # without a direction: back to the editor, nothing moved
    "evaluations:framework_indicator_move": (indicator, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "evaluations:framework_import_upload": (draft, EDIT_A, EDIT_A),
    "evaluations:framework_import_preview": (import_job, EDIT_A, AS_GET),
    # a job still being checked cannot be confirmed: back with a message
    "evaluations:framework_import_confirm": (import_job, POST_ONLY_ADMIN, ADMIN_A_ACTION),
}

OUT_OF_SCOPE = [
    (
        "evaluations:framework_detail",
        foreign,
        ["admin", "zone_leader", "inspector", "school", "viewer"],
    ),
    ("evaluations:framework_export_xlsx", foreign, ["admin", "inspector", "school", "viewer"]),
    ("evaluations:framework_edit", foreign, ["admin"]),
    ("evaluations:framework_indicator_add", foreign, ["admin"]),
    ("evaluations:framework_detail", draft, ["other_admin"]),
]

# Office-admin-only writes on county A's frameworks: every other role is refused.
WRITES = {
    "evaluations:framework_copy": published,
    "evaluations:framework_new_revision": published,
    "evaluations:framework_publish": draft,
    "evaluations:framework_retire": published,
    "evaluations:framework_delete": draft,
    "evaluations:framework_edit": draft,
    "evaluations:framework_indicator_add": draft,
    "evaluations:framework_indicator_edit": indicator,
    "evaluations:framework_indicator_delete": indicator,
    "evaluations:framework_indicator_move": indicator,
    "evaluations:framework_import_upload": draft,
}
