"""Bulletins, notices and briefings (通报、通知、简报) and the county's public page: the office
admin writes and publishes its county's documents; a viewer (and the superuser) reads the
issued ones with their receipts; a school reads the documents sent to it, an inspector those
sent to the inspectors (the fixture's goes to every school: inspectors do not find it); the
other county finds nothing. The public pages answer everyone, anonymous visitors included."""

from .common import ADMIN_A_ACTION, ADMIN_ONLY, AS_GET, POST_ONLY_ADMIN, everyone, only

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _cache(w):
    return w.__dict__.setdefault("_bulletins", {})


def _write(w, key, *, office=None, admin=None, **fields):
    from dudao.bulletins import services
    from dudao.bulletins.models import Kind

    cache = _cache(w)
    if key not in cache:
        cache[key] = services.create_bulletin(
            admin or w.admin,
            office or w.office,
            kind=Kind.BULLETIN,
            title=f"关于{key}的通报",
            body="一、总体情况\n各学校工作有序推进。",
            **fields,
        )
    return cache[key]


def _attachment(w, bulletin, name):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dudao.bulletins import services

    return services.add_attachment(
        w.admin, bulletin, SimpleUploadedFile(name, PDF + name.encode(), "application/pdf")
    )


def _published(w):
    """A 通报 to every school of county A, shown on the public page, with an attachment."""
    from dudao.bulletins import services

    cache = _cache(w)
    if "published" not in cache:
        draft = _write(w, "开学工作", publish_on_public_page=True)
        cache["published_attachment"] = _attachment(w, draft, "名单.pdf")
        cache["published"] = services.publish_bulletin(w.admin, draft)
    return cache["published"]


def _foreign(w):
    from dudao.bulletins import services

    cache = _cache(w)
    if "foreign" not in cache:
        draft = _write(
            w, "玄武", office=w.other_office, admin=w.other_admin, publish_on_public_page=True
        )
        cache["foreign"] = services.publish_bulletin(w.other_admin, draft)
    return cache["foreign"]


def _far_only(w):
    from dudao.bulletins import services
    from dudao.bulletins.models import Audience

    cache = _cache(w)
    if "far" not in cache:
        draft = _write(w, "城东中学", audience=Audience.SCHOOLS, schools=[w.far_school])
        cache["far"] = services.publish_bulletin(w.admin, draft)
    return cache["far"]


def _round(w):
    from dudao.evaluations.models import Round, RoundTarget
    from tests.evaluations.round_fixtures import build_framework

    cache = _cache(w)
    if "round" not in cache:
        evaluation = Round.objects.unscoped().create(
            office=w.office,
            framework=build_framework(),
            title="2026年学校督导评估",
            year=2026,
            stage=Round.Stage.PUBLISHED,
        )
        RoundTarget.objects.unscoped().create(
            round=evaluation, office=w.office, school=w.school, total=90, max_total=100
        )
        cache["round"] = evaluation
    return cache["round"]


def published(w):
    return [_published(w).pk]


def published_docx(w):
    return [_published(w).pk, "docx"]


def published_attachment(w):
    _published(w)
    return [_cache(w)["published_attachment"].pk]


def draft(w):
    return [_write(w, "草稿").pk]


def draft_attachment(w):
    bulletin = _write(w, "草稿")
    cache = _cache(w)
    if "draft_attachment" not in cache:
        cache["draft_attachment"] = _attachment(w, bulletin, "附件.pdf")
    return [cache["draft_attachment"].pk]


def county(w):
    return [w.office.region.code]


def public_bulletin(w):
    return [w.office.region.code, _published(w).pk]


def public_attachment(w):
    bulletin = _published(w)
    return [w.office.region.code, bulletin.pk, _cache(w)["published_attachment"].pk]


def public_round(w):
    return [w.office.region.code, _round(w).pk]


