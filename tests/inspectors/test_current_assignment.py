"""One meaning of "the current assignment" (在任挂牌): started on or before today and not ended
before it (`end_date` inclusive). Every place that asks "who is this school's responsible
inspector now?" answers the same: the model, the scopes, the workflow roles, the visit
figures, the dashboards, the signboards, the school, inspector and assignment lists and the
home page."""

import datetime

import pytest
from django.urls import reverse

from dudao.accounts import scoping
from dudao.audit.models import AuditEntry
from dudao.dashboards import figures
from dudao.inspectors import services
from dudao.inspectors.models import Assignment, current_assignment_q
from dudao.inspectors.queries import filtered_inspectors
from dudao.rectification import workflow
from dudao.schools.models import School
from dudao.schools.queries import filtered_schools
from dudao.signboards import boards
from dudao.visits.queries import assigned_schools
from tests.factories_supervision import FindingFactory

DAY = datetime.timedelta(days=1)

# (start, end) relative to today, and whether the assignment is current today.
CASES = {
    "future-dated": (lambda t: (t + DAY, None), False),
    "starts-today": (lambda t: (t, None), True),
    "ended-yesterday": (lambda t: (t - 30 * DAY, t - DAY), False),
    "ends-today": (lambda t: (t - 30 * DAY, t), True),
    "open-ended": (lambda t: (t - 30 * DAY, None), True),
}


@pytest.fixture(params=list(CASES.values()), ids=list(CASES))
def case(request, world, today):
    """`world.assignment` (world.inspector → world.school) moved to the case's dates; the
    value is whether it is current today."""
    dates, current = request.param
    start, end = dates(today)
    Assignment.all_objects.filter(pk=world.assignment.pk).update(start_date=start, end_date=end)
    world.assignment.refresh_from_db()
    return current


def _unvisited_inspector(world, today) -> str:
    """The inspector the dashboard names beside the unvisited school (admin's dashboard)."""
    coverage = figures.coverage(figures.scope_for(world.admin), today.year, today.month)
    return next(row["inspector"] for row in coverage["unvisited"] if row["id"] == world.school.pk)


@pytest.mark.any_day
def test_every_place_agrees_on_the_current_assignment(world, case, today, client):
    current = case
    assignment, school, inspector = world.assignment, world.school, world.inspector

    # The model: queryset, Q (directly and through a relation) and the instance.
    assert (assignment in Assignment.all_objects.current()) is current
    assert (assignment in Assignment.all_objects.current(today)) is current
    assert (
        Assignment.all_objects.filter(current_assignment_q(), pk=assignment.pk).exists() is current
    )
    assert (
        School.all_objects.filter(
            current_assignment_q(prefix="assignments__"), assignments__inspector=inspector
        )
        .filter(pk=school.pk)
        .exists()
        is current
    )
    assert assignment.is_current_on(today) is current
    assert assignment.is_current is current

    # Scopes and the workflow's roles: the school is the inspector's exactly when they may act.
    finding = FindingFactory(school=school)
    assert scoping.schools_for(world.inspector_user).filter(pk=school.pk).exists() is current
    assert (workflow.INSPECTOR in workflow.roles_of(world.inspector_user, finding)) is current
    assert assigned_schools(inspector).filter(pk=school.pk).exists() is current

    # Dashboards: the inspector's own scope and the name beside an unvisited school.
    scope = figures.scope_for(world.inspector_user)
    assert scope.schools.filter(pk=school.pk).exists() is current
    assert _unvisited_inspector(world, today) == (inspector.name if current else "")

    # Signboards: the board and the public page name the current inspector only.
    on_board = boards.current_assignment(
        boards.with_current_assignments(School.all_objects.filter(pk=school.pk)).get()
    )
    assert (on_board == assignment) if current else on_board is None

    # The school list's "assigned" filter and the inspector list's school count.
    _form, assigned = filtered_schools(world.admin, {"assigned": "yes"})
    assert assigned.filter(pk=school.pk).exists() is current
    _form, unassigned = filtered_schools(world.admin, {"assigned": "no"})
    assert unassigned.filter(pk=school.pk).exists() is not current
    counted = filtered_inspectors(world.admin, {}).get(pk=inspector.pk)
    assert counted.school_count == (1 if current else 0)

    # Pages: the home page's unassigned count, the zone page, the school page, the list.
    client.force_login(world.admin)
    # far_school is never assigned; zone_school always is.
    assert client.get(reverse("core:home")).context["unassigned_count"] == (1 if current else 2)
    zone_page = client.get(reverse("inspectors:zone_detail", args=[world.zone.pk]))
    assert dict(zone_page.context["rows"])[school] == (inspector if current else None)
    detail = client.get(reverse("schools:detail", args=[school.pk]))
    assert detail.context["current"] == (assignment if current else None)
    listed = client.get(reverse("inspectors:assignment_list"), {"status": "current"})
    assert (assignment in listed.context["page"].object_list) is current


