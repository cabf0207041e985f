"""Every URL × every role → the expected status. A new URL without a row here fails
`test_every_url_is_in_the_matrix`, so the matrix cannot fall behind the code.

Roles come from the `world` personas in conftest: an office admin, a zone leader, an
inspector, a school user and a city viewer of county A, an admin of county B (whose data
county A must never see, and vice versa) and the superuser.
"""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix.common import ADMIN_ONLY, POST_ONLY_ADMIN, ROLES, everyone, only


def _matrix_modules():
    from tests import matrix

    for info in pkgutil.iter_modules(matrix.__path__):
        if info.name != "common":
            yield importlib.import_module(f"tests.matrix.{info.name}")


# name: (args built from the world, {role: expected GET status})
MATRIX = {
    "core:home": (None, everyone(200) | {"school": 302}),
    "core:healthz": (None, everyone(200) | {"anon": 200}),
    "accounts:login": (None, everyone(302) | {"anon": 200}),
    "accounts:logout": (None, everyone(405)),
    "accounts:password": (None, everyone(200)),
    "accounts:user_list": (None, ADMIN_ONLY),
    "accounts:user_create": (None, ADMIN_ONLY),
    "accounts:user_edit": (
        lambda w: [w.inspector_user.pk],
        only({"admin": 200, "other_admin": 404}),
    ),
    "accounts:user_password": (
        lambda w: [w.inspector_user.pk],
        only({"admin": 200, "other_admin": 404}),
    ),
    "schools:list": (None, everyone(200) | {"school": 403}),
    "schools:mine": (None, only({"school": 200})),
    "schools:create": (None, ADMIN_ONLY),
    "schools:detail": (lambda w: [w.school.pk], everyone(200) | {"other_admin": 404}),
    "schools:edit": (lambda w: [w.school.pk], only({"admin": 200, "other_admin": 404})),
    "schools:delete": (lambda w: [w.school.pk], only({"admin": 405, "other_admin": 405})),
    "inspectors:list": (None, everyone(200) | {"inspector": 403, "school": 403}),
    "inspectors:create": (None, ADMIN_ONLY),
    "inspectors:detail": (
        lambda w: [w.inspector.pk],
        everyone(200) | {"school": 403, "other_admin": 404},
    ),
    "inspectors:edit": (lambda w: [w.inspector.pk], only({"admin": 200, "other_admin": 404})),
    "inspectors:conflict_add": (lambda w: [w.inspector.pk], POST_ONLY_ADMIN),
    "inspectors:conflict_delete": (lambda w: [1], POST_ONLY_ADMIN),
    "inspectors:zone_list": (None, everyone(200) | {"inspector": 403, "school": 403}),
    "inspectors:zone_create": (None, ADMIN_ONLY),
    "inspectors:zone_detail": (
        lambda w: [w.zone.pk],
        everyone(200) | {"inspector": 403, "school": 403, "other_admin": 404},
    ),
    "inspectors:zone_edit": (lambda w: [w.zone.pk], only({"admin": 200, "other_admin": 404})),
    "inspectors:assignment_list": (None, everyone(200) | {"school": 403}),
    "inspectors:assign": (lambda w: [w.school.pk], POST_ONLY_ADMIN),
    "inspectors:assignment_end": (lambda w: [w.assignment.pk], POST_ONLY_ADMIN),
    "audit:list": (None, ADMIN_ONLY),
    "notifications:list": (None, everyone(200)),
    "imports:list": (None, ADMIN_ONLY),
    "imports:template": (lambda w: ["schools"], ADMIN_ONLY),
    "imports:export": (lambda w: ["schools"], ADMIN_ONLY),
    "imports:upload": (lambda w: ["schools"], POST_ONLY_ADMIN),
    "imports:job": (lambda w: [w.import_job().pk], only({"admin": 200, "other_admin": 404})),
    "imports:job_progress": (
        lambda w: [w.import_job().pk],
        only({"admin": 200, "other_admin": 404}),
    ),
    "imports:confirm": (lambda w: [w.import_job().pk], POST_ONLY_ADMIN),
    "signboards:school": (
        lambda w: [w.school.pk],
        everyone(200) | {"other_admin": 404, "superuser": 404},
    ),
    "signboards:zone": (
        lambda w: [w.zone.pk],
        only({"admin": 200, "zone_leader": 200, "other_admin": 404, "superuser": 404}),
    ),
    "signboards:county": (None, ADMIN_ONLY),
    "signboards:public_school": (lambda w: [w.school.code], everyone(200) | {"anon": 200}),
    "notifications:bell": (None, everyone(200)),
    "notifications:open": (lambda w: [1], everyone(405)),
    "notifications:read_all": (None, everyone(405)),
}

