"""Every report is built for its reader: one test per role for each report kind, with what
the report shows and what it must not show, and the refusals (403/404) through the views.

The set-up (`leak`) is the case of issue #8: 张督学 belongs to 李组长's zone but is also
responsible for 城东中学, a school of the same county outside the zone. 李组长 reading 张督学's
monthly report must see neither 城东中学 nor its finding; the office admin, the viewer, the
superuser and 张督学 himself see his whole month; the other county never sees any of it.

Dates come from the pinned clock (tests/clock.py): the report is for the last complete
month, and the per-role tests of the monthly reports run at every day of `TODAYS`.
"""

import datetime
import io

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from dudao.inspectors.models import Assignment
from dudao.rectification.models import Severity
from dudao.reports import exporter
from tests.factories import AssignmentFactory, InspectorFactory, SchoolFactory
from tests.factories_supervision import FindingFactory, VisitFactory, at

from .helpers import body, docx_text, make_notice

PERSONAS = ["admin", "zone_leader", "inspector", "school", "viewer", "other_admin", "superuser"]

# Problems found in the month, one per school (their descriptions are unique words).
HUBIN = "湖滨问题"  # world.school, 张督学, in the zone
CHENGDONG = "城东问题"  # world.far_school, 张督学, outside the zone
XIHU = "西湖问题"  # world.zone_school, 赵督学, in the zone
FOREIGN = "外县问题"  # world.foreign_school, 钱督学, the other county


@pytest.fixture
def period():
    """(year, month, first day) of the last complete month."""
    last = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
    return last.year, last.month, last.replace(day=1)


def visit(school, inspector, created_by, day):
    return VisitFactory(
        school=school, inspector=inspector, created_by=created_by, visited_at=at(day)
    )


def finding(school, inspector, day, description):
    return FindingFactory(
        school=school,
        inspector=inspector,
        found_on=day,
        area=6,
        severity=Severity.SERIOUS,  # listed by name in the office summary too
        description=description,
    )


@pytest.fixture
def far_assigned(world, period):
    """张督学 is also responsible for 城东中学 (outside 李组长's zone) since the month began."""
    _year, _month, first = period
    return AssignmentFactory(inspector=world.inspector, school=world.far_school, start_date=first)


@pytest.fixture
def leak(world, period, far_assigned):
    _year, _month, first = period
    # The world's assignments were in force during the month reported (they begin on
    # 1 September: on a September today the last complete month is August).
    Assignment.all_objects.filter(start_date__gt=first).update(start_date=first)
    day3, day4 = first + datetime.timedelta(days=2), first + datetime.timedelta(days=3)
    visit(world.school, world.inspector, world.inspector_user, day3)
    visit(world.far_school, world.inspector, world.inspector_user, day4)
    visit(world.zone_school, world.other_inspector, world.admin, day3)
    visit(world.foreign_school, world.foreign_inspector, world.other_admin, day3)
    finding(world.school, world.inspector, day3, HUBIN)
    finding(world.far_school, world.inspector, day4, CHENGDONG)
    finding(world.zone_school, world.other_inspector, day3, XIHU)
    finding(world.foreign_school, world.foreign_inspector, day3, FOREIGN)
    return world


def login(client, world, role):
    client.force_login(world.personas()[role])
    return client


def assert_shows(text, present=(), absent=()):
    for word in present:
        assert word in text, word
    for word in absent:
        assert word not in text, word


# --- the inspector's monthly report (督学月报) of 张督学 -------------------------------------

FULL_MONTH = {
    "present": ["张督学", "湖滨小学", "城东中学", HUBIN, CHENGDONG],
    "absent": ["玄武小学", FOREIGN, XIHU, "西湖小学"],
    "figures": {"schools_responsible": 2, "visits": 2, "days_in_field": 2, "findings": 2},
}
ZONE_ONLY = {
    "present": ["张督学", "湖滨小学", HUBIN],
    "absent": ["城东中学", CHENGDONG, "玄武小学", FOREIGN, XIHU, "西湖小学"],
    "figures": {"schools_responsible": 1, "visits": 1, "days_in_field": 1, "findings": 1},
}
INSPECTOR_REPORT = {
    "admin": FULL_MONTH,
    "zone_leader": ZONE_ONLY,
    "inspector": FULL_MONTH,
    "viewer": FULL_MONTH,
    "superuser": FULL_MONTH,
    "school": 403,
    "other_admin": 404,
}


def inspector_url(world, period, fmt="docx", inspector=None):
    year, month, _first = period
    return reverse(
        "reports:inspector_monthly", args=[(inspector or world.inspector).pk, year, month, fmt]
    )


