"""Who may download which boards, what the download looks like, and the missing-font path."""

from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from dudao.core import system
from dudao.signboards import boards
from tests.factories import AssignmentFactory, InspectorFactory, SchoolFactory, ZoneFactory

from .helpers import pdf_page_count

ROLES = [
    "anon",
    "admin",
    "zone_leader",
    "inspector",
    "school",
    "viewer",
    "other_admin",
    "superuser",
]

# name: (args from the world, {role: expected GET status})
EXPECTED = {
    "signboards:school": (
        lambda w: [w.school.pk],
        {
            "anon": 302,
            "admin": 200,
            "zone_leader": 200,
            "inspector": 200,
            "school": 200,
            "viewer": 200,
            "other_admin": 404,
            "superuser": 404,
        },
    ),
    "signboards:zone": (
        lambda w: [w.zone.pk],
        {
            "anon": 302,
            "admin": 200,
            "zone_leader": 200,
            "inspector": 403,
            "school": 403,
            "viewer": 403,
            "other_admin": 404,
            "superuser": 404,
        },
    ),
    "signboards:county": (
        lambda w: [],
        {
            "anon": 302,
            "admin": 200,
            "zone_leader": 403,
            "inspector": 403,
            "school": 403,
            "viewer": 403,
            "other_admin": 200,
            "superuser": 403,
        },
    ),
    "signboards:public_school": (
        lambda w: [w.school.code],
        dict.fromkeys(ROLES, 200),
    ),
}

# Objects outside a role's scope answer 404, like objects that do not exist.
OUT_OF_SCOPE = [
    ("signboards:school", lambda w: [w.far_school.pk], ["zone_leader", "inspector", "school"]),
    ("signboards:school", lambda w: [w.zone_school.pk], ["inspector", "school"]),
    (
        "signboards:school",
        lambda w: [w.foreign_school.pk],
        ["admin", "viewer", "zone_leader", "inspector", "school"],
    ),
    ("signboards:school", lambda w: [999999], ["admin"]),
    ("signboards:zone", lambda w: [999999], ["admin", "zone_leader"]),
]


def get_as(client, world, role, url):
    if role != "anon":
        client.force_login(world.personas()[role])
    return client.get(url)


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_status_by_role(world, client, fast_pdf, name, role):
    args_for, expected = EXPECTED[name]
    response = get_as(client, world, role, reverse(name, args=args_for(world)))
    assert response.status_code == expected[role], f"{role} GET {name}"
    if name != "signboards:public_school" and expected[role] == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(("name", "args_for", "roles"), OUT_OF_SCOPE)
def test_out_of_scope_is_not_found(world, client, fast_pdf, name, args_for, roles):
    for role in roles:
        client.logout()
        response = get_as(client, world, role, reverse(name, args=args_for(world)))
        assert response.status_code == 404, f"{role} {name}"


def test_zone_leader_gets_only_the_zones_they_lead(world, client, fast_pdf):
    other_zone = ZoneFactory(office=world.office, name="第二责任区")
    foreign_zone = ZoneFactory(office=world.other_office, name="玄武第一责任区")
    client.force_login(world.zone_leader)
    assert client.get(reverse("signboards:zone", args=[other_zone.pk])).status_code == 404
    client.force_login(world.admin)
    assert client.get(reverse("signboards:zone", args=[other_zone.pk])).status_code == 200
    assert client.get(reverse("signboards:zone", args=[foreign_zone.pk])).status_code == 404


def test_school_board_download(world, client):
    client.force_login(world.admin)
    response = client.get(reverse("signboards:school", args=[world.school.pk]))
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")
    assert pdf_page_count(pdf) == 1
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''" + quote("公示牌-湖滨小学.pdf") in disposition


def test_zone_batch_has_one_page_per_active_school_of_the_zone(world, client):
    SchoolFactory(office=world.office, zone=world.zone, name="已撤并小学", is_active=False)
    client.force_login(world.zone_leader)
    response = client.get(reverse("signboards:zone", args=[world.zone.pk]))
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    assert pdf_page_count(pdf) == 2  # 湖滨小学 and 西湖小学; not the closed school
    assert quote("公示牌-第一责任区.pdf") in response["Content-Disposition"]


