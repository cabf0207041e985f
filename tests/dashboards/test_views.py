"""The dashboard page and its JSON: who may open it, what each role sees, the fallback
tables, the filters and the query count."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from tests.dashboards.conftest import finding, visit
from tests.factories import (
    AssignmentFactory,
    InspectorFactory,
    OfficeFactory,
    RegionFactory,
    SchoolFactory,
    UserFactory,
    ZoneFactory,
)

URL = "/dashboard/"


def figure(body: str, name: str) -> str:
    match = re.search(rf'data-figure="{name}"[^>]*>([^<]*)<', body)
    assert match, name
    return match[1]


def get(client, user, **params):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client.get(reverse("dashboards:overview"), params)


def test_urls():
    assert reverse("dashboards:overview") == URL
    assert reverse("dashboards:overview_data") == URL + "data.json"


@pytest.mark.parametrize("name", ["dashboards:overview", "dashboards:overview_data"])
def test_school_user_and_roleless_user_are_refused(figures_world, client, name):
    client.force_login(figures_world.world.school_user)
    assert client.get(reverse(name)).status_code == 403
    client.force_login(UserFactory(username="nobody", role="", office=figures_world.world.office))
    assert client.get(reverse(name)).status_code == 403


def test_anonymous_is_sent_to_login(client):
    assert client.get(URL).status_code == 302


def test_admin_page_shows_figures_in_html(figures_world, client):
    body = get(client, figures_world.world.admin).content.decode()
    assert figure(body, "visited") == "2"
    assert figure(body, "active-schools") == "3"
    assert figure(body, "unvisited") == "1"
    assert figure(body, "open") == "4"
    assert figure(body, "overdue") == "2"
    assert figure(body, "escalated") == "1"
    # F5 on time; F6 closed late; F2 and F3 still open after their deadlines: late too.
    assert figure(body, "on-time-rate") == "25.0%"
    assert (figure(body, "on-time"), figure(body, "closed-due")) == ("1", "4")
    assert "城东中学" in body  # unvisited
    assert "玄武小学" not in body and "钱督学" not in body  # the other county
    assert 'id="dashboard-data"' in body and "echarts-5.6.0-dudao.min.js" in body
    assert "On-time rectification rate" in body  # the footnote defining it


def test_json_equals_page(figures_world, client):
    w = figures_world.world
    client.force_login(w.admin)
    data = client.get(reverse("dashboards:overview_data")).json()
    body = client.get(URL).content.decode()
    embedded = json.loads(re.search(r'id="dashboard-data"[^>]*>(.*?)</script>', body, re.S)[1])
    assert data == embedded
    assert data["findings"]["overdue"] == 2 and data["coverage"]["visited"] == 2


def test_inspector_sees_only_own_schools(figures_world, client):
    body = get(client, figures_world.world.inspector_user).content.decode()
    assert "湖滨小学" in body
    assert "西湖小学" not in body and "城东中学" not in body and "玄武小学" not in body
    assert figure(body, "active-schools") == "1"
    assert figure(body, "open") == "2" and figure(body, "overdue") == "1"
    assert 'data-scope="school"' in body


def test_zone_leader_sees_the_zone(figures_world, client):
    body = get(client, figures_world.world.zone_leader).content.decode()
    assert "湖滨小学" in body and "西湖小学" in body
    assert "城东中学" not in body and "玄武小学" not in body
    assert figure(body, "active-schools") == "2"
    assert figure(body, "overdue") == "2"


def test_other_county_never_appears(figures_world, client):
    body = get(client, figures_world.world.other_admin).content.decode()
    for name in ("湖滨小学", "西湖小学", "城东中学", "张督学", "第一责任区"):
        assert name not in body
    assert figure(body, "open") == "1"


@pytest.fixture
def second_county(figures_world):
    """Another county office in the viewer's city, with one unvisited school."""
    w = figures_world.world
    city = w.office.region.parent
    county = RegionFactory(code="330105", name="拱墅区", level="county", parent=city)
    office = OfficeFactory(region=county, name="拱墅区人民政府教育督导室")
    school = SchoolFactory(office=office, name="拱宸桥小学")
    finding(school, area=7, is_overdue=True)
    return office


def test_viewer_gets_a_row_per_county(second_county, figures_world, client):
    w = figures_world.world
    response = get(client, w.viewer)
    body = response.content.decode()
    rows = {r["id"]: r for r in response.context["data"]["rows"]}
    assert set(rows) == {w.office.pk, second_county.pk}
    assert (rows[w.office.pk]["schools"], rows[w.office.pk]["visited"]) == (3, 2)
    assert (rows[second_county.pk]["schools"], rows[second_county.pk]["visited"]) == (1, 0)
    assert (rows[w.office.pk]["open"], rows[w.office.pk]["overdue"]) == (4, 2)
    assert (rows[second_county.pk]["open"], rows[second_county.pk]["overdue"]) == (1, 1)
    assert "拱墅区人民政府教育督导室" in body and "玄武区" not in body
    assert figure(body, "overdue") == "3"
    # The county admin does not see the neighbouring county.
    assert "拱宸桥小学" not in get(client, w.admin).content.decode()


