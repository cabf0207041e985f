"""The REST API (/api/v1/, docs/api.md) and the API token pages. API rows answer 401 to an
anonymous caller (no login page), 405 to a method the endpoint lacks, 400 to a create with no
data and 428 to an update without If-Match; an object out of the caller's scope is 404."""

from tests.matrix.common import ADMIN_ONLY, AS_GET, LOGIN, ROLES, everyone, only, writes


def api_row(default=200, **statuses):
    """{role: status} for the API: anon 401, the others `default` unless named."""
    row = {role: default for role in ROLES if role != "anon"} | {"anon": 401}
    row.update(statuses)
    return row


def visit(w):
    from tests.factories_supervision import VisitFactory

    return [VisitFactory(school=w.school, created_by=w.inspector_user, inspector=w.inspector).pk]


def finding(w):
    from tests.factories_supervision import FindingFactory

    return [FindingFactory(school=w.school, created_by=w.admin).pk]


def token(w):
    from dudao.api import services

    return [services.create_token(w.inspector_user, name="phone")[0].pk]


LIST = api_row()
NO_POST = api_row(405)
IN_COUNTY_A = api_row(other_admin=404)

MATRIX = {
    "api:schools": (None, LIST, NO_POST),
    "api:inspectors": (None, LIST, NO_POST),
    "api:zones": (None, LIST, NO_POST),
    "api:assignments": (None, LIST, NO_POST),
    "api:findings": (None, LIST, NO_POST),
    # a create with no data: 400 (the school is required), before any service
    "api:visits": (None, LIST, api_row(400)),
    "api:school": (lambda w: [w.school.pk], IN_COUNTY_A, api_row(405)),
    "api:inspector": (
        lambda w: [w.inspector.pk],
        api_row(school=404, other_admin=404),
        api_row(405),
    ),
    "api:zone": (
        lambda w: [w.zone.pk],
        api_row(inspector=404, school=404, other_admin=404),
        api_row(405),
    ),
    "api:assignment": (lambda w: [w.assignment.pk], IN_COUNTY_A, api_row(405)),
    "api:visit": (visit, IN_COUNTY_A, api_row(405)),
    # POST only; without If-Match: 428 once the visit is found in scope
    "api:visit_submit": (visit, api_row(405), api_row(428, other_admin=404)),
    "api:finding": (finding, IN_COUNTY_A, api_row(405)),
    # GET: the caller's actions now; POST without If-Match: 428
    "api:finding_transitions": (finding, IN_COUNTY_A, api_row(428, other_admin=404)),
    "api:schema": (None, LIST, NO_POST),
    "api:docs": (None, everyone(200), AS_GET),
    # a token form with no name: shown again with its error, nothing written
    "api_tokens:list": (None, everyone(200), everyone(200)),
    "api_tokens:revoke": (
        token,
        everyone(405),
        only(
            {"inspector": writes(302), "admin": writes(302), "superuser": 403},
            default=404,
        )
        | {"anon": LOGIN},
    ),
    "api_tokens:office": (None, ADMIN_ONLY, AS_GET),
}

OUT_OF_SCOPE = [
    ("api:finding_transitions", lambda w: finding_at(w, "far_school"), ["inspector", "school"]),
    ("api:finding_transitions", lambda w: finding_at(w, "school"), ["other_admin"]),
]


def finding_at(w, school):
    from tests.factories_supervision import FindingFactory

    return [FindingFactory(school=getattr(w, school), created_by=w.admin).pk]
