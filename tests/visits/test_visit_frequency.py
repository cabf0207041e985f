"""Visit frequency per school type and size, and teaching points visited with their host
(issue 11 §3, docs/rules.md §6): coverage and the "not visited" lists follow the rules."""

import datetime

import pytest
from django.utils import timezone

from dudao.dashboards import figures
from dudao.schools.models import School
from dudao.visits import queries, services
from dudao.visits.school_rules import window
from tests.factories import SchoolFactory
from tests.factories_supervision import VisitFactory

D = datetime.date


@pytest.mark.parametrize(
    ("visits", "period", "day", "expected"),
    [
        (1, "month", D(2026, 11, 23), (D(2026, 11, 1), D(2026, 11, 30), 1)),
        (3, "month", D(2028, 2, 29), (D(2028, 2, 1), D(2028, 2, 29), 3)),
        # twice a school year is once a semester
        (2, "year", D(2026, 11, 23), (D(2026, 9, 1), D(2027, 1, 31), 1)),
        (2, "year", D(2027, 1, 1), (D(2026, 9, 1), D(2027, 1, 31), 1)),
        (2, "year", D(2027, 3, 31), (D(2027, 2, 1), D(2027, 8, 31), 1)),
        (1, "year", D(2027, 7, 20), (D(2026, 9, 1), D(2027, 8, 31), 1)),
        (1, "semester", D(2026, 9, 1), (D(2026, 9, 1), D(2027, 1, 31), 1)),
        (2, "semester", D(2026, 12, 1), (D(2026, 12, 1), D(2027, 1, 31), 1)),
        (12, "year", D(2026, 11, 23), (D(2026, 11, 1), D(2026, 11, 30), 1)),
        (10, "semester", D(2026, 10, 5), (D(2026, 10, 1), D(2026, 10, 31), 2)),
    ],
)
def test_windows(visits, period, day, expected):
    found = window(visits, period, day)
    assert (found.start, found.end, found.required) == expected


def _visit(world, school, moment):
    return VisitFactory(
        created_by=world.admin,
        school=school,
        visited_at=moment,
        visited_on=timezone.localdate(moment),
        submitted_at=moment,
    )


def _earliest_this_semester(today) -> datetime.datetime:
    start = queries.semester_of(today).start
    at = datetime.datetime.combine(start, datetime.time(10), timezone.get_current_timezone())
    return min(at, timezone.now() - datetime.timedelta(minutes=1))


def _unvisited(world, today):
    schools = School.objects.unscoped().filter(office=world.office)
    return set(queries.schools_not_visited(schools, today.year, today.month))


@pytest.mark.any_day
def test_large_schools_twice_a_year_small_ones_once(world, today):
    services.save_school_type_rule(
        world.admin,
        world.office,
        "primary",
        items=list(range(1, 9)),
        minimums=[],
        visits=1,
        period="year",
        large_from=500,
        large_visits=2,
        large_period="year",
    )
    School.objects.unscoped().filter(pk=world.zone_school.pk).update(enrolment_primary=300)
    assert world.school.enrolment_primary >= 500  # large: once a semester
    assert _unvisited(world, today) == {world.school, world.zone_school, world.far_school}
    _visit(world, world.school, _earliest_this_semester(today))
    unvisited = _unvisited(world, today)
    assert world.school not in unvisited  # visited this half-year: not "not visited"
    # a small school visited once in this school year is covered for the year
    year_start = datetime.datetime(
        queries.semester_of(today).school_year, 9, 1, 10, tzinfo=timezone.get_current_timezone()
    )
    _visit(world, world.zone_school, min(year_start, timezone.now()))
    assert _unvisited(world, today) == {world.far_school}
    # the dashboard's coverage counts the same way
    scope = figures.scope_for(world.admin)
    cov = figures.coverage(scope, today.year, today.month)
    assert cov["unvisited_total"] == 1
    assert [row["id"] for row in cov["unvisited"]] == [world.far_school.pk]
    assert cov["visited"] == cov["total"] - 1


@pytest.mark.any_day
def test_a_visit_to_the_host_covers_its_teaching_points_when_the_office_says_so(world, today):
    point = SchoolFactory(
        office=world.office,
        zone=world.zone,
        name="湖滨小学山前教学点",
        type="teaching_point",
        host_school=world.school,
    )
    _visit(world, world.school, timezone.now() - datetime.timedelta(minutes=5))
    assert point in _unvisited(world, today)  # default: teaching points on their own
    services.save_school_type_rule(
        world.admin,
        world.office,
        "teaching_point",
        items=list(range(1, 9)),
        minimums=[],
        visits=1,
        period="month",
        with_host=True,
    )
    assert point not in _unvisited(world, today)
    assert world.zone_school in _unvisited(world, today)
    cov = figures.coverage(figures.scope_for(world.admin), today.year, today.month)
    assert point.pk not in {row["id"] for row in cov["unvisited"]}


@pytest.mark.any_day
def test_several_visits_a_month(world, today):
    services.save_school_type_rule(
        world.admin, world.office, "primary", items=[1], minimums=[], visits=2, period="month"
    )
    _visit(world, world.school, timezone.now() - datetime.timedelta(minutes=5))
    assert world.school in _unvisited(world, today)
    _visit(world, world.school, timezone.now() - datetime.timedelta(minutes=3))
    assert world.school not in _unvisited(world, today)