@pytest.mark.any_day
@pytest.mark.parametrize("role", PERSONAS)
def test_inspector_monthly_per_role(leak, period, client, role):
    world = leak
    expected = INSPECTOR_REPORT[role]
    response = login(client, world, role).get(inspector_url(world, period))
    if isinstance(expected, int):
        assert response.status_code == expected
        return
    assert response.status_code == 200
    assert_shows(docx_text(body(response)), expected["present"], expected["absent"])
    year, month, _first = period
    user = world.personas()[role]
    report = exporter.build("inspector_monthly", user, world.inspector, year, month)
    assert report.figures.items() >= expected["figures"].items()


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_zone_leader_never_sees_the_far_school_in_any_format(leak, period, client, fmt):
    response = login(client, leak, "zone_leader").get(inspector_url(leak, period, fmt))
    assert response.status_code == 200
    content = body(response)
    if fmt == "xlsx":
        cells = [
            str(value)
            for sheet in load_workbook(io.BytesIO(content)).worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value is not None
        ]
        text = "\n".join(cells)
        assert_shows(text, ["湖滨小学"], ["城东中学", CHENGDONG])
    else:
        assert content.startswith(b"%PDF")
        html = exporter.render_html(
            exporter.build("inspector_monthly", leak.zone_leader, leak.inspector, *period[:2])
        )
        assert_shows(html, ["湖滨小学"], ["城东中学", CHENGDONG])


def test_zone_leader_sees_an_inspector_outside_the_zone_refused(leak, period, client):
    outsider = InspectorFactory(office=leak.office, name="孙督学")
    response = login(client, leak, "zone_leader").get(
        inspector_url(leak, period, inspector=outsider)
    )
    assert response.status_code == 404


def test_inspector_cannot_read_a_colleagues_report(leak, period, client):
    url = inspector_url(leak, period, inspector=leak.other_inspector)
    assert login(client, leak, "inspector").get(url).status_code == 404


def test_the_builder_itself_refuses_an_inspector_out_of_scope(leak, period):
    year, month, _first = period
    with pytest.raises(Http404):
        exporter.build("inspector_monthly", leak.other_admin, leak.inspector, year, month)
    with pytest.raises(Http404):
        exporter.build("inspector_monthly", leak.inspector_user, leak.other_inspector, year, month)


# --- the office's monthly summary (督导室月度汇总) -------------------------------------------

COUNTY_A = {
    "present": ["上城区", "张督学", "赵督学", "湖滨小学", "城东中学", HUBIN, CHENGDONG, XIHU],
    "absent": ["玄武", "钱督学", FOREIGN],
    "figures": {"schools": 3, "visits": 3, "findings": 3},
}
COUNTY_B = {
    "present": ["玄武区", "钱督学", FOREIGN],
    "absent": ["上城区", "张督学", "赵督学", "湖滨", "城东", "西湖", HUBIN, CHENGDONG, XIHU],
    "figures": {"schools": 1, "visits": 1, "findings": 1},
}
OFFICE_REPORT = {
    "admin": COUNTY_A,
    "zone_leader": 403,
    "inspector": 403,
    "school": 403,
    "viewer": COUNTY_A,
    "other_admin": COUNTY_B,
    "superuser": COUNTY_A,
}


def office_url(period, fmt="docx", office=None):
    year, month, _first = period
    url = reverse("reports:office_monthly", args=[year, month, fmt])
    return f"{url}?office={office.pk}" if office else url


@pytest.mark.any_day
@pytest.mark.parametrize("role", PERSONAS)
def test_office_monthly_per_role(leak, period, client, role):
    world = leak
    expected = OFFICE_REPORT[role]
    chosen = world.office if role in ("viewer", "superuser") else None
    response = login(client, world, role).get(office_url(period, office=chosen))
    if isinstance(expected, int):
        assert response.status_code == expected
        return
    assert response.status_code == 200
    assert_shows(docx_text(body(response)), expected["present"], expected["absent"])
    user = world.personas()[role]
    office = chosen or user.office
    report = exporter.build("office_monthly", user, office, *period[:2])
    assert report.figures.items() >= expected["figures"].items()


def test_viewer_cannot_pick_an_office_outside_its_region(leak, period, client):
    url = office_url(period, office=leak.other_office)
    assert login(client, leak, "viewer").get(url).status_code == 404


def test_the_builder_itself_refuses_an_office_out_of_scope(leak, period):
    with pytest.raises(Http404):
        exporter.build("office_monthly", leak.viewer, leak.other_office, *period[:2])
    with pytest.raises(Http404):
        exporter.build("office_monthly", leak.admin, leak.other_office, *period[:2])


def test_office_summary_built_for_a_zone_leader_keeps_to_the_zone(leak, period):
    """The view refuses zone leaders; were a caller to build it for one anyway, every list
    still goes through the leader's scope."""
    report = exporter.build("office_monthly", leak.zone_leader, leak.office, *period[:2])
    html = exporter.render_html(report)
    assert_shows(html, ["湖滨小学", HUBIN, XIHU], ["城东中学", CHENGDONG, FOREIGN])
    assert report.figures["schools"] == 2