def test_future_dated_assignment_gives_neither_the_school_nor_a_role(world, today):
    """The bug this fixes: a future-dated assignment put the school in `schools_for` while
    the workflow gave the inspector no role on its findings."""
    Assignment.all_objects.filter(pk=world.assignment.pk).update(start_date=today + DAY)
    finding = FindingFactory(school=world.school)
    assert not scoping.schools_for(world.inspector_user).filter(pk=world.school.pk).exists()
    assert workflow.INSPECTOR not in workflow.roles_of(world.inspector_user, finding)
    assert not scoping.findings_for(world.inspector_user).filter(pk=finding.pk).exists()


def test_reassignment_ahead_of_term_keeps_the_current_inspector_until_it_starts(world, today):
    """Reassigning from next week: the old inspector stays responsible until the day before,
    then the new one takes over; the school is never listed twice."""
    new = world.other_inspector
    services.assign_inspector(world.admin, world.school, new, today + 7 * DAY)
    assert [a.inspector for a in world.school.assignments.current()] == [world.inspector]
    assert [a.inspector for a in world.school.assignments.current(today + 7 * DAY)] == [new]
    _form, schools = filtered_schools(world.admin, {"assigned": "yes"})
    rows = schools.filter(pk=world.school.pk).values_list("current__inspector", flat=True)
    assert list(rows) == [world.inspector.pk]
    board = boards.with_current_assignments(School.all_objects.filter(pk=world.school.pk)).get()
    assert boards.current_assignment(board).inspector == world.inspector


def test_upcoming_assignments_are_listed_apart(world, today, client):
    upcoming = Assignment.all_objects.create(
        inspector=world.other_inspector, school=world.far_school, start_date=today + DAY
    )
    client.force_login(world.admin)
    url = reverse("inspectors:assignment_list")
    listed = client.get(url, {"status": "upcoming"}).context["page"].object_list
    assert list(listed) == [upcoming]
    assert upcoming not in client.get(url, {"status": "current"}).context["page"].object_list
    assert upcoming not in client.get(url, {"status": "ended"}).context["page"].object_list
    assert upcoming in client.get(url, {"status": "all"}).context["page"].object_list


def test_deactivating_an_inspector_ends_current_and_cancels_upcoming(world, today):
    upcoming = Assignment.all_objects.create(
        inspector=world.inspector, school=world.far_school, start_date=today + DAY
    )
    services.update_inspector(world.admin, world.inspector, is_active=False)
    world.assignment.refresh_from_db()
    assert world.assignment.end_date == today
    assert not Assignment.all_objects.filter(pk=upcoming.pk).exists()
    assert AuditEntry.all_objects.filter(
        target_type="inspectors.Assignment", target_id=str(upcoming.pk), action="delete"
    ).exists()
    assert not Assignment.all_objects.current(today + DAY).filter(inspector=world.inspector)
