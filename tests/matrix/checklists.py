"""Checklists (检查表): the office admin writes its own county's drafts (and copies built-ins);
inspectors, zone leaders, viewers and the superuser read; school users get 403; another
county's checklist is not found."""

from .common import ADMIN_A_ACTION, AS_GET, POST_ONLY_ADMIN, only, writes

READ = only(
    {
        "admin": 200,
        "zone_leader": 200,
        "inspector": 200,
        "viewer": 200,
        "other_admin": 200,
        "superuser": 200,
    }
)
READ_A = READ | {"other_admin": 404}
EDIT_A = only({"admin": 200, "other_admin": 404})
WRITE_A = only({"admin": writes(302), "other_admin": 404})


def checklist(w, *, office=None, status="draft", key="matrix"):
    """County A's checklist (made without services, so WRITES can count their rows): one
    section and one yes/no item, valid for publishing."""
    from dudao.checklists.models import ChecklistItem, ChecklistSection, ChecklistTemplate

    office = office or w.office
    template, created = ChecklistTemplate.all_objects.get_or_create(
        office=office,
        key=f"{key}-{status}",
        revision=1,
        defaults={"title": f"检查表 {status}", "status": status},
    )
    if created:
        section = ChecklistSection.objects.create(template=template, position=1, title="一、作业")
        ChecklistItem.objects.create(
            template=template,
            section=section,
            position=1,
            code="1.1",
            question="作业公示",
            answer_type="yes_no",
            compliant=[True],
        )
    return template


def draft(w):
    return [checklist(w).pk]


def published(w):
    return [checklist(w, status="published").pk]


def section(w):
    return [checklist(w).sections.get().pk]


def item(w):
    return [checklist(w).items.get().pk]


def foreign(w):
    return [checklist(w, office=w.other_office).pk]


def import_job(w):
    from dudao.imports.models import ImportJob

    job = ImportJob.all_objects.create(
        office=w.office, kind="checklist", params={"checklist": checklist(w).pk}, created_by=w.admin
    )
    return [job.pk]


MATRIX = {
    "checklists:list": (None, READ, AS_GET),
    "checklists:create": (
        None,
        only({"admin": 200, "other_admin": 200}),
        only({"admin": 200, "other_admin": 200}),
    ),
    "checklists:detail": (draft, READ_A, AS_GET),
    "checklists:export_xlsx": (draft, READ_A, AS_GET),
    "checklists:copy": (published, POST_ONLY_ADMIN, WRITE_A),
    "checklists:new_revision": (published, POST_ONLY_ADMIN, WRITE_A),
    "checklists:publish": (draft, POST_ONLY_ADMIN, WRITE_A),
    "checklists:retire": (published, POST_ONLY_ADMIN, WRITE_A),
    # without the confirmation box: back with a message, nothing deleted
    "checklists:delete": (draft, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "checklists:edit": (draft, EDIT_A, EDIT_A),
    "checklists:section_add": (draft, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "checklists:section_edit": (section, EDIT_A, EDIT_A),
    "checklists:section_delete": (section, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "checklists:section_move": (section, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "checklists:item_add": (section, EDIT_A, EDIT_A),
    "checklists:item_edit": (item, EDIT_A, EDIT_A),
    "checklists:item_delete": (item, POST_ONLY_ADMIN, WRITE_A),
    "checklists:item_move": (item, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "checklists:import_upload": (draft, EDIT_A, EDIT_A),
    "checklists:import_preview": (import_job, EDIT_A, AS_GET),
    # a job still being checked cannot be confirmed: back with a message
    "checklists:import_confirm": (import_job, POST_ONLY_ADMIN, ADMIN_A_ACTION),
}

OUT_OF_SCOPE = [
    ("checklists:detail", foreign, ["admin", "zone_leader", "inspector", "viewer"]),
    ("checklists:export_xlsx", foreign, ["admin", "inspector", "viewer"]),
    ("checklists:edit", foreign, ["admin"]),
    ("checklists:detail", draft, ["other_admin"]),
]

# Office-admin-only writes on county A's checklists: every other role is refused.
WRITES = {
    "checklists:copy": published,
    "checklists:new_revision": published,
    "checklists:publish": draft,
    "checklists:retire": published,
    "checklists:delete": draft,
    "checklists:edit": draft,
    "checklists:section_add": draft,
    "checklists:section_edit": section,
    "checklists:item_add": section,
    "checklists:item_edit": item,
    "checklists:item_delete": item,
    "checklists:import_upload": draft,
}
