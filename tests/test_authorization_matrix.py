"""Every URL × every role → the expected status of a GET and of a POST. A new URL without a
row fails `test_every_url_is_in_the_matrix`, a row without its POST side
`test_every_url_says_what_a_post_does`, so the matrix cannot fall behind the code.

A POST answers the status its row names, and the database is exactly as it was before (a
fingerprint of every row of every table, taken before and after), unless the row marks that
role's POST `writes(...)`; a refusal (403, 404, 405, anon sent to the login page) never writes.
Out-of-scope objects answer 404 to GET and POST, and WRITES posts plausible data to the office
admin's writes as every other role: refused, nothing written.

Roles come from the `world` personas in conftest: an office admin, a zone leader, an
inspector, a school user and a city viewer of county A, an admin of county B (whose data
county A must never see, and vice versa) and the superuser.
"""

import functools
import importlib
import pkgutil

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.matrix.common import (
    ADMIN_A_ACTION,
    ADMIN_ONLY,
    AS_GET,
    LOGIN,
    POST_ONLY_ADMIN,
    POST_STATUSES,
    REFUSED,
    ROLES,
    Writes,
    everyone,
    only,
    writes,
)


def _matrix_modules():
    from tests import matrix

    for info in pkgutil.iter_modules(matrix.__path__):
        if info.name != "common":
            yield importlib.import_module(f"tests.matrix.{info.name}")


def conflict(w):
    """A conflict of interest of county A's inspector (for the delete row)."""
    from dudao.inspectors.models import Conflict, RecusalGround

    ground, _created = RecusalGround._default_manager.get_or_create(office=w.office, name="亲属")
    return Conflict.all_objects.create(inspector=w.inspector, school=w.far_school, ground=ground).pk


def notification(w):
    """An unread notification of the school user (for the open row)."""
    from dudao.notifications.models import Notification

    return Notification.all_objects.create(
        recipient=w.school_user, kind="finding.created", url=reverse("schools:mine")
    ).pk


# name: (args built from the world, {role: GET status}, {role: POST status}); see
# tests/matrix/common.py for the shorthands and what a POST row promises.
LOGIN_PAGE = everyone(302) | {"anon": 200}
ADMIN_A = only({"admin": 200, "other_admin": 404})

