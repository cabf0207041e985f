"""The dashboard figures against a hand-counted November 2026:

- 湖滨小学 (school, inspector 张): submitted visits on 11-02 (twice) and 11-15; a visit on
  2026-08-31 (previous semester); minimums: forum+homework_check, forum, class_attended
- 西湖小学 (zone_school, inspector 赵): one visit on 10-30 (homework_check)
- 城东中学 (far_school): only a draft on 11-20, so never visited
"""

import datetime

import pytest

from dudao.inspectors.models import Inspector
from dudao.schools.models import School
from dudao.visits import queries
from dudao.visits.models import Visit
from tests.factories_supervision import VisitFactory, at

D = datetime.date


@pytest.fixture
def november(world):
    def visit(school, inspector, day, minimums=(), status=Visit.Status.SUBMITTED, hour=9):
        return VisitFactory(
            school=school,
            inspector=inspector,
            created_by=world.admin,
            visited_at=at(day, hour),
            minimums=list(minimums),
            status=status,
        )

    visit(world.school, world.inspector, D(2026, 11, 2), ["forum", "homework_check"])
    visit(world.school, world.inspector, D(2026, 11, 2), ["forum"], hour=15)
    visit(world.school, world.inspector, D(2026, 11, 15), ["class_attended"])
    visit(world.school, world.inspector, D(2026, 8, 31), ["principal_briefing"])
    visit(world.zone_school, world.other_inspector, D(2026, 10, 30), ["homework_check"])
    visit(world.far_school, None, D(2026, 11, 20), ["forum"], status=Visit.Status.DRAFT)
    return world


def office_schools(world):
    return School.all_objects.filter(office=world.office)


@pytest.mark.parametrize(
    ("day", "start", "end", "label"),
    [
        (D(2026, 9, 1), D(2026, 9, 1), D(2027, 1, 31), "2026-2027学年第一学期"),
        (D(2026, 11, 23), D(2026, 9, 1), D(2027, 1, 31), "2026-2027学年第一学期"),
        (D(2027, 1, 31), D(2026, 9, 1), D(2027, 1, 31), "2026-2027学年第一学期"),
        (D(2027, 2, 1), D(2027, 2, 1), D(2027, 8, 31), "2026-2027学年第二学期"),
        (D(2026, 8, 31), D(2026, 2, 1), D(2026, 8, 31), "2025-2026学年第二学期"),
        (D(2028, 2, 29), D(2028, 2, 1), D(2028, 8, 31), "2027-2028学年第二学期"),
    ],
)
def test_semester_boundaries(day, start, end, label):
    semester = queries.semester_of(day)
    assert (semester.start, semester.end, semester.label) == (start, end, label)
    assert day in semester


def test_month_range_handles_february_and_december():
    assert queries.month_range(2028, 2) == (D(2028, 2, 1), D(2028, 2, 29))
    assert queries.month_range(2026, 12) == (D(2026, 12, 1), D(2026, 12, 31))


def test_visits_per_school_in_a_month(november, django_assert_num_queries):
    w = november
    with django_assert_num_queries(2):
        counts = queries.visits_per_school(office_schools(w), 2026, 11)
    assert counts == {w.school.pk: 3, w.zone_school.pk: 0, w.far_school.pk: 0}
    assert queries.visits_per_school(office_schools(w), 2026, 10)[w.zone_school.pk] == 1


def test_schools_not_visited_this_month(november):
    w = november
    names = lambda qs: sorted(s.name for s in qs)  # noqa: E731
    assert names(queries.not_visited_in_office(w.office, 2026, 11)) == ["城东中学", "西湖小学"]
    assert names(queries.not_visited_in_zone(w.zone, 2026, 11)) == ["西湖小学"]
    assert names(queries.not_visited_for_inspector(w.inspector, 2026, 11)) == []
    assert names(queries.not_visited_for_inspector(w.other_inspector, 2026, 11)) == ["西湖小学"]
    assert names(queries.not_visited_for_inspector(w.other_inspector, 2026, 10)) == []
    # The other county's school is never in this office's figures.
    assert w.foreign_school not in queries.not_visited_in_office(w.office, 2026, 11)


def test_inactive_schools_need_no_visit(november):
    School.all_objects.filter(pk=november.far_school.pk).update(is_active=False)
    assert [s.name for s in queries.not_visited_in_office(november.office, 2026, 11)] == [
        "西湖小学"
    ]


def test_days_since_last_visit(november, django_assert_num_queries):
    w = november
    with django_assert_num_queries(1):
        days = queries.days_since_last_visit(office_schools(w), today=D(2026, 11, 23))
    assert days == {w.school.pk: 8, w.zone_school.pk: 24, w.far_school.pk: None}


def test_six_minimums_progress_counts_this_semester_only(november, django_assert_num_queries):
    # the schools, their offices' rules (docs/rules.md §8), the semester's visits
    w = november
    with django_assert_num_queries(3):
        progress = queries.six_minimums_progress(office_schools(w), D(2026, 11, 23))
    assert progress[w.school.pk] == {
        "homework_check": 1,
        "after_school_service": 0,
        "class_attended": 1,
        "lesson_preparation": 0,
        "forum": 2,
        "principal_briefing": 0,  # the 08-31 briefing belongs to the spring semester
    }
    assert progress[w.zone_school.pk]["homework_check"] == 1
    assert sum(progress[w.far_school.pk].values()) == 0  # drafts do not count
    assert queries.minimums_missing(progress[w.school.pk]) == [
        "after_school_service",
        "lesson_preparation",
        "principal_briefing",
    ]
    spring = queries.six_minimums_progress(office_schools(w), D(2026, 8, 1))
    assert spring[w.school.pk]["principal_briefing"] == 1


def test_days_in_the_field_counts_distinct_dates(november, django_assert_num_queries):
    w = november
    inspectors = Inspector.all_objects.filter(office=w.office)
    with django_assert_num_queries(2):
        days = queries.days_in_field(inspectors, 2026, 11)
    assert days[w.inspector.pk] == 2  # 11-02 twice + 11-15
    assert days[w.other_inspector.pk] == 0
    assert days[w.leader.pk] == 0
    assert queries.days_in_field(inspectors, 2026, 10)[w.other_inspector.pk] == 1


def test_visit_late_in_the_evening_counts_on_the_local_date(world):
    # 23:30 Beijing time on 11-30 is 15:30 UTC: still November locally.
    VisitFactory(school=world.school, created_by=world.admin, visited_at=at(D(2026, 11, 30), 23))
    assert queries.visits_per_school(office_schools(world), 2026, 11)[world.school.pk] == 1
    assert queries.visits_per_school(office_schools(world), 2026, 12)[world.school.pk] == 0
