"""Complaints (issue 14): the office's list, the inspector's list, a complaint's page, its
actions, raising a finding, its photos, the figures and the office's rules; and the public
form and tracking page under /p/ (no login: everyone, anonymous included, gets them; a POST
with no data shows the form again and writes nothing).

The world's complaint is about `school`, from the public, assigned to `inspector` (the
school's responsible inspector). The school and the viewer never open a complaint (the
viewer reads the figures only); another county's admin and other inspectors find nothing."""

from .common import AS_GET, LOGIN, everyone, only

PUBLIC = everyone(200) | {"anon": 200}


def _complaint(w, **kwargs):
    from tests.complaints.helpers import assigned

    return assigned(w, **kwargs)


def complaint(w):
    return [_complaint(w).pk]


def action(w):
    return [_complaint(w).pk, "close"]


def photo(w):
    from tests.complaints.helpers import png_upload

    return [_complaint(w, photos=[png_upload()]).photos.get().pk]


def foreign(w):
    from tests.complaints.helpers import receive

    return [receive(w, school="foreign_school").pk]


def foreign_photo(w):
    from tests.complaints.helpers import png_upload, receive

    return [receive(w, school="foreign_school", photos=[png_upload()]).photos.get().pk]


def others(w):
    """A complaint about `zone_school`, assigned to `other_inspector`."""
    from dudao.complaints import services
    from tests.complaints.helpers import receive

    c = receive(w, school="zone_school")
    return [services.assign(w.admin, c, expected_version=c.version, inspector=w.other_inspector).pk]


READ = only(
    {"admin": 200, "inspector": 200, "superuser": 200, "zone_leader": 404, "other_admin": 404}
)
FIGURES = only({"admin": 200, "other_admin": 200, "viewer": 200, "superuser": 200})

MATRIX = {
    "complaints:list": (None, only({"admin": 200, "other_admin": 200, "superuser": 200}), AS_GET),
    "complaints:mine": (
        None,
        only({"inspector": 200, "zone_leader": 200, "superuser": 200}),
        AS_GET,
    ),
    "complaints:detail": (complaint, READ, AS_GET),
    # POST only; with no data: back to the page with "reload" (nothing written).
    "complaints:action": (
        action,
        everyone(405),
        only(
            {
                "admin": 302,
                "inspector": 302,
                "superuser": 302,
                "zone_leader": 404,
                "other_admin": 404,
            }
        ),
    ),
    # The superuser reads the complaint but records no finding (it acts for no office).
    "complaints:raise_finding": (
        complaint,
        only({"admin": 200, "inspector": 200, "zone_leader": 404, "other_admin": 404}),
        only({"admin": 200, "inspector": 200, "zone_leader": 404, "other_admin": 404}),
    ),
    "complaints:photo": (photo, READ, AS_GET),
    "complaints:figures": (None, FIGURES, AS_GET),
    "complaints:figures_xlsx": (None, FIGURES, AS_GET),
    "complaints:rules": (
        None,
        only({"admin": 200, "other_admin": 200}),
        only({"admin": 200, "other_admin": 200}),
    ),
    "complaints_public:new": (None, PUBLIC, PUBLIC),
    "complaints_public:track": (None, PUBLIC, PUBLIC),
}

OUT_OF_SCOPE = [
    ("complaints:detail", foreign, ["admin"]),
    ("complaints:detail", complaint, ["other_admin", "zone_leader"]),
    ("complaints:detail", others, ["inspector"]),
    ("complaints:raise_finding", foreign, ["admin"]),
    ("complaints:raise_finding", others, ["inspector"]),
    ("complaints:photo", foreign_photo, ["admin"]),
]

# No WRITES rows: every complaint write is refused per role in tests/complaints (the
# inspector legitimately posts actions, so "refused for all but the admin" does not hold).
WRITES = {}

__all__ = ["LOGIN", "MATRIX", "OUT_OF_SCOPE", "WRITES"]