def test_county_batch_has_the_office_schools_only(world, client, monkeypatch):
    rendered = []
    real = boards.build_boards

    def spy(schools):
        result = real(schools)
        rendered.extend(b.school.name for b in result)
        return result

    monkeypatch.setattr(boards, "build_boards", spy)
    SchoolFactory(office=world.office, name="已撤并小学", is_active=False)
    client.force_login(world.admin)
    response = client.get(reverse("signboards:county"))
    assert response.status_code == 200
    assert pdf_page_count(b"".join(response.streaming_content)) == 3
    # zone first (第一责任区: codes in order), then the school without a zone
    assert rendered == ["湖滨小学", "西湖小学", "城东中学"]
    assert quote(f"公示牌-{world.office.name}.pdf") in response["Content-Disposition"]


@pytest.mark.parametrize("name", ["signboards:school", "signboards:zone", "signboards:county"])
def test_missing_cjk_font_answers_503_with_the_package_to_install(world, client, monkeypatch, name):
    monkeypatch.setattr(system, "cjk_font_available", lambda: False)
    client.force_login(world.admin)
    client.cookies["django_language"] = "en"
    args = {"signboards:school": [world.school.pk], "signboards:zone": [world.zone.pk]}
    response = client.get(reverse(name, args=args.get(name)))
    assert response.status_code == 503
    body = response.content.decode()
    assert system.CJK_FONT_HINT in body
    with translation.override("en"):
        assert "No Chinese font is installed" in body


def test_missing_font_still_checks_permissions_first(world, client, monkeypatch):
    monkeypatch.setattr(system, "cjk_font_available", lambda: False)
    client.force_login(world.inspector_user)
    assert client.get(reverse("signboards:county")).status_code == 403
    assert client.get(reverse("signboards:school", args=[world.far_school.pk])).status_code == 404


def test_font_check_is_cached(world, client, monkeypatch, fast_pdf):
    calls = []

    def available():
        calls.append(1)
        return True

    monkeypatch.setattr(system, "cjk_font_available", available)
    client.force_login(world.admin)
    for _ in range(3):
        assert client.get(reverse("signboards:school", args=[world.school.pk])).status_code == 200
    assert len(calls) == 1


def test_missing_font_is_rechecked_later(world, client, monkeypatch, fast_pdf):
    calls = []

    def missing():
        calls.append(1)
        return False

    monkeypatch.setattr(system, "cjk_font_available", missing)
    client.force_login(world.admin)
    url = reverse("signboards:school", args=[world.school.pk])
    assert client.get(url).status_code == 503
    assert client.get(url).status_code == 503
    assert len(calls) == 1  # remembered for a while, not one fc-list per request
    monkeypatch.setattr(system, "cjk_font_available", lambda: True)
    monkeypatch.setattr(boards, "FONT_RECHECK_SECONDS", 0.0)
    assert client.get(url).status_code == 200  # the font was installed meanwhile


def _zone_batch_queries(client, world, n_schools):
    zone = ZoneFactory(office=world.office, name=f"测试责任区{n_schools}")
    inspectors = [InspectorFactory(office=world.office) for _ in range(3)]
    for i in range(n_schools):
        school = SchoolFactory(office=world.office, zone=zone)
        if i % 4:  # leave some schools without an inspector
            AssignmentFactory(inspector=inspectors[i % 3], school=school)
    client.force_login(world.admin)
    url = reverse("signboards:zone", args=[zone.pk])
    client.get(url)  # warm up (session, caches)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    assert response.getvalue().endswith(str(n_schools).encode())
    return len(ctx.captured_queries)


def test_batch_query_count_does_not_grow_with_schools(world, client, fast_pdf):
    assert _zone_batch_queries(client, world, 3) == _zone_batch_queries(client, world, 8)


def test_county_query_count_does_not_grow_with_schools(world, client, fast_pdf):
    client.force_login(world.admin)
    url = reverse("signboards:county")
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    zone = ZoneFactory(office=world.office)
    inspector = InspectorFactory(office=world.office)
    for _ in range(6):
        AssignmentFactory(inspector=inspector, school=SchoolFactory(office=world.office, zone=zone))
    with CaptureQueriesContext(connection) as large:
        client.get(url)
    assert len(small.captured_queries) == len(large.captured_queries)
