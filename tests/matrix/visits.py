"""Visit screens (issue #3 item 1). The world's `school` is assigned to `inspector`; the
zone leader leads its zone but is not assigned to it (may read, not record)."""

import io
import uuid

from .common import ADMIN_ONLY, AS_GET, LOGIN, POST_ONLY_ADMIN, everyone, only, writes

SEE = {
    "anon": LOGIN,
    "admin": 200,
    "zone_leader": 200,
    "inspector": 200,
    "school": 200,
    "viewer": 200,
    "other_admin": 404,
    "superuser": 200,
}
POST_ONLY_RECORDERS = only({"admin": 405, "zone_leader": 405, "inspector": 405, "other_admin": 405})


def submitted_visit(w, school=None):
    from dudao.visits import services

    return services.submit_visit(
        w.inspector_user if school is None else w.admin,
        uuid.uuid4(),
        school=school or w.school,
        methods=["campus_walk"],
        visited_at=_now(),
    )


def _now():
    from django.utils import timezone

    return timezone.now()


def draft(w):
    from dudao.visits import services

    return services.save_draft(w.inspector_user, w.school, uuid.uuid4())


def attachment(w):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from dudao.visits import services

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (0, 90, 160)).save(out, "PNG")
    visit = submitted_visit(w)
    upload = SimpleUploadedFile("matrix.png", out.getvalue())
    return [services.add_attachment(w.inspector_user, visit, upload).pk]


def focus_point(w, admin=None):
    from django.utils import timezone

    from dudao.visits import services

    today = timezone.localdate()
    admin = admin or w.admin
    point = services.create_focus_point(
        admin, office=admin.office, year=today.year, month=today.month, title="开学安全"
    )
    return [point.pk]


RECORDERS = only({"admin": 200, "zone_leader": 404, "inspector": 200, "other_admin": 404})
# the recorders' POST with no data: back to the visit with a message (a file to add, a
# submitted visit's file that stays)
RECORDERS_BACK = only({"admin": 302, "zone_leader": 404, "inspector": 302, "other_admin": 404})

MATRIX = {
    "visits:list": (
        None,
        only(
            {
                "admin": 200,
                "zone_leader": 200,
                "inspector": 200,
                "viewer": 200,
                "other_admin": 200,
                "superuser": 200,
            }
        ),
        AS_GET,
    ),
    "visits:my_schools": (
        None,
        only(
            {
                "admin": 200,
                "zone_leader": 200,
                "inspector": 200,
                "other_admin": 200,
                "superuser": 200,
            }
        ),
        AS_GET,
    ),
    "visits:new": (lambda w: [w.school.pk], RECORDERS, RECORDERS),
    # an empty autosave answers 200 and saves nothing
    "visits:autosave": (lambda w: [w.school.pk], POST_ONLY_RECORDERS, RECORDERS),
    "visits:detail": (lambda w: [submitted_visit(w).pk], SEE, AS_GET),
    "visits:edit": (lambda w: [draft(w).pk], RECORDERS, RECORDERS),
    "visits:delete_draft": (
        lambda w: [draft(w).pk],
        POST_ONLY_RECORDERS,
        only(
            {"admin": writes(302), "zone_leader": 404, "inspector": writes(302), "other_admin": 404}
        ),
    ),
    "visits:attachment_add": (lambda w: [draft(w).pk], POST_ONLY_RECORDERS, RECORDERS_BACK),
    "visits:attachment": (attachment, SEE, AS_GET),
    "visits:attachment_preview": (attachment, SEE, AS_GET),
    "visits:attachment_delete": (attachment, POST_ONLY_RECORDERS, RECORDERS_BACK),
    # Recording the written feedback as issued needs no data: the visit's recorder or the
    # office admin (issue 11 §1).
    "visits:feedback_issue": (
        lambda w: [submitted_visit(w).pk],
        POST_ONLY_RECORDERS,
        only(
            {"admin": writes(302), "zone_leader": 404, "inspector": writes(302), "other_admin": 404}
        ),
    ),
    # Monthly focus points (月度督导要点): read by the office's people and viewers, managed by
    # the office admin.
    "visits:focus_list": (None, everyone(200) | {"school": 403}, AS_GET),
    "visits:focus_new": (None, ADMIN_ONLY, ADMIN_ONLY),
    "visits:focus_edit": (
        focus_point,
        only({"admin": 200, "other_admin": 404}),
        only({"admin": 200, "other_admin": 404}),
    ),
    "visits:focus_delete": (
        focus_point,
        POST_ONLY_ADMIN,
        only({"admin": writes(302), "other_admin": 404}),
    ),
    # Rules per school type (items, six minimums, frequency): the office admin's own page;
    # a POST with no data is refused by the form (issue 11 §3).
    "visits:school_rules": (None, ADMIN_ONLY, AS_GET),
    "visits:school_rule_edit": (lambda w: ["kindergarten"], ADMIN_ONLY, ADMIN_ONLY),
    # The written feedback (书面反馈意见书): whoever reads the submitted visit, the school too.
    "reports:visit_feedback_docx": (lambda w: [submitted_visit(w).pk], SEE, AS_GET),
    "reports:visit_feedback_pdf": (lambda w: [submitted_visit(w).pk], SEE, AS_GET),
}

OUT_OF_SCOPE = [
    # Another inspector's school: neither its visits nor recording there.
    ("visits:detail", lambda w: [submitted_visit(w, w.zone_school).pk], ["inspector", "school"]),
    ("visits:detail", lambda w: [submitted_visit(w, w.far_school).pk], ["zone_leader"]),
    ("visits:new", lambda w: [w.zone_school.pk], ["inspector", "zone_leader"]),
    ("visits:new", lambda w: [w.foreign_school.pk], ["admin", "inspector"]),
    # Drafts are private to their recorder (and the office admin).
    ("visits:detail", lambda w: [draft(w).pk], ["zone_leader", "school", "viewer", "other_admin"]),
    ("visits:attachment", attachment, ["other_admin"]),
    # The feedback letter of another inspector's visit, or of a draft, is not found.
    (
        "reports:visit_feedback_docx",
        lambda w: [submitted_visit(w, w.zone_school).pk],
        ["inspector", "school"],
    ),
    ("reports:visit_feedback_pdf", lambda w: [draft(w).pk], ["admin", "inspector", "viewer"]),
    ("visits:focus_edit", lambda w: focus_point(w, w.other_admin), ["admin"]),
]

WRITES = {
    "visits:focus_edit": focus_point,
    "visits:focus_delete": focus_point,
}
