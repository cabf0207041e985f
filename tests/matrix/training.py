"""Training (/training/, docs/rules.md §29): the office's people and the viewers above it read
the sessions and the hours (school users get 403); only county A's office admin records
sessions, materials and attendance; another county's session is not found."""

import datetime
import decimal

from .common import ADMIN_A_ACTION, ADMIN_ONLY, AS_GET, POST_ONLY_ADMIN, everyone, only, writes

READ = everyone(200) | {"school": 403}
READ_A = everyone(200) | {"school": 403, "other_admin": 404}
ADMIN_A = only({"admin": 200, "other_admin": 404})
WRITE_A = only({"admin": writes(302), "other_admin": 404})


def session(w, office=None, topic="矩阵培训"):
    from dudao.training.models import Session

    return Session.all_objects.create(
        office=office or w.office,
        topic=topic,
        date=datetime.date(2026, 11, 2),
        hours=decimal.Decimal("4"),
    )


def session_a(w):
    return [session(w).pk]


def foreign_session(w):
    return [session(w, office=w.other_office, topic="玄武培训").pk]


def material(w):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dudao.training import services

    upload = SimpleUploadedFile("讲义.pdf", b"%PDF-1.4\n" + b"x" * 100)
    return [services.add_material(w.admin, session(w), upload).pk]


def attendance_target(w):
    return [session(w).pk, w.inspector.pk]


MATRIX = {
    "training:list": (None, READ, AS_GET),
    "training:create": (None, ADMIN_ONLY, ADMIN_ONLY),  # an empty form is shown again
    "training:hours": (None, READ, AS_GET),
    "training:hours_export": (None, READ, AS_GET),
    "training:requirement": (None, ADMIN_ONLY, ADMIN_ONLY),
    "training:detail": (session_a, READ_A, AS_GET),
    "training:edit": (session_a, ADMIN_A, ADMIN_A),
    "training:delete": (session_a, POST_ONLY_ADMIN, WRITE_A),
    # no file: back to the session with a message
    "training:material_add": (session_a, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "training:material_file": (material, READ_A, AS_GET),
    "training:material_delete": (material, POST_ONLY_ADMIN, WRITE_A),
    # no attendance chosen: back to the session with a message, nothing written
    "training:attendance_save": (attendance_target, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "training:attendance_import": (session_a, ADMIN_A, ADMIN_A),
    "training:attendance_template": (session_a, ADMIN_A, AS_GET),
    "training:attendance_export": (session_a, ADMIN_A, AS_GET),
}

OUT_OF_SCOPE = [
    ("training:detail", foreign_session, ["admin", "viewer", "zone_leader", "inspector"]),
    ("training:edit", foreign_session, ["admin"]),
    ("training:attendance_export", foreign_session, ["admin"]),
]

WRITES = {
    "training:edit": session_a,
    "training:delete": session_a,
    "training:attendance_save": attendance_target,
}
# (The yearly requirement is each office's own: county B's admin saves county B's.)