MATRIX = {
    "core:home": (None, everyone(200) | {"school": 302}, AS_GET),
    "core:healthz": (None, everyone(200) | {"anon": 200}, AS_GET),
    # an empty login form is re-rendered for anon; the logged-in are sent home
    "accounts:login": (None, LOGIN_PAGE, LOGIN_PAGE),
    "accounts:logout": (None, everyone(405), everyone(writes(302))),
    "accounts:password": (None, everyone(200), everyone(200)),
    "accounts:user_list": (None, ADMIN_ONLY, AS_GET),
    "accounts:user_create": (None, ADMIN_ONLY, ADMIN_ONLY),
    "accounts:user_edit": (lambda w: [w.inspector_user.pk], ADMIN_A, ADMIN_A),
    "accounts:user_password": (lambda w: [w.inspector_user.pk], ADMIN_A, ADMIN_A),
    "schools:list": (None, everyone(200) | {"school": 403}, AS_GET),
    "schools:mine": (None, only({"school": 200}), AS_GET),
    "schools:create": (None, ADMIN_ONLY, ADMIN_ONLY),
    "schools:detail": (lambda w: [w.school.pk], everyone(200) | {"other_admin": 404}, AS_GET),
    "schools:edit": (lambda w: [w.school.pk], ADMIN_A, ADMIN_A),
    "schools:delete": (lambda w: [w.school.pk], POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "inspectors:list": (None, everyone(200) | {"inspector": 403, "school": 403}, AS_GET),
    "inspectors:create": (None, ADMIN_ONLY, ADMIN_ONLY),
    "inspectors:detail": (
        lambda w: [w.inspector.pk],
        everyone(200) | {"school": 403, "other_admin": 404},
        AS_GET,
    ),
    "inspectors:edit": (lambda w: [w.inspector.pk], ADMIN_A, ADMIN_A),
    "inspectors:conflict_add": (lambda w: [w.inspector.pk], POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "inspectors:conflict_delete": (
        lambda w: [conflict(w)],
        POST_ONLY_ADMIN,
        only({"admin": writes(302), "other_admin": 404}),
    ),
    "inspectors:zone_list": (None, everyone(200) | {"inspector": 403, "school": 403}, AS_GET),
    "inspectors:zone_create": (None, ADMIN_ONLY, ADMIN_ONLY),
    "inspectors:zone_detail": (
        lambda w: [w.zone.pk],
        everyone(200) | {"inspector": 403, "school": 403, "other_admin": 404},
        AS_GET,
    ),
    "inspectors:zone_edit": (lambda w: [w.zone.pk], ADMIN_A, ADMIN_A),
    "inspectors:assignment_list": (None, everyone(200) | {"school": 403}, AS_GET),
    "inspectors:assign": (lambda w: [w.school.pk], POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "inspectors:assignment_end": (lambda w: [w.assignment.pk], POST_ONLY_ADMIN, ADMIN_A_ACTION),
    "audit:list": (None, ADMIN_ONLY, AS_GET),
    "notifications:list": (None, everyone(200), AS_GET),
    "imports:list": (None, ADMIN_ONLY, AS_GET),
    "imports:template": (lambda w: ["schools"], ADMIN_ONLY, AS_GET),
    "imports:export": (lambda w: ["schools"], ADMIN_ONLY, AS_GET),
    # an upload without a file: back to the imports page with a message (own office)
    "imports:upload": (
        lambda w: ["schools"],
        POST_ONLY_ADMIN,
        only({"admin": 302, "other_admin": 302}),
    ),
    "imports:job": (lambda w: [w.import_job().pk], ADMIN_A, AS_GET),
    "imports:job_progress": (lambda w: [w.import_job().pk], ADMIN_A, AS_GET),
    "imports:confirm": (
        lambda w: [w.import_job().pk],
        POST_ONLY_ADMIN,
        only({"admin": writes(302), "other_admin": 404}),
    ),
    "signboards:school": (
        lambda w: [w.school.pk],
        everyone(200) | {"other_admin": 404, "superuser": 404},
        AS_GET,
    ),
    "signboards:zone": (
        lambda w: [w.zone.pk],
        only({"admin": 200, "zone_leader": 200, "other_admin": 404, "superuser": 404}),
        AS_GET,
    ),
    "signboards:county": (None, ADMIN_ONLY, AS_GET),
    "signboards:public_school": (lambda w: [w.school.code], everyone(200) | {"anon": 200}, AS_GET),
    "notifications:bell": (None, everyone(200), AS_GET),
    # the school's own notification: only its recipient opens it (and marks it read)
    "notifications:open": (
        lambda w: [notification(w)],
        everyone(405),
        everyone(404) | {"school": writes(302)},
    ),
    "notifications:read_all": (None, everyone(405), everyone(writes(302))),
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

# Writes refused for everyone but the office admin (test_writes_refused).
WRITES = {
    "schools:delete": lambda w: [w.far_school.pk],
    "schools:edit": lambda w: [w.far_school.pk],
    "inspectors:assign": lambda w: [w.far_school.pk],
    "inspectors:assignment_end": lambda w: [w.assignment.pk],
    "inspectors:edit": lambda w: [w.inspector.pk],
    "inspectors:conflict_add": lambda w: [w.inspector.pk],
    "inspectors:conflict_delete": lambda w: [conflict(w)],
    "inspectors:zone_edit": lambda w: [w.zone.pk],
    "accounts:user_edit": lambda w: [w.inspector_user.pk],
    "accounts:user_password": lambda w: [w.inspector_user.pk],
    "imports:confirm": lambda w: [w.import_job().pk],
}

# Each domain keeps its rows in tests/matrix/<app>.py (MATRIX, OUT_OF_SCOPE, WRITES), so
# parallel work on different apps never edits the same lines.
for _module in _matrix_modules():
    MATRIX.update(getattr(_module, "MATRIX", {}))
    OUT_OF_SCOPE.extend(getattr(_module, "OUT_OF_SCOPE", []))
    WRITES.update(getattr(_module, "WRITES", {}))

# Every row, with its POST side; MATRIX keeps the GET side ({name: (args_for, GET row)}) for
# the tests that only read pages (tests/test_bad_query_parameters.py).
ROWS = MATRIX
MATRIX = {name: tuple(row[:2]) for name, row in ROWS.items()}

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


def post_row(name):
    """The {role: status} a POST with no data answers (AS_GET: the GET row)."""
    row = ROWS[name]
    if len(row) < 3:
        return None
    return row[1] if row[2] is AS_GET else row[2]


def test_every_url_is_in_the_matrix():
    missing = all_url_names() - set(ROWS)
    assert not missing, f"add these URLs to the authorisation matrix: {sorted(missing)}"


def test_every_url_says_what_a_post_does():
    """A URL without a POST row fails like a URL without a row: every view takes a POST (even
    a page that answers it like a GET), so the matrix must say what each role's POST does."""
    missing = sorted(name for name in ROWS if post_row(name) is None)
    assert not missing, f"add a POST row (or AS_GET) to these matrix rows: {missing}"


def test_rows_name_every_role_with_a_possible_status():
    for name in ROWS:
        get, post = ROWS[name][1], post_row(name)
        assert set(get) == set(ROLES), f"{name}: GET row names {sorted(get)}"
        if post is None:
            continue  # test_every_url_says_what_a_post_does
        assert set(post) == set(ROLES), f"{name}: POST row names {sorted(post)}"
        for role, status in post.items():
            assert status in POST_STATUSES, f"{name}: {role} POST {status}"
            refused = status in REFUSED or (role == "anon" and status == LOGIN)
            assert not (refused and isinstance(status, Writes)), f"{name}: a refusal never writes"


def client_for(client, world, role):
    if role != "anon":
        client.force_login(world.personas()[role])
    return client


def get_as(world, role, url, data=None, client=None):
    """GET `url` as `role` in a savepoint rolled back afterwards, so that what one role's
    request writes (a session, a lazily made row) is gone before the next role's."""
    client = client or Client()
    with transaction.atomic():
        response = client_for(client, world, role).get(url, data or {})
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(world, name):
    """Every role GETs the URL and gets the status its row names. One world per URL (building
    it is most of a test's cost); each role reads in its own rolled-back savepoint."""
    args_for, expected = MATRIX[name]
    url = reverse(name, args=args_for(world) if args_for else None)
    problems = []
    for role in ROLES:
        status = get_as(world, role, url).status_code
        if status != expected[role]:
            problems.append(f"{role} GET {url}: {status}, expected {expected[role]}")
    assert not problems, "\n".join(problems)


# --- writes ---------------------------------------------------------------------------------

IGNORED_TABLES = {"django_session"}  # logging a persona in writes a session, not data


@functools.cache
def _tables():
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        opts = model._meta
        if opts.managed and not opts.proxy and opts.db_table not in IGNORED_TABLES:
            tables.add((opts.db_table, opts.pk.column))
    return sorted(tables)


def fingerprint():
    """Every row of every table (but sessions), in primary-key order: two fingerprints are
    equal only if nothing was inserted, updated or deleted in between. Plain SQL, so no
    scoped manager is involved and it costs a few milliseconds for the world's few hundred
    rows."""
    quote = connection.ops.quote_name
    dump = {}
    with connection.cursor() as cursor:
        for table, pk in _tables():
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")  # noqa: S608
            dump[table] = cursor.fetchall()
    return dump


def changes(before, after):
    """What differs between two fingerprints, table by table (for the failure message)."""
    lines = []
    for table in before:
        if before[table] != after[table]:
            old = set(map(repr, before[table]))
            new = set(map(repr, after[table]))
            gone, came = sorted(old - new), sorted(new - old)
            lines.append(f"{table}: -{len(gone)} +{len(came)} {(gone + came)[:2]}")
    return lines


def post_as(world, role, url, expected, data=None):
    """POST `data` to `url` as `role` in a savepoint rolled back afterwards (so the roles of a
    row do not see each other's writes); what went wrong, as lines (none if all is well).
    `expected` is a status or a tuple of acceptable ones."""
    client = Client()
    with transaction.atomic():
        client_for(client, world, role)
        before = fingerprint()
        try:
            response = client.post(url, data or {})
        except Exception as error:  # a server error: the request raised
            transaction.set_rollback(True)
            return [f"{role} POST {url}: raised {type(error).__name__}: {error}"]
        after = fingerprint()
        transaction.set_rollback(True)
    problems = []
    status = response.status_code
    if status not in (expected if isinstance(expected, tuple) else (expected,)):
        problems.append(f"{role} POST {url}: {status}, expected {expected!r}")
    elif role == "anon" and status == LOGIN and not response.url.startswith(_login_url()):
        problems.append(f"{role} POST {url}: sent to {response.url}, not to the login page")
    if before != after and not isinstance(expected, Writes):
        problems.append(f"{role} POST {url} ({status}) changed the database:")
        problems.extend(f"    {line}" for line in changes(before, after))
    return problems


def _login_url():
    return resolve_url(settings.LOGIN_URL)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_post_matrix(world, name):
    """Every URL × every role, POSTed with no data: the status the row names, and the database
    unchanged unless the row says `writes(...)` (a refusal never writes). One world per URL;
    each role posts in its own rolled-back savepoint."""
    args_for = ROWS[name][0]
    url = reverse(name, args=args_for(world) if args_for else None)
    expected = post_row(name)
    assert expected is not None, f"{name}: the row says nothing about POST"
    problems = []
    for role in ROLES:
        problems += post_as(world, role, url, expected[role])
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(("name", "args_for", "roles"), OUT_OF_SCOPE)
def test_out_of_scope_objects_are_not_found(world, name, args_for, roles):
    """GET and POST both answer 404, and the POST writes nothing."""
    url = reverse(name, args=args_for(world))
    problems = []
    for role in roles:
        response = client_for(Client(), world, role).get(url)
        if response.status_code != 404:
            problems.append(f"{role} GET {url}: {response.status_code}")
        problems += post_as(world, role, url, 404)
    assert not problems, "\n".join(problems)


def write_data(w):
    """Plausible data for the WRITES rows (not only an empty form)."""
    today = timezone.localdate().isoformat()
    return {
        "name": "x",
        "username": "x",
        "role": "inspector",
        "password": "Matrix-write-2026",
        "inspector": w.inspector.pk,
        "leader": w.leader.pk,
        "school": w.far_school.pk,
        "start_date": today,
        "end_date": today,
    }


@pytest.mark.parametrize("name", sorted(WRITES))
def test_writes_refused(world, name):
    """Writes only the office admin may make, on the rows' objects, with plausible data: every
    other role is refused (403/404, anon the login page) and nothing is written."""
    url = reverse(name, args=WRITES[name](world))
    problems = []
    for role in ROLES:
        if role != "admin":
            expected = LOGIN if role == "anon" else (403, 404)
            problems += post_as(world, role, url, expected, write_data(world))
    assert not problems, "\n".join(problems)


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
