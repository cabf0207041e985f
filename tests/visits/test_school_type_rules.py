"""School-type rules as data (issue 11 §3, docs/rules.md §4, §6, §8): the six minimums
asked per school type, the items per type, the office admin's page and service."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError, NotPermitted
from dudao.dashboards import figures
from dudao.visits import queries, school_rules, services
from dudao.visits.models import SchoolTypeRule, SixMinimum
from tests.factories import SchoolFactory
from tests.factories_supervision import VisitFactory

pytestmark = pytest.mark.any_day

ALL_SIX = list(SixMinimum.values)


def kindergarten(world, **kwargs):
    return SchoolFactory(
        office=world.office,
        zone=world.zone,
        name="湖滨幼儿园",
        type="kindergarten",
        enrolment_primary=0,
        enrolment_kindergarten=200,
        **kwargs,
    )


def test_defaults_ask_the_six_minimums_of_compulsory_types_only(world):
    book = school_rules.RuleBook([world.office.pk])
    for school_type in ("primary", "junior", "nine_year", "twelve_year", "teaching_point"):
        assert book.minimums(world.office.pk, school_type) == ALL_SIX, school_type
    for school_type in ("kindergarten", "senior", "vocational"):
        assert book.minimums(world.office.pk, school_type) == [], school_type
    assert [i.zh for i in book.items(world.office.pk, "kindergarten")] == [
        "办园条件",
        "安全卫生",
        "保育教育",
        "教职工队伍",
        "内部管理",
    ]
    assert [i.number for i in book.items(world.office.pk, "primary")] == list(range(1, 9))


def test_a_kindergarten_is_never_asked_for_a_homework_check(world, today):
    kg = kindergarten(world)
    VisitFactory(created_by=world.admin, school=kg, minimums=["forum"])
    VisitFactory(created_by=world.admin, school=world.school, minimums=["homework_check"])
    schools = queries.School.objects.unscoped().filter(pk__in=[kg.pk, world.school.pk])
    progress = queries.six_minimums_progress(schools, today)
    assert progress[kg.pk] == {}
    assert queries.minimums_missing(progress[kg.pk]) == []
    assert progress[world.school.pk]["homework_check"] == 1
    assert len(queries.minimums_missing(progress[world.school.pk])) == 5


def test_the_office_sets_the_minimums_of_a_type(world, today):
    services.save_school_type_rule(
        world.admin,
        world.office,
        "primary",
        items=list(range(1, 9)),
        minimums=["forum", "class_attended"],
        visits=1,
        period="month",
    )
    VisitFactory(created_by=world.admin, school=world.school, minimums=["forum"])
    schools = queries.School.objects.unscoped().filter(pk=world.school.pk)
    progress = queries.six_minimums_progress(schools, today)
    assert progress[world.school.pk] == {"class_attended": 0, "forum": 1}
    entry = AuditEntry.objects.unscoped().filter(office_id=world.office.pk).latest("pk")
    assert entry.target_type.lower().endswith("schooltyperule")


@pytest.mark.parametrize("per_school", [True, False])
def test_figures_count_a_school_only_against_the_minimums_of_its_type(world, today, per_school):
    kg = kindergarten(world)
    VisitFactory(created_by=world.admin, school=world.school, minimums=ALL_SIX)
    VisitFactory(created_by=world.admin, school=world.zone_school, minimums=["forum"])
    scope = figures.scope_for(world.admin, zone=world.zone)
    six = figures.complete_distribution(
        figures.six_minimums(scope, today, per_school), scope.schools.filter(is_active=True).count()
    )
    # 湖滨 all six, 西湖 one, the kindergarten (asked none, not visited) nothing missing
    expected = [0] * 7
    expected[6] += 2
    expected[1] += 1
    zone_schools = scope.schools.filter(is_active=True).count()
    expected[0] += zone_schools - 3
    assert six["distribution"] == expected
    assert six["complete"] == 2
    if per_school:
        assert six["schools"][kg.pk] == {"done": 6, "asked": 0, "missing": []}


def test_only_the_office_admin_sets_rules(world):
    personas = world.personas()
    for role in ("inspector", "zone_leader", "school", "viewer", "other_admin", "superuser"):
        user = personas[role]
        with pytest.raises(NotPermitted):
            services.save_school_type_rule(
                user, world.office, "kindergarten", items=[9], minimums=[], visits=1, period="month"
            )
    assert not SchoolTypeRule.objects.exists()


def test_a_rule_is_checked(world):
    def save(**fields):
        base = {"items": [1], "minimums": [], "visits": 1, "period": "month"}
        return services.save_school_type_rule(world.admin, world.office, "senior", **base | fields)

    for bad in ({"items": []}, {"items": [99]}, {"visits": 0}, {"period": "week"}):
        with pytest.raises(DomainError):
            save(**bad)
    with pytest.raises(DomainError):
        save(large_from=1000, large_visits=None, large_period="year")
    rule = save(minimums=["forum", "homework_check", "bogus"], with_host=True)
    assert rule.minimums == ["homework_check", "forum"]  # known ones, in order
    assert rule.with_host is False  # only teaching points follow their host
    assert save(minimums=["forum", "homework_check"], with_host=True).version == 1  # no change


def test_the_rules_page_edits_a_type(world, client):
    client.force_login(world.admin)
    page = client.get(reverse("visits:school_rules"))
    assert page.status_code == 200
    assert "办园条件" in page.content.decode() or "Kindergarten conditions" in page.content.decode()
    url = reverse("visits:school_rule_edit", args=["kindergarten"])
    assert client.get(url).status_code == 200
    answer = client.post(url, {"items": ["9", "10", "6"], "visits": "2", "period": "year"})
    assert answer.status_code == 302
    rule = SchoolTypeRule.objects.get(office=world.office, school_type="kindergarten")
    assert (rule.items, rule.minimums, rule.visits, rule.period) == ([6, 9, 10], [], 2, "year")
    assert client.get(reverse("visits:school_rule_edit", args=["castle"])).status_code == 404


def test_submitting_fills_in_the_items_of_the_school_type(world):
    kg = kindergarten(world)
    visit = services.submit_visit(
        world.admin,
        uuid.uuid4(),
        school=kg,
        visited_at=timezone.now() - datetime.timedelta(minutes=5),
        areas=[{"area": 10, "status": "fine"}],
    )
    assert sorted(visit.area_checks.values_list("area", flat=True)) == [9, 10, 11, 12, 13]


def test_the_visit_form_shows_the_items_of_the_school_type(world, client):
    kg = kindergarten(world)
    client.force_login(world.admin)
    page = client.get(reverse("visits:new", args=[kg.pk])).content.decode()
    assert 'data-testid="area-9"' in page and 'data-testid="area-13"' in page
    assert 'data-testid="area-1"' not in page
    assert 'name="minimums"' not in page  # no six minimums asked of a kindergarten
    page = client.get(reverse("visits:new", args=[world.school.pk])).content.decode()
    assert 'data-testid="area-1"' in page and 'data-testid="area-9"' not in page
    assert 'value="homework_check"' in page
    services.save_school_type_rule(
        world.admin,
        world.office,
        "primary",
        items=[1, 6],
        minimums=["forum"],
        visits=1,
        period="month",
    )
    page = client.get(reverse("visits:new", args=[world.school.pk])).content.decode()
    assert 'data-testid="area-6"' in page and 'data-testid="area-2"' not in page
    assert 'value="forum"' in page and 'value="homework_check"' not in page
