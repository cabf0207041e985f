"""The school's lists, notices, the ledger, the escalation queue and accountability cases."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dudao.accounts.models import Role
from dudao.rectification import services
from dudao.rectification.models import (
    AccountabilityCase,
    Escalation,
    Finding,
    FindingStatus,
    FollowUp,
    Notice,
    Response,
    Severity,
)
from tests.factories import UserFactory

from .helpers import in_days, put
from .test_views_helpers import english, fresh, make_finding, message_texts, row_ids

LEDGER = "rectification:ledger"


# The school's findings and notices -------------------------------------------------------


def test_school_sees_its_findings_active_and_overdue_first(world, client):
    closed = put(make_finding(world, description="已关闭的问题"), FindingStatus.CLOSED)
    active = make_finding(world, description="普通问题")
    overdue = put(make_finding(world, description="逾期问题"), FindingStatus.OPEN, is_overdue=True)
    other = make_finding(world, school=world.zone_school, description="别校问题")
    client.force_login(world.school_user)
    response = client.get(reverse("rectification:school_findings"))
    body = response.content.decode()
    assert row_ids(response) == {closed.pk, active.pk, overdue.pk}
    assert other.description not in body
    assert body.index("逾期问题") < body.index("普通问题") < body.index("已关闭的问题")
    assert 'class="card rect-card overdue"' in body


@pytest.mark.parametrize("role", ["admin", "inspector", "viewer"])
def test_school_findings_is_for_schools_only(world, client, role):
    client.force_login(world.personas()[role])
    assert client.get(reverse("rectification:school_findings")).status_code == 403


def issue(world, *findings, actor=None):
    return services.issue_notice(
        actor or world.admin,
        list(findings),
        expected_versions={f.pk: fresh(f).version for f in findings},
        deadline=in_days(10),
    )


def test_notice_list_follows_the_scope(world, client):
    mine = issue(world, make_finding(world))
    theirs = issue(world, make_finding(world, school=world.zone_school))
    client.force_login(world.school_user)
    body = client.get(reverse("rectification:notice_list")).content.decode()
    assert mine.number in body and theirs.number not in body
    client.force_login(world.admin)
    body = client.get(reverse("rectification:notice_list")).content.decode()
    assert mine.number in body and theirs.number in body
    client.force_login(world.school_user)
    url = reverse("rectification:notice_detail", args=[theirs.pk])
    assert client.get(url).status_code == 404


def test_notice_detail_lists_its_findings_and_links_the_documents(world, client):
    first, second = (
        make_finding(world, description="问题一"),
        make_finding(world, description="问题二"),
    )
    notice = issue(world, first, second)
    client.force_login(world.school_user)
    body = client.get(reverse("rectification:notice_detail", args=[notice.pk])).content.decode()
    assert "问题一" in body and "问题二" in body
    try:
        docx = reverse("reports:notice_docx", args=[notice.pk])
    except NoReverseMatch:
        assert 'data-testid="notice-docx"' not in body
    else:
        assert docx in body


def issue_page(world):
    return reverse("rectification:notice_issue", args=[world.school.pk])


def test_inspector_issues_one_notice_for_several_findings(world, client, new_finding):
    first = new_finding(description="问题一", deadline_kind="by_date", deadline=in_days(5))
    second = new_finding(description="问题二", area=3, deadline_kind="by_date", deadline=in_days(8))
    client.force_login(world.inspector_user)
    body = client.get(issue_page(world)).content.decode()
    assert "问题一" in body and "问题二" in body
    data = {
        "findings": [first.pk, second.pk],
        f"version_{first.pk}": 1,
        f"version_{second.pk}": 1,
        "note": "请按期整改",
    }
    response = client.post(issue_page(world), data)
    notice = Notice.all_objects.get()
    assert response["Location"] == reverse("rectification:notice_detail", args=[notice.pk])
    assert set(notice.findings.all()) == {first, second}
    assert notice.deadline == in_days(8)
    assert {fresh(first).status, fresh(second).status} == {FindingStatus.NOTICE_ISSUED}


def test_notice_issue_refuses_stale_and_mixed_findings(world, client, new_finding):
    first = new_finding(deadline_kind="by_date", deadline=in_days(5))
    loose = make_finding(world, actor=world.inspector_user, description="非走访发现")
    english(client).force_login(world.inspector_user)
    data = {"findings": [first.pk], f"version_{first.pk}": 0}
    body = client.post(issue_page(world), data).content.decode()
    assert "Someone else changed this finding" in body
    data = {"findings": [first.pk, loose.pk], f"version_{first.pk}": 1, f"version_{loose.pk}": 1}
    body = client.post(issue_page(world), data).content.decode()
    assert "A notice covers findings of one school from one visit." in body
    assert not Notice.all_objects.exists()
    assert {fresh(first).status, fresh(loose).status} == {FindingStatus.OPEN}


def test_notice_issue_is_refused_to_the_zone_leader_of_a_school_he_is_not_responsible_for(
    world, client
):
    finding = make_finding(world, school=world.zone_school)
    english(client).force_login(world.zone_leader)
    url = reverse("rectification:notice_issue", args=[world.zone_school.pk])
    body = client.post(url, {"findings": [finding.pk], f"version_{finding.pk}": 1}).content.decode()
    assert "You may not issue a notice" in body
    assert fresh(finding).status == FindingStatus.OPEN


# The ledger ------------------------------------------------------------------------------


@pytest.fixture
def ledger_rows(world):
    """Three findings that differ in every filtered column."""
    a = make_finding(world, description="甲问题", area=6)
    b = make_finding(world, school=world.zone_school, description="乙问题", area=3, severity="key")
    c = make_finding(world, school=world.far_school, description="丙问题", area=1)
    put(b, FindingStatus.URGED, is_overdue=True, escalated_to=Escalation.COUNTY)
    put(c, FindingStatus.CLOSED, severity=Severity.SERIOUS)
    Finding.all_objects.filter(pk=c.pk).update(found_on=in_days(-40), inspector=None)
    Finding.all_objects.filter(pk=a.pk).update(found_on=in_days(-10))
    return a, b, c


def ledger_ids(client, **params):
    response = client.get(reverse(LEDGER), params)
    assert response.status_code == 200
    return row_ids(response)


def test_ledger_filters_each_narrow_the_rows(world, client, ledger_rows):
    a, b, c = ledger_rows
    client.force_login(world.admin)
    assert ledger_ids(client) == {a.pk, b.pk, c.pk}
    cases = [
        ({"q": "乙"}, {b.pk}),
        ({"q": world.far_school.name}, {c.pk}),
        ({"zone": world.zone.pk}, {a.pk, b.pk}),
        ({"inspector": world.inspector.pk}, {a.pk}),
        ({"inspector": world.other_inspector.pk}, {b.pk}),
        ({"school": world.zone_school.pk}, {b.pk}),
        ({"area": 3}, {b.pk}),
        ({"severity": "serious"}, {c.pk}),
        ({"severity": "key"}, {b.pk}),
        ({"status": "active"}, {a.pk, b.pk}),
        ({"status": "closed"}, {c.pk}),
        ({"overdue": "yes"}, {b.pk}),
        ({"overdue": "no"}, {a.pk, c.pk}),
        ({"escalated": "any"}, {b.pk}),
        ({"escalated": "county"}, {b.pk}),
        ({"escalated": "city"}, set()),
        ({"found_from": in_days(-20).isoformat()}, {a.pk, b.pk}),
        ({"found_to": in_days(-5).isoformat()}, {a.pk, c.pk}),
        ({"found_from": in_days(-20).isoformat(), "found_to": in_days(-5).isoformat()}, {a.pk}),
    ]
    for params, expected in cases:
        assert ledger_ids(client, **params) == expected, params


def test_ledger_shows_the_columns_badges_and_last_follow_up(world, client, ledger_rows):
    _a, b, c = ledger_rows
    FollowUp.objects.create(
        finding=b,
        result="rejected",
        checked_at=timezone.make_aware(datetime.datetime(2026, 3, 2, 9)),
    )
    FollowUp.objects.create(
        finding=b,
        result="rejected",
        checked_at=timezone.make_aware(datetime.datetime(2026, 4, 5, 9)),
    )
    b.required_action = "清理杂物"
    b.save()
    Response.objects.create(finding=b, text="已清理楼道杂物并建立巡查制度")
    english(client).force_login(world.admin)
    body = client.get(reverse(LEDGER)).content.decode()
    headings = re.findall(r"<th[^>]*>([^<]*)</th>", body)
    assert headings == [
        "No.",
        "School",
        "Responsible inspector",
        "Supervision item",
        "Problem",
        "Severity",
        "Date found",
        "Deadline",
        "Rectification measures",
        "Status",
        "Follow-up date",
        "Closing date",
        "Remarks",
    ]
    assert "2026-04-05" in body and "2026-03-02" not in body
    assert "Overdue" in body and "Escalated: County office" in body
    # 整改措施 is the school's response, not the inspector's required action
    assert "已清理楼道杂物并建立巡查制度" in body and "清理杂物<" not in body
    assert "Curriculum and teaching" in body and "Key problem" in body  # item, severity
    closed = fresh(c).closed_at
    assert timezone.localtime(closed).strftime("%Y-%m-%d") in body  # 销号日期


def test_ledger_htmx_returns_the_table_only(world, client, ledger_rows):
    client.force_login(world.admin)
    response = client.get(reverse(LEDGER), {"area": 3}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body and 'class="table-wrap"' in body
    assert row_ids(response) == {ledger_rows[1].pk}


def test_ledger_follows_the_scope(world, client, ledger_rows):
    a, b, c = ledger_rows
    client.force_login(world.inspector_user)
    assert ledger_ids(client) == {a.pk}
    client.force_login(world.zone_leader)
    assert ledger_ids(client) == {a.pk, b.pk}
    client.force_login(world.viewer)
    assert ledger_ids(client) == {a.pk, b.pk, c.pk}
    client.force_login(world.other_admin)
    assert ledger_ids(client) == set()
    client.force_login(world.school_user)
    assert client.get(reverse(LEDGER)).status_code == 403


def test_ledger_invalid_filter_shows_nothing(world, client, ledger_rows):
    client.force_login(world.admin)
    assert ledger_ids(client, found_from="2026-05-01", found_to="2026-04-01") == set()


def test_ledger_links_the_excel_export_only_when_it_exists(world, client):
    client.force_login(world.admin)
    body = client.get(reverse(LEDGER), {"status": "active"}).content.decode()
    try:
        url = reverse("reports:ledger_xlsx")
    except NoReverseMatch:
        assert "ledger-xlsx" not in body
    else:
        assert f"{url}?status=active" in body


def test_filtering_by_htmx_updates_the_export_link(world, client):
    client.force_login(world.admin)
    fragment = client.get(
        reverse(LEDGER), {"severity": "key", "overdue": "yes"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "<html" not in fragment
    assert f"{reverse('reports:ledger_xlsx')}?severity=key&amp;overdue=yes" in fragment


# The escalation queue --------------------------------------------------------------------


def test_escalations_lists_escalated_and_department_findings(world, client):
    plain = make_finding(world, description="未升级")
    county = put(make_finding(world, description="县级"), FindingStatus.OPEN, escalated_to="county")
    city = put(make_finding(world, description="市级"), FindingStatus.URGED, escalated_to="city")
    dept = put(
        make_finding(world, description="部门"), FindingStatus.OPEN, needs_other_department=True
    )
    done = put(make_finding(world, description="已关"), FindingStatus.CLOSED, escalated_to="county")
    client.force_login(world.admin)
    url = reverse("rectification:escalations")
    assert row_ids(client.get(url)) == {county.pk, city.pk, dept.pk}
    assert row_ids(client.get(url, {"level": "city"})) == {city.pk}
    assert row_ids(client.get(url, {"level": "department"})) == {dept.pk}
    body = client.get(url, {"level": "county"}).content.decode()
    assert reverse("rectification:finding_action", args=[county.pk, "escalate_to_city"]) in body
    assert plain.pk not in row_ids(client.get(url)) and done.pk not in row_ids(client.get(url))
    client.force_login(world.viewer)
    response = client.get(url)
    assert row_ids(response) == {county.pk, city.pk, dept.pk}
    assert "/action/" not in response.content.decode()


def test_escalate_to_city_from_the_queue(world, client):
    county = put(make_finding(world), FindingStatus.OPEN, escalated_to="county")
    client.force_login(world.admin)
    queue = reverse("rectification:escalations") + "?level=county"
    data = {"expected_version": county.version, "note": "报市督办", "next": queue}
    response = client.post(
        reverse("rectification:finding_action", args=[county.pk, "escalate_to_city"]), data
    )
    assert response["Location"] == queue
    assert fresh(county).escalated_to == Escalation.CITY


@pytest.mark.parametrize("role", ["zone_leader", "inspector", "school"])
def test_escalations_are_for_the_office_and_viewers(world, client, role):
    client.force_login(world.personas()[role])
    assert client.get(reverse("rectification:escalations")).status_code == 403


# Accountability cases --------------------------------------------------------------------


def test_office_opens_a_case_about_a_serious_finding(world, client):
    finding = make_finding(world, severity=Severity.SERIOUS)
    client.force_login(world.admin)
    url = f"{reverse('rectification:case_create')}?finding={finding.pk}"
    assert world.school.name in client.get(url).content.decode()
    data = {
        "target_kind": "unit",
        "target_name": world.school.name,
        "measures": ["unit:public_criticism", "unit:admonitory_talk"],
        "notes": "约谈校长",
    }
    response = client.post(url, data)
    case = AccountabilityCase.all_objects.get()
    assert response["Location"] == reverse("rectification:case_detail", args=[case.pk])
    assert case.finding == finding and case.measures == ["public_criticism", "admonitory_talk"]
    assert finding.events.filter(action="accountability_opened").exists()
    detail = client.get(reverse("rectification:finding_detail", args=[finding.pk])).content.decode()
    assert "serious-banner" not in detail


def test_case_refuses_a_measure_of_the_other_kind(world, client):
    english(client).force_login(world.admin)
    data = {
        "target_kind": "unit",
        "target_name": "某校",
        "measures": ["individual:disciplinary_action"],
    }
    body = client.post(reverse("rectification:case_create"), data).content.decode()
    assert "Not a measure against a unit" in body
    assert not AccountabilityCase.all_objects.exists()


def test_case_create_refuses_another_offices_finding(world, client):
    foreign = make_finding(world, school=world.foreign_school, actor=world.other_admin)
    client.force_login(world.admin)
    assert (
        client.get(f"{reverse('rectification:case_create')}?finding={foreign.pk}").status_code
        == 404
    )


def open_case(world, **kwargs):
    defaults = {"office": world.office, "target_kind": "individual", "target_name": "王校长"}
    defaults.update(kwargs)
    return services.open_accountability_case(world.admin, **defaults)


def test_office_records_measures_and_closes_the_case(world, client):
    case = open_case(world)
    url = reverse("rectification:case_detail", args=[case.pk])
    english(client).force_login(world.admin)
    data = {
        "op": "update",
        "measures": ["admonitory_talk", "disciplinary_action"],
        "notes": "已约谈",
    }
    assert client.post(url, data).status_code == 302
    case.refresh_from_db()
    assert case.measures == ["admonitory_talk", "disciplinary_action"] and case.notes == "已约谈"
    body = client.get(url).content.decode()
    assert "Admonitory talk" in body and "Disciplinary action" in body
    assert client.post(url, {"op": "close", "notes": "结案"}).status_code == 302
    case.refresh_from_db()
    assert case.status == "closed" and case.notes.endswith("结案")
    response = client.post(url, {"op": "update", "measures": ["admonitory_talk"], "notes": "改"})
    assert "This case is closed." in message_texts(response)
    case.refresh_from_db()
    assert case.notes.endswith("结案")


def test_viewer_reads_cases_but_cannot_change_them(world, client):
    case = open_case(world)
    client.force_login(world.viewer)
    url = reverse("rectification:case_detail", args=[case.pk])
    body = client.get(url).content.decode()
    assert "王校长" in body and 'name="op"' not in body
    assert client.post(url, {"op": "close"}).status_code == 403
    assert "王校长" in client.get(reverse("rectification:case_list")).content.decode()
    case.refresh_from_db()
    assert case.status == "open"


def test_case_list_filters_by_status(world, client):
    open_case(world, target_name="甲")
    closed = open_case(world, target_name="乙")
    services.close_accountability_case(world.admin, closed)
    client.force_login(world.admin)
    body = client.get(reverse("rectification:case_list"), {"status": "open"}).content.decode()
    assert "甲" in body and ">乙<" not in body


# Query counts ----------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def grow(world, n, start):
    for i in range(start, n):
        f = make_finding(world, school=(world.school, world.zone_school, world.far_school)[i % 3])
        if i % 3 == 0:
            put(f, FindingStatus.URGED, escalated_to="county", is_overdue=True)
        elif i % 3 == 1:
            issue(world, f)
        FollowUp.objects.create(finding=f, result="rejected", checked_at=timezone.now())
        open_case(world, finding=f, target_name=f"对象{i}")


@pytest.mark.parametrize(
    ("name", "role"),
    [
        ("rectification:ledger", "admin"),
        ("rectification:ledger", "inspector"),
        ("rectification:school_findings", "school"),
        ("rectification:escalations", "admin"),
        ("rectification:case_list", "admin"),
        ("rectification:notice_list", "admin"),
    ],
)
def test_list_query_counts_do_not_grow_with_rows(world, client, name, role):
    client.force_login(world.personas()[role])
    url = reverse(name)
    grow(world, 3, 0)
    client.get(url)  # warm the session and caches
    few = count_queries(client, url)
    grow(world, 30, 3)
    many = count_queries(client, url)
    assert many == few


def test_other_school_user_sees_only_its_own_school(world, client):
    mine = make_finding(world)
    theirs = make_finding(world, school=world.zone_school)
    other = UserFactory(role=Role.SCHOOL, office=world.office, school=world.zone_school)
    client.force_login(other)
    assert row_ids(client.get(reverse("rectification:school_findings"))) == {theirs.pk}
    assert client.get(reverse("rectification:finding_detail", args=[mine.pk])).status_code == 404