# Objects outside a role's scope answer 404 (not yours looks like not found).
OUT_OF_SCOPE = [
    ("schools:detail", lambda w: [w.far_school.pk], ["zone_leader", "inspector", "school"]),
    ("schools:detail", lambda w: [w.zone_school.pk], ["inspector", "school"]),
    ("schools:detail", lambda w: [w.foreign_school.pk], ["admin", "viewer", "zone_leader"]),
    ("inspectors:detail", lambda w: [w.other_inspector.pk], ["inspector"]),
    ("inspectors:detail", lambda w: [w.foreign_inspector.pk], ["admin", "viewer", "zone_leader"]),
    ("schools:edit", lambda w: [w.foreign_school.pk], ["admin"]),
    ("inspectors:zone_detail", lambda w: [w.zone.pk], ["other_admin"]),
    ("signboards:school", lambda w: [w.far_school.pk], ["zone_leader", "inspector", "school"]),
    ("signboards:school", lambda w: [w.foreign_school.pk], ["admin", "viewer", "zone_leader"]),
]

# Writes refused for everyone but the office admin: status and nothing changed.
WRITES = {
    "schools:delete": lambda w: [w.far_school.pk],
    "schools:edit": lambda w: [w.far_school.pk],
    "inspectors:assign": lambda w: [w.far_school.pk],
    "inspectors:assignment_end": lambda w: [w.assignment.pk],
    "inspectors:edit": lambda w: [w.inspector.pk],
    "inspectors:conflict_add": lambda w: [w.inspector.pk],
}

# Each domain keeps its rows in tests/matrix/<app>.py (MATRIX, OUT_OF_SCOPE, WRITES), so
# parallel work on different apps never edits the same lines.
for _module in _matrix_modules():
    MATRIX.update(getattr(_module, "MATRIX", {}))
    OUT_OF_SCOPE.extend(getattr(_module, "OUT_OF_SCOPE", []))
    WRITES.update(getattr(_module, "WRITES", {}))

IGNORED_NAMESPACES = {"admin"}
IGNORED_NAMES = {"set_language"}


def all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns in IGNORED_NAMESPACES:
                continue
            inner = f"{namespace}{ns}:" if ns else namespace
            names |= all_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return {n for n in names if n not in IGNORED_NAMES}


def test_every_url_is_in_the_matrix():
    missing = all_url_names() - set(MATRIX)
    assert not missing, f"add these URLs to the authorisation matrix: {sorted(missing)}"


def client_for(client, world, role):
    if role != "anon":
        client.force_login(world.personas()[role])
    return client


@pytest.mark.parametrize("name", sorted(MATRIX))
@pytest.mark.parametrize("role", ROLES)
def test_matrix(world, client, name, role):
    args_for, expected = MATRIX[name]
    url = reverse(name, args=args_for(world) if args_for else None)
    response = client_for(client, world, role).get(url)
    assert response.status_code == expected[role], f"{role} GET {url}"


@pytest.mark.parametrize(("name", "args_for", "roles"), OUT_OF_SCOPE)
def test_out_of_scope_objects_are_not_found(world, client, name, args_for, roles):
    for role in roles:
        client.logout()
        response = client_for(client, world, role).get(reverse(name, args=args_for(world)))
        assert response.status_code == 404, f"{role} {name}"


@pytest.mark.parametrize("name", sorted(WRITES))
@pytest.mark.parametrize("role", ["zone_leader", "inspector", "school", "viewer", "other_admin"])
def test_writes_refused(world, client, name, role):
    from dudao.audit.models import AuditEntry

    before = AuditEntry.objects.exclude(action__in=["login", "login_failed"]).count()
    url = reverse(name, args=WRITES[name](world))
    response = client_for(client, world, role).post(
        url, {"name": "x", "inspector": 1, "start_date": "2026-10-01", "end_date": "2026-10-01"}
    )
    assert response.status_code in (403, 404)
    assert AuditEntry.objects.exclude(action__in=["login", "login_failed"]).count() == before


def test_viewer_sees_its_city_but_not_other_provinces(world, client):
    client_for(client, world, "viewer")
    body = client.get(reverse("schools:list")).content.decode()
    assert "湖滨小学" in body and "城东中学" in body
    assert "玄武小学" not in body


def test_inspector_list_shows_only_own_schools(world, client):
    client_for(client, world, "inspector")
    body = client.get(reverse("schools:list")).content.decode()
    assert "湖滨小学" in body
    assert "西湖小学" not in body and "城东中学" not in body


def test_zone_leader_sees_zone_schools(world, client):
    client_for(client, world, "zone_leader")
    body = client.get(reverse("schools:list")).content.decode()
    assert "湖滨小学" in body and "西湖小学" in body
    assert "城东中学" not in body
