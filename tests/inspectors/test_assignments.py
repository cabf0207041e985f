import datetime

import pytest

from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError
from dudao.inspectors import services
from dudao.inspectors.models import Assignment, RecusalGround
from tests.factories import InspectorFactory, SchoolFactory

D = datetime.date


def test_reassignment_ends_previous_and_keeps_history(world):
    new = InspectorFactory(office=world.office, name="孙督学")
    services.assign_inspector(world.admin, world.school, new, D(2026, 10, 1))
    history = list(world.school.assignments.order_by("start_date"))
    assert [a.inspector for a in history] == [world.inspector, new]
    assert history[0].end_date == D(2026, 9, 30)
    assert history[1].end_date is None
    assert AuditEntry.all_objects.filter(target_type="inspectors.Assignment").count() == 2


def test_assigning_current_inspector_again_is_idempotent(world):
    before = Assignment.all_objects.count()
    again = services.assign_inspector(world.admin, world.school, world.inspector, D(2026, 11, 1))
    assert again.pk == world.assignment.pk
    assert Assignment.all_objects.count() == before


def test_start_date_must_follow_current_assignment(world):
    new = InspectorFactory(office=world.office)
    with pytest.raises(DomainError) as error:
        services.assign_inspector(world.admin, world.school, new, D(2026, 9, 1))
    assert error.value.field == "start_date"
    assert world.school.assignments.count() == 1


def test_recusal_employer_school_is_refused_with_reason(world):
    employed = InspectorFactory(
        office=world.office, name="周校长", kind="principal", employer_school=world.far_school
    )
    with pytest.raises(DomainError) as error:
        services.assign_inspector(world.admin, world.far_school, employed, D(2026, 10, 1))
    assert "周校长" in str(error.value)
    assert "回避" in str(error.value)
    assert not world.far_school.assignments.exists()


def test_recusal_employer_host_school_covers_its_teaching_point(world):
    point = SchoolFactory(
        office=world.office,
        type="teaching_point",
        host_school=world.far_school,
        enrolment_primary=20,
    )
    employed = InspectorFactory(office=world.office, employer_school=world.far_school)
    with pytest.raises(DomainError):
        services.assign_inspector(world.admin, point, employed, D(2026, 10, 1))


def test_recusal_recorded_conflict_names_the_ground(world):
    ground = RecusalGround.objects.create(office=world.office, name="近亲属担任该单位领导")
    services.record_conflict(world.admin, world.other_inspector, world.far_school, ground)
    with pytest.raises(DomainError) as error:
        services.assign_inspector(
            world.admin, world.far_school, world.other_inspector, D(2026, 10, 1)
        )
    assert "近亲属担任该单位领导" in str(error.value)


def test_cross_office_assignment_refused(world):
    with pytest.raises(DomainError):
        services.assign_inspector(
            world.admin, world.school, world.foreign_inspector, D(2026, 10, 1)
        )


def test_parent_inspector_cannot_be_responsible(world):
    parent = InspectorFactory(office=world.office, kind="parent")
    with pytest.raises(DomainError):
        services.assign_inspector(world.admin, world.far_school, parent, D(2026, 10, 1))


def test_inactive_inspector_refused_and_deactivation_ends_assignments(world):
    services.update_inspector(world.admin, world.inspector, is_active=False)
    world.assignment.refresh_from_db()
    assert world.assignment.end_date is not None
    with pytest.raises(DomainError):
        services.assign_inspector(world.admin, world.far_school, world.inspector, D(2026, 12, 1))


def test_end_assignment_twice_is_harmless(world):
    services.end_assignment(world.admin, world.assignment, D(2026, 10, 31))
    services.end_assignment(world.admin, world.assignment, D(2026, 11, 30))
    world.assignment.refresh_from_db()
    assert world.assignment.end_date == D(2026, 10, 31)


def test_end_before_start_refused(world):
    with pytest.raises(DomainError):
        services.end_assignment(world.admin, world.assignment, D(2026, 8, 1))


@pytest.mark.django_db(transaction=True)
def test_database_refuses_two_current_inspectors(world):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        Assignment.all_objects.create(
            inspector=world.other_inspector, school=world.school, start_date=D(2026, 10, 1)
        )


def test_assign_view_via_htmx_returns_fragment(world, login):
    client = login(world.admin)
    new = InspectorFactory(office=world.office, name="吴督学")
    response = client.post(
        f"/schools/{world.far_school.pk}/assign/",
        {"inspector": new.pk, "start_date": "2026-10-01"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert "吴督学" in body
    assert world.far_school.assignments.get().inspector == new


def test_assign_view_shows_recusal_error(world, login):
    client = login(world.admin)
    employed = InspectorFactory(
        office=world.office, name="郑校长", employer_school=world.far_school
    )
    response = client.post(
        f"/schools/{world.far_school.pk}/assign/",
        {"inspector": employed.pk, "start_date": "2026-10-01"},
        HTTP_HX_REQUEST="true",
    )
    assert "回避" in response.content.decode()
    assert not world.far_school.assignments.exists()
