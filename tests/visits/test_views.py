"""The visit screens: each page per role, the phone form round trip, autosave and double
submission, scoping of visits and schools."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from dudao.audit.models import AuditEntry
from dudao.rectification.models import FindingStatus
from dudao.visits import services
from dudao.visits.models import AreaCheck, Visit
from tests.clock import DEFAULT_NOW
from tests.factories import AssignmentFactory, SchoolFactory, school_year_start
from tests.factories_supervision import FindingFactory, VisitFactory, at

TODAY = DEFAULT_NOW.date()  # the pinned clock's today (tests/clock.py)


def form_data(client_uuid=None, **extra):
    data = {
        "client_uuid": str(client_uuid or uuid.uuid4()),
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "unannounced": "on",
        "methods": ["campus_walk", "class_visit"],
        "minimums": ["homework_check"],
        "area_1_status": "fine",
        "area_6_status": "problem",
        "area_6_note": "消防通道堆放杂物",
        # the item's finding, recorded with the visit (docs/rules.md §7)
        "area_6_severity": "general",
        "area_6_deadline_kind": "by_date",
        "area_6_deadline": (timezone.localdate() + datetime.timedelta(days=14)).isoformat(),
        "area_6_required_action": "清理消防通道杂物",
        "feedback": "请尽快清理消防通道",
        "summary": "上午巡查",
    }
    data.update(extra)
    return data


def submitted_visit(world, school=None, **kwargs):
    school = school or world.school
    kwargs.setdefault("created_by", world.inspector_user)
    kwargs.setdefault("inspector", world.inspector)
    return VisitFactory(school=school, **kwargs)


# --- my schools --------------------------------------------------------------------------


@pytest.mark.any_day
def test_my_schools_lists_assigned_schools_unvisited_first(world, client):
    other = SchoolFactory(office=world.office, zone=world.zone, name="阿城小学")
    AssignmentFactory(inspector=world.inspector, school=other, start_date=school_year_start())
    submitted_visit(world, minimums=["homework_check", "forum"])
    FindingFactory(school=world.school, status=FindingStatus.OPEN, is_overdue=True)
    FindingFactory(school=world.school, status=FindingStatus.URGED)
    FindingFactory(school=world.school, status=FindingStatus.CLOSED, closed_at=timezone.now())
    client.cookies["django_language"] = "en"
    client.force_login(world.inspector_user)
    response = client.get(reverse("visits:my_schools"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["school"] for r in rows] == [other, world.school]  # unvisited first
    visited = rows[1]
    assert visited["visits"] == 1
    assert visited["days_since"] == 0
    assert visited["open_findings"] == 2
    assert visited["overdue_findings"] == 1
    assert visited["minimums_done"] == 2
    assert len(visited["minimums_missing"]) == 4
    assert rows[0]["days_since"] is None
    body = response.content.decode()
    assert "西湖小学" not in body  # the other inspector's school
    assert reverse("visits:new", args=[world.school.pk]) in body
    assert "Not visited yet" in body


@pytest.mark.any_day
def test_my_schools_month_switcher(world, client, today):
    submitted_visit(world)
    client.force_login(world.inspector_user)
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    response = client.get(reverse("visits:my_schools"), {"month": last_month})
    assert response.status_code == 200
    assert response.context["month_value"] == last_month
    assert all(r["visits"] == 0 for r in response.context["rows"])
    # A bad month falls back to the current one.
    response = client.get(reverse("visits:my_schools"), {"month": "2026-13"})
    assert response.context["month_value"] == today.strftime("%Y-%m")


def test_zone_leader_sees_only_own_assigned_schools(world, client):
    own = SchoolFactory(office=world.office, zone=world.zone, name="组长小学")
    AssignmentFactory(inspector=world.leader, school=own, start_date=school_year_start())
    client.force_login(world.zone_leader)
    rows = client.get(reverse("visits:my_schools")).context["rows"]
    assert [r["school"] for r in rows] == [own]


def test_office_admin_picks_an_inspector(world, client):
    client.force_login(world.admin)
    response = client.get(reverse("visits:my_schools"))
    assert response.status_code == 200 and response.context["rows"] == []
    response = client.get(reverse("visits:my_schools"), {"inspector": world.inspector.pk})
    assert [r["school"] for r in response.context["rows"]] == [world.school]
    client.force_login(world.other_admin)
    response = client.get(reverse("visits:my_schools"), {"inspector": world.inspector.pk})
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["school", "viewer"])
def test_my_schools_refused_for_other_roles(world, client, role):
    client.force_login(world.personas()[role])
    assert client.get(reverse("visits:my_schools")).status_code == 403


def test_my_schools_query_count_does_not_grow(world, client, django_assert_max_num_queries):
    client.force_login(world.inspector_user)
    url = reverse("visits:my_schools")
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    baseline = len(few.captured_queries)
    for n in range(12):
        school = SchoolFactory(office=world.office, zone=world.zone)
        AssignmentFactory(inspector=world.inspector, school=school, start_date=school_year_start())
        submitted_visit(world, school=school, minimums=["forum"])
        FindingFactory(school=school, is_overdue=bool(n % 2))
    with django_assert_max_num_queries(baseline) as many:
        response = client.get(url)
    assert len(response.context["rows"]) == 13
    assert len(many.captured_queries) == baseline


# --- the form ----------------------------------------------------------------------------


def test_new_form_renders_uuid_and_defaults(world, client):
    client.force_login(world.inspector_user)
    response = client.get(reverse("visits:new", args=[world.school.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    uuid.UUID(str(form["client_uuid"].value()))
    assert form["unannounced"].value() is True
    body = response.content.decode()
    assert 'accept="image/*" capture="environment"' in body
    autosave_url = reverse("visits:autosave", args=[world.school.pk])
    assert f'hx-post="{autosave_url}"' in body
    assert 'hx-trigger="change delay:1s, keyup delay:3s"' in body
    assert body.count('type="radio"') == 8 * 3 + 8 * 2  # result, and how a finding is fixed


@pytest.mark.any_day
def test_form_round_trip_submit(world, client):
    client.force_login(world.inspector_user)
    key = uuid.uuid4()
    response = client.post(
        reverse("visits:new", args=[world.school.pk]), form_data(key, submit="1")
    )
    visit = Visit.all_objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:detail", args=[visit.pk])
    assert visit.client_uuid == key
    assert visit.status == Visit.Status.SUBMITTED
    assert visit.inspector == world.inspector
    assert visit.unannounced is True
    assert visit.methods == ["campus_walk", "class_visit"]
    assert visit.minimums == ["homework_check"]
    assert visit.feedback == "请尽快清理消防通道"
    checks = {c.area: (c.status, c.note) for c in visit.area_checks.all()}
    assert len(checks) == 8
    assert checks[1] == (AreaCheck.Status.FINE, "")
    assert checks[6] == (AreaCheck.Status.PROBLEM, "消防通道堆放杂物")
    assert checks[2][0] == AreaCheck.Status.NOT_CHECKED
    detail = client.get(response["Location"])
    body = detail.content.decode()
    assert "消防通道堆放杂物" in body and "请尽快清理消防通道" in body
    assert f'data-visit-submitted="{key}"' in body


def test_save_draft_then_continue_then_submit(world, client):
    client.force_login(world.inspector_user)
    key = uuid.uuid4()
    response = client.post(
        reverse("visits:new", args=[world.school.pk]), form_data(key, save="1", summary="草稿")
    )
    draft = Visit.all_objects.get()
    assert draft.is_draft and draft.summary == "草稿"
    assert response["Location"] == reverse("visits:edit", args=[draft.pk])
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["form"]["summary"].value() == "草稿"
    assert str(page.context["form"]["client_uuid"].value()) == str(key)
    response = client.post(
        reverse("visits:edit", args=[draft.pk]), form_data(key, submit="1", summary="定稿")
    )
    assert response["Location"] == reverse("visits:detail", args=[draft.pk])
    draft.refresh_from_db()
    assert draft.status == Visit.Status.SUBMITTED and draft.summary == "定稿"
    # Submitted visits are no longer editable: the edit page goes to the visit.
    response = client.get(reverse("visits:edit", args=[draft.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("visits:detail", args=[draft.pk])


def test_autosave_then_submit_gives_one_visit(world, client):
    client.force_login(world.inspector_user)
    key = uuid.uuid4()
    url = reverse("visits:autosave", args=[world.school.pk])
    for summary in ("第一次", "第二次"):
        response = client.post(url, form_data(key, summary=summary), HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        assert "autosave-ok" in response.content.decode()
    draft = Visit.all_objects.get()
    assert draft.is_draft and draft.summary == "第二次"
    assert f'data-visit="{draft.pk}"' in response.content.decode()
    client.post(reverse("visits:new", args=[world.school.pk]), form_data(key, submit="1"))
    assert Visit.all_objects.count() == 1
    assert Visit.all_objects.get().status == Visit.Status.SUBMITTED
    # Autosave after submission changes nothing and says so.
    response = client.post(url, form_data(key, summary="迟到的自动保存"))
    assert "autosave-error" in response.content.decode()
    assert Visit.all_objects.get().summary == "上午巡查"


def test_double_submit_same_uuid_gives_one_visit(world, client):
    client.force_login(world.inspector_user)
    key = uuid.uuid4()
    url = reverse("visits:new", args=[world.school.pk])
    first = client.post(url, form_data(key, submit="1"))
    second = client.post(url, form_data(key, submit="1", feedback="重复提交"))
    assert Visit.all_objects.count() == 1
    visit = Visit.all_objects.get()
    assert first["Location"] == second["Location"] == reverse("visits:detail", args=[visit.pk])
    assert visit.feedback == "请尽快清理消防通道"


def test_domain_error_shown_on_field_and_nothing_changes(world, client):
    client.force_login(world.inspector_user)
    future = (timezone.localtime() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    audit_before = AuditEntry.all_objects.count()
    response = client.post(
        reverse("visits:new", args=[world.school.pk]), form_data(visited_at=future, submit="1")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["visited_at"]
    assert Visit.all_objects.count() == 0
    assert AuditEntry.all_objects.count() == audit_before


def test_submit_without_time_is_refused(world, client):
    client.force_login(world.inspector_user)
    response = client.post(
        reverse("visits:new", args=[world.school.pk]), form_data(visited_at="", submit="1")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["visited_at"]
    assert not Visit.all_objects.filter(status=Visit.Status.SUBMITTED).exists()


def test_inspector_cannot_record_for_a_school_not_assigned(world, client):
    client.force_login(world.inspector_user)
    for school in (world.zone_school, world.far_school, world.foreign_school):
        assert client.get(reverse("visits:new", args=[school.pk])).status_code == 404
        response = client.post(reverse("visits:new", args=[school.pk]), form_data(submit="1"))
        assert response.status_code == 404
        response = client.post(reverse("visits:autosave", args=[school.pk]), form_data())
        assert response.status_code == 404
    assert Visit.all_objects.count() == 0


def test_zone_leader_cannot_record_for_zone_schools_not_assigned(world, client):
    client.force_login(world.zone_leader)
    assert client.get(reverse("visits:new", args=[world.school.pk])).status_code == 404


def test_office_admin_may_record(world, client):
    client.force_login(world.admin)
    response = client.post(reverse("visits:new", args=[world.far_school.pk]), form_data(submit="1"))
    assert response.status_code == 302
    assert Visit.all_objects.get().school == world.far_school


@pytest.mark.parametrize("role", ["school", "viewer"])
def test_new_refused_for_readers(world, client, role):
    client.force_login(world.personas()[role])
    assert client.get(reverse("visits:new", args=[world.school.pk])).status_code == 403


def test_uuid_of_another_users_visit_is_refused(world, client, other_inspector_user):
    key = uuid.uuid4()
    services.save_draft(world.admin, world.school, key, summary="管理员草稿")
    client.force_login(world.inspector_user)
    response = client.post(
        reverse("visits:new", args=[world.school.pk]), form_data(key, submit="1")
    )
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    visit = Visit.all_objects.get()
    assert visit.is_draft and visit.summary == "管理员草稿"


def test_other_users_draft_is_not_editable(world, client, other_inspector_user):
    draft = services.save_draft(world.inspector_user, world.school, uuid.uuid4())
    client.force_login(other_inspector_user)
    assert client.get(reverse("visits:edit", args=[draft.pk])).status_code == 404
    assert client.get(reverse("visits:detail", args=[draft.pk])).status_code == 404
    client.force_login(world.admin)  # the office admin may continue it
    assert client.get(reverse("visits:edit", args=[draft.pk])).status_code == 200


def test_delete_draft(world, client):
    draft = services.save_draft(world.inspector_user, world.school, uuid.uuid4())
    client.force_login(world.inspector_user)
    response = client.post(reverse("visits:delete_draft", args=[draft.pk]))
    assert response.status_code == 302
    assert not Visit.all_objects.exists()


def test_submitted_visit_cannot_be_deleted(world, client):
    visit = submitted_visit(world)
    client.force_login(world.inspector_user)
    response = client.post(reverse("visits:delete_draft", args=[visit.pk]))
    assert response.status_code == 302
    assert Visit.all_objects.filter(pk=visit.pk).exists()


# --- reading -----------------------------------------------------------------------------


def test_detail_shows_findings_and_offers_add_finding_only_when_url_exists(world, client):
    visit = submitted_visit(world)
    FindingFactory(school=world.school, visit=visit, description="食堂留样不全")
    client.force_login(world.inspector_user)
    response = client.get(reverse("visits:detail", args=[visit.pk]))
    assert "食堂留样不全" in response.content.decode()
    from django.urls import NoReverseMatch

    try:
        expected = reverse("rectification:finding_create") + f"?visit={visit.pk}"
    except NoReverseMatch:
        expected = None
    assert response.context["finding_create_url"] == expected


def test_inspector_cannot_see_another_inspectors_school_visits(world, client, other_inspector_user):
    visit = submitted_visit(
        world,
        school=world.zone_school,
        inspector=world.other_inspector,
        created_by=other_inspector_user,
    )
    client.force_login(world.inspector_user)
    assert client.get(reverse("visits:detail", args=[visit.pk])).status_code == 404
    body = client.get(reverse("visits:list")).content.decode()
    assert "西湖小学" not in body
    client.force_login(world.zone_leader)  # the zone leader sees the zone's visits
    assert client.get(reverse("visits:detail", args=[visit.pk])).status_code == 200


def test_school_user_sees_only_its_submitted_visits(world, client):
    own = submitted_visit(world, notes="内部备注")
    draft = submitted_visit(world, status=Visit.Status.DRAFT, submitted_at=None)
    other = submitted_visit(world, school=world.zone_school, inspector=world.other_inspector)
    client.force_login(world.school_user)
    response = client.get(reverse("visits:detail", args=[own.pk]))
    assert response.status_code == 200
    assert "内部备注" not in response.content.decode()  # internal notes stay internal
    assert client.get(reverse("visits:detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("visits:detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("visits:list")).status_code == 403
    assert client.get(reverse("visits:new", args=[world.school.pk])).status_code == 403


def test_list_filters_and_drafts_only_for_recorder(world, client, other_inspector_user):
    submitted_visit(world, visited_at=at(TODAY))
    mine = services.save_draft(world.inspector_user, world.school, uuid.uuid4())
    other = submitted_visit(
        world,
        school=world.zone_school,
        inspector=world.other_inspector,
        created_by=other_inspector_user,
    )
    client.force_login(world.inspector_user)
    page = client.get(reverse("visits:list")).context["page"]
    assert mine in page.object_list and other not in page.object_list
    page = client.get(reverse("visits:list"), {"status": "draft"}).context["page"]
    assert list(page.object_list) == [mine]
    client.force_login(world.admin)
    page = client.get(reverse("visits:list")).context["page"]
    assert mine not in page.object_list and other in page.object_list
    page = client.get(reverse("visits:list"), {"school": world.zone_school.pk}).context["page"]
    assert list(page.object_list) == [other]
    month = TODAY.strftime("%Y-%m")
    page = client.get(reverse("visits:list"), {"month": month}).context["page"]
    assert len(page.object_list) == 2
    page = client.get(reverse("visits:list"), {"month": "2020-01"}).context["page"]
    assert len(page.object_list) == 0
    page = client.get(reverse("visits:list"), {"inspector": world.other_inspector.pk}).context[
        "page"
    ]
    assert list(page.object_list) == [other]
    response = client.get(reverse("visits:list"), HTTP_HX_REQUEST="true")
    assert response.templates[0].name == "visits/_table.html"


def test_list_query_count_does_not_grow(world, client, django_assert_max_num_queries):
    client.force_login(world.admin)
    submitted_visit(world)
    url = reverse("visits:list")
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    baseline = len(few.captured_queries)
    for _ in range(20):
        school = SchoolFactory(office=world.office, zone=world.zone)
        visit = submitted_visit(world, school=school)
        FindingFactory(school=school, visit=visit)
    with django_assert_max_num_queries(baseline):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 21


def test_autosave_with_a_bad_form_says_not_saved(world, client):
    client.force_login(world.inspector_user)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("visits:autosave", args=[world.school.pk]),
        form_data(client_uuid="not-a-uuid") | {"client_uuid": "not-a-uuid"},
    )
    assert response.status_code == 200
    assert "Not saved:" in response.content.decode()
    assert not Visit.all_objects.exists()