def test_viewer_office_filter(second_county, figures_world, client):
    w = figures_world.world
    response = get(client, w.viewer, office=second_county.pk)
    assert response.context["data"]["level"] == "zone"
    assert figure(response.content.decode(), "open") == "1"
    # Another province's office is not a valid choice: the filter is ignored, not obeyed.
    response = get(client, w.viewer, office=w.other_office.pk)
    assert response.context["form"].errors["office"]
    assert "玄武小学" not in response.content.decode()


def test_zone_filter_and_foreign_zone(figures_world, client):
    w = figures_world.world
    response = get(client, w.admin, zone=w.zone.pk)
    data = response.context["data"]
    assert data["level"] == "school"
    assert {r["name"] for r in data["rows"]} == {"湖滨小学", "西湖小学"}
    foreign_zone = ZoneFactory(office=w.other_office, name="玄武一区")
    response = get(client, w.admin, zone=foreign_zone.pk)
    assert response.context["form"].errors["zone"]
    assert response.context["data"]["level"] == "zone"  # the whole county, nothing foreign
    body = response.content.decode()
    assert "玄武小学" not in body and "钱督学" not in body


def test_month_filter(figures_world, client):
    w = figures_world.world
    last_month = figures_world.first - datetime.timedelta(days=1)
    data = get(client, w.admin, month=f"{last_month:%Y-%m}").context["data"]
    assert data["month"] == f"{last_month:%Y-%m}" and data["coverage"]["visited"] == 1
    response = get(client, w.admin, month="2026-13")
    assert response.status_code == 200 and response.context["form"].errors["month"]
    assert response.context["data"]["month"] == f"{figures_world.today:%Y-%m}"


def test_ledger_links(figures_world, client):
    data = get(client, figures_world.world.admin).context["data"]
    try:
        ledger = reverse("rectification:ledger")
    except NoReverseMatch:
        assert data["findings"]["overdue_url"] == ""
        return
    assert data["findings"]["overdue_url"] == f"{ledger}?status=active&overdue=yes"
    area6 = next(a for a in data["findings"]["by_area"] if a["area"] == 6)
    assert area6["url"] == f"{ledger}?status=active&area=6"


def _crowd(world, n=27):
    """n more schools in the zone, each with an inspector, visits and findings."""
    today = timezone.localdate()
    for _ in range(n):
        school = SchoolFactory(office=world.office, zone=world.zone)
        inspector = InspectorFactory(office=world.office, zone=world.zone)
        AssignmentFactory(school=school, inspector=inspector, start_date=datetime.date(2026, 9, 1))
        visit(world, school, today, inspector, minimums=["forum"])
        finding(school, area=2, is_overdue=True)
    # The inspector gets more schools too (their own view grows as well).
    for _ in range(5):
        school = SchoolFactory(office=world.office, zone=world.zone)
        AssignmentFactory(
            school=school, inspector=world.inspector, start_date=datetime.date(2026, 9, 1)
        )
        visit(world, school, today, world.inspector)


@pytest.mark.parametrize("role", ["admin", "zone_leader", "inspector", "viewer", "superuser"])
@pytest.mark.parametrize("name", ["dashboards:overview", "dashboards:overview_data"])
def test_query_count_does_not_grow_with_schools(figures_world, client, role, name):
    w = figures_world.world
    client.force_login(w.personas()[role])
    url = reverse(name)
    client.get(url)  # warm caches (content types, sessions)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _crowd(w)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small), [q["sql"][:120] for q in large.captured_queries]
    # 18 before the school-type rules (issue 11 §3): + their one query, shared by coverage
    # and the six minimums, + the active schools per office and type (six minimums).
    assert len(small) <= 20


def test_superuser_office_then_zone(figures_world, client):
    w = figures_world.world
    data = get(client, w.superuser).context["data"]
    assert data["level"] == "office" and {r["id"] for r in data["rows"]} == {
        w.office.pk,
        w.other_office.pk,
    }
    response = get(client, w.superuser, office=w.office.pk, zone=w.zone.pk)
    data = response.context["data"]
    assert data["level"] == "school"
    assert {r["name"] for r in data["rows"]} == {"湖滨小学", "西湖小学"}
    assert data["findings"]["open"] == 3
    # A zone of another office than the one chosen is refused.
    response = get(client, w.superuser, office=w.other_office.pk, zone=w.zone.pk)
    assert response.context["form"].errors["zone"]
    assert response.context["data"]["findings"]["open"] == 1
