"""Authorisation rows of the rectification screens (整改)."""

import datetime

from django.utils import timezone

from .common import AS_GET, everyone, only


def _finding(w, school=None, actor=None, **kwargs):
    from dudao.rectification import services

    defaults = {
        "school": school or w.school,
        "area": 6,
        "description": "消防通道堆放杂物",
        "deadline_kind": "by_date",
        "deadline": timezone.localdate() + datetime.timedelta(days=7),
    }
    defaults.update(kwargs)
    return services.create_finding(actor or w.admin, **defaults)


def finding(w):
    return [_finding(w).pk]


def finding_file(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dudao.rectification import services

    f = _finding(w)
    pdf = SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%matrix\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF")
    return [services.add_finding_file(w.admin, f, pdf).pk]


def notice(w):
    from dudao.rectification import services

    f = _finding(w)
    n = services.issue_notice(w.admin, [f], expected_versions={f.pk: f.version})
    return [n.pk]


def case(w):
    from dudao.rectification import services

    c = services.open_accountability_case(
        w.admin, office=w.office, target_kind="unit", target_name=w.school.name
    )
    return [c.pk]


def zone_school_finding(w):
    return [_finding(w, school=w.zone_school).pk]


def far_school_finding(w):
    return [_finding(w, school=w.far_school).pk]


def foreign_finding(w):
    return [_finding(w, school=w.foreign_school, actor=w.other_admin).pk]


IN_SCOPE = everyone(200) | {"other_admin": 404}
NOT_SCHOOL = everyone(200) | {"school": 403}

FINDERS = only({"admin": 200, "zone_leader": 200, "inspector": 200, "other_admin": 200})
ISSUERS = only(
    {"admin": 200, "zone_leader": 200, "inspector": 200, "other_admin": 404, "superuser": 200}
)
OFFICE_READERS = only({"admin": 200, "viewer": 200, "other_admin": 200, "superuser": 200})

MATRIX = {
    "rectification:finding_create": (None, FINDERS, FINDERS),
    "rectification:finding_detail": (finding, IN_SCOPE, AS_GET),
    # One endpoint for every action. Without its form (the finding's version) every role that
    # sees the finding is sent back to it with "reload the page" and nothing is written.
    # Whether the role may take the action is the workflow's to say: a refusal there is also a
    # redirect with a message, by design (tests/rectification/test_views_findings.py,
    # test_illegal_action_shows_a_message_and_changes_nothing).
    "rectification:finding_action": (
        lambda w: [finding(w)[0], "escalate"],
        everyone(405),
        everyone(302) | {"viewer": 403, "other_admin": 404},
    ),
    "rectification:finding_file": (finding_file, IN_SCOPE, AS_GET),
    "rectification:school_findings": (None, only({"school": 200}), AS_GET),
    "rectification:notice_list": (None, everyone(200), AS_GET),
    "rectification:notice_detail": (notice, IN_SCOPE, AS_GET),
    "rectification:notice_issue": (lambda w: [w.school.pk], ISSUERS, ISSUERS),
    "rectification:ledger": (None, NOT_SCHOOL, AS_GET),
    "rectification:escalations": (None, OFFICE_READERS, AS_GET),
    "rectification:case_list": (None, OFFICE_READERS, AS_GET),
    "rectification:case_create": (
        None,
        only({"admin": 200, "other_admin": 200}),
        only({"admin": 200, "other_admin": 200}),
    ),
    # the viewer and the superuser read a case; only the office records on it (an empty
    # record: back to the case with a message)
    "rectification:case_detail": (
        case,
        only({"admin": 200, "viewer": 200, "other_admin": 404, "superuser": 200}),
        only({"admin": 302, "other_admin": 404}),
    ),
}

OUT_OF_SCOPE = [
    ("rectification:finding_detail", zone_school_finding, ["inspector", "school"]),
    ("rectification:finding_detail", far_school_finding, ["zone_leader", "inspector", "school"]),
    ("rectification:finding_detail", foreign_finding, ["admin", "viewer", "zone_leader"]),
    ("rectification:notice_issue", lambda w: [w.zone_school.pk], ["inspector"]),
    ("rectification:notice_issue", lambda w: [w.foreign_school.pk], ["admin", "zone_leader"]),
    ("rectification:case_detail", case, ["other_admin"]),
]


def bare_case(w):
    """A case written directly (no audit entry), for the refused-writes test."""
    from dudao.rectification.models import AccountabilityCase

    c = AccountabilityCase.all_objects.create(
        office=w.office, target_kind="unit", target_name=w.school.name, opened_by=w.admin
    )
    return [c.pk]


# Office-admin-only writes: refused (403/404) for everyone else, nothing written. (Opening a
# case is also open to the other county's admin, in its own office, so it is not listed.)
WRITES = {"rectification:case_detail": bare_case}