# --- the ledger (整改台账) -------------------------------------------------------------------

LEDGER = {
    "admin": ({HUBIN, CHENGDONG, XIHU}, {FOREIGN}),
    "zone_leader": ({HUBIN, XIHU}, {CHENGDONG, FOREIGN}),
    "inspector": ({HUBIN, CHENGDONG}, {XIHU, FOREIGN}),
    "school": 403,
    "viewer": ({HUBIN, CHENGDONG, XIHU}, {FOREIGN}),
    "other_admin": ({FOREIGN}, {HUBIN, CHENGDONG, XIHU}),
    "superuser": ({HUBIN, CHENGDONG, XIHU, FOREIGN}, set()),
}


@pytest.mark.parametrize("role", PERSONAS)
def test_ledger_per_role(leak, client, role):
    expected = LEDGER[role]
    response = login(client, leak, role).get(reverse("reports:ledger_xlsx"))
    if isinstance(expected, int):
        assert response.status_code == expected
        return
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(body(response))).active
    problems = {row[4] for row in sheet.iter_rows(min_row=3, values_only=True)}
    present, absent = expected
    assert present <= problems
    assert not absent & problems


# --- the rectification notice (整改通知书) ---------------------------------------------------


@pytest.fixture
def notices(world, far_assigned):
    """One notice to 湖滨小学 (in the zone), one to 城东中学 (outside it), both by 张督学."""
    return {
        "zone": make_notice(world, descriptions=("湖滨通知问题",)),
        "far": make_notice(world, school=world.far_school, descriptions=("城东通知问题",)),
    }


NOTICE = {
    # role: (zone notice, far notice)
    "admin": (200, 200),
    "zone_leader": (200, 404),
    "inspector": (200, 200),
    "school": (200, 404),
    "viewer": (200, 200),
    "other_admin": (404, 404),
    "superuser": (200, 200),
}


@pytest.mark.parametrize("role", PERSONAS)
def test_notice_per_role(world, notices, client, role):
    login(client, world, role)
    for key, status, school, problem in zip(
        ("zone", "far"),
        NOTICE[role],
        ("湖滨小学", "城东中学"),
        ("湖滨通知问题", "城东通知问题"),
        strict=True,
    ):
        response = client.get(reverse("reports:notice_docx", args=[notices[key].pk]))
        assert response.status_code == status, key
        if status == 200:
            text = docx_text(body(response))
            assert_shows(
                text,
                [school, problem, "张督学"],
                ["湖滨通知问题" if key == "far" else "城东通知问题"],
            )


def test_the_builder_itself_refuses_a_notice_out_of_scope(world, notices):
    with pytest.raises(Http404):
        exporter.build("notice", world.zone_leader, notices["far"])
    with pytest.raises(Http404):
        exporter.build("notice", world.other_admin, notices["zone"])


# --- a report cannot be built without its reader ------------------------------------------


@pytest.mark.parametrize("name", ["ledger", "notice", "inspector_monthly", "office_monthly"])
def test_every_report_is_built_for_a_user(name):
    assert exporter.REGISTRY[name].for_user


def test_a_report_without_its_reader_fails_loudly(world, period):
    year, month, _first = period
    with pytest.raises(TypeError, match="built for a user"):
        exporter.build("inspector_monthly", world.inspector, year, month)
    with pytest.raises(TypeError, match="built for a user"):
        exporter.build("office_monthly", world.office, year, month)


@pytest.mark.parametrize("garbage", ["abc", "1.5", "-1", "99999999999999999999"])
def test_garbage_office_parameter_is_404(leak, period, client, garbage):
    url = f"{office_url(period)}?office={garbage}"
    assert login(client, leak, "viewer").get(url).status_code == 404


# --- bounded queries -------------------------------------------------------------------------


def count_queries(build):
    with CaptureQueriesContext(connection) as queries:
        build()
    return len(queries)


@pytest.mark.parametrize("role", ["admin", "zone_leader", "inspector", "viewer"])
def test_monthly_reports_take_a_fixed_number_of_queries(leak, period, role):
    """More schools, visits and findings, the same number of queries."""
    world = leak
    year, month, first = period
    user = world.personas()[role]

    def both():
        exporter.build("inspector_monthly", user, world.inspector, year, month)
        exporter.build("office_monthly", user, world.office, year, month)

    before = count_queries(both)
    for n in range(4):
        school = SchoolFactory(office=world.office, zone=world.zone, name=f"新校{n}")
        AssignmentFactory(inspector=world.inspector, school=school, start_date=first)
        day = first + datetime.timedelta(days=n + 5)
        visit(school, world.inspector, world.inspector_user, day)
        finding(school, world.inspector, day, f"新问题{n}")
    assert count_queries(both) == before