# Read by the office, the viewers above it, the superuser and the schools it was sent to;
# not by the inspectors (not recipients) nor the other county.
READ = everyone(200) | {"inspector": 404, "zone_leader": 404, "other_admin": 404}
GET_ONLY = READ | {role: 405 for role, status in READ.items() if status == 200 and role != "anon"}
ADMIN_A = only({"admin": 200, "other_admin": 404})
PUBLIC = everyone(200) | {"anon": 200}

MATRIX = {
    "bulletins:list": (
        None,
        only({"admin": 200, "viewer": 200, "other_admin": 200, "superuser": 200}),
        AS_GET,
    ),
    # an empty form is re-rendered with its errors
    "bulletins:create": (None, ADMIN_ONLY, ADMIN_ONLY),
    "bulletins:mine": (
        None,
        only({"school": 200, "inspector": 200, "zone_leader": 200, "superuser": 200}),
        AS_GET,
    ),
    # opening it records a recipient's receipt (a GET); a POST is refused
    "bulletins:detail": (published, READ, GET_ONLY),
    "bulletins:document": (published_docx, READ, GET_ONLY),
    "bulletins:attachment": (published_attachment, READ, GET_ONLY),
    # a draft's form; an empty POST is re-rendered with its errors
    "bulletins:edit": (draft, ADMIN_A, ADMIN_A),
    # POSTed actions need the version the admin saw (or a file, a reason): an empty POST is
    # sent back with a message and writes nothing
    "bulletins:publish": (draft, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "bulletins:withdraw": (published, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "bulletins:public": (published, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "bulletins:remind": (published, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "bulletins:attachment_add": (draft, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "bulletins:attachment_delete": (draft_attachment, POST_ONLY_ADMIN, ADMIN_A_ACTION),
    # the county's public page and its documents and results: no login
    "bulletins_public:county": (county, PUBLIC, AS_GET),
    "bulletins_public:bulletins": (county, PUBLIC, AS_GET),
    "bulletins_public:bulletin": (public_bulletin, PUBLIC, AS_GET),
    "bulletins_public:attachment": (public_attachment, PUBLIC, AS_GET),
    "bulletins_public:evaluation": (public_round, PUBLIC, AS_GET),
}

OUT_OF_SCOPE = [
    # sent to 城东中学 only: the world's school and its inspector do not find it
    ("bulletins:detail", lambda w: [_far_only(w).pk], ["school", "inspector", "zone_leader"]),
    ("bulletins:document", lambda w: [_far_only(w).pk, "pdf"], ["school"]),
    # a draft is the office's alone
    ("bulletins:detail", draft, ["viewer", "school", "other_admin"]),
    ("bulletins:edit", draft, ["other_admin"]),
    # the other county's document
    ("bulletins:detail", lambda w: [_foreign(w).pk], ["admin", "viewer", "school"]),
    ("bulletins:document", lambda w: [_foreign(w).pk, "docx"], ["admin", "viewer"]),
    # the other county's document through county A's public page
    (
        "bulletins_public:bulletin",
        lambda w: [w.office.region.code, _foreign(w).pk],
        ["anon", "admin", "other_admin"],
    ),
    # a draft's attachment through the public page
    (
        "bulletins_public:attachment",
        lambda w: [w.office.region.code, draft(w)[0], draft_attachment(w)[0]],
        ["anon", "admin"],
    ),
    # not shown publicly
    ("bulletins_public:bulletin", lambda w: [w.office.region.code, _far_only(w).pk], ["anon"]),
]

# Office-admin-only writes on county A's objects: every other role's POST is refused.
WRITES = {
    "bulletins:edit": draft,
    "bulletins:publish": draft,
    "bulletins:withdraw": published,
    "bulletins:public": published,
    "bulletins:remind": published,
    "bulletins:attachment_add": draft,
    "bulletins:attachment_delete": draft_attachment,
}

__all__ = ["MATRIX", "OUT_OF_SCOPE", "WRITES"]
