"""Training services (docs/rules.md §29): sessions happen once per form, attendance credits
the session's hours (or fewer, never more; none when absent or excused), materials are
checked uploads, and the office sets its yearly requirement."""

import datetime
import decimal
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError, StaleObject
from dudao.inspectors.models import Inspector
from dudao.training import services
from dudao.training.models import (
    DEFAULT_YEARLY_HOURS,
    Attendance,
    Material,
    Session,
    yearly_hours_for,
)

from .conftest import make_session

D = decimal.Decimal
DAY = datetime.timedelta(days=1)
Presence = Attendance.Presence


def test_a_session_is_created_once_per_form(world, today):
    key = uuid.uuid4()
    first = services.create_session(
        world.admin, world.office, request_key=key, topic="法规讲座", date=today, hours=D("3")
    )
    again = services.create_session(
        world.admin, world.office, request_key=key, topic="法规讲座", date=today, hours=D("3")
    )
    assert first.pk == again.pk
    assert Session.objects.unscoped().count() == 1
    assert first.created_by == world.admin
    assert AuditEntry.objects.unscoped().filter(target_type="training.Session").count() == 1


@pytest.mark.parametrize("hours", ["0", "-1", "abc", "0.2"])
def test_a_session_lasts_at_least_half_an_hour(world, today, hours):
    with pytest.raises(DomainError) as refused:
        services.create_session(world.admin, world.office, topic="x", date=today, hours=hours)
    assert refused.value.field == "hours"
    assert not Session.objects.unscoped().exists()


def test_attended_is_credited_the_sessions_hours_unless_fewer(world, session):
    row, result = services.record_attendance(
        world.admin, session, world.inspector, presence=Presence.ATTENDED
    )
    assert (result, row.hours) == ("created", D("6.0"))
    row, result = services.record_attendance(
        world.admin, session, world.inspector, presence=Presence.ATTENDED, hours="3.5"
    )
    assert (result, row.hours) == ("updated", D("3.5"))
    _row, result = services.record_attendance(
        world.admin, session, world.inspector, presence=Presence.ATTENDED, hours="3.5"
    )
    assert result == "unchanged"
    assert Attendance.objects.unscoped().count() == 1
    assert row.office == world.office


def test_never_more_than_the_session_and_none_when_absent(world, session):
    with pytest.raises(DomainError, match=r"0\.1") as refused:
        services.record_attendance(
            world.admin, session, world.inspector, presence=Presence.ATTENDED, hours="6.5"
        )
    assert refused.value.field == "hours"
    with pytest.raises(DomainError):
        services.record_attendance(
            world.admin, session, world.inspector, presence=Presence.ABSENT, hours="2"
        )
    row, _ = services.record_attendance(
        world.admin, session, world.inspector, presence=Presence.EXCUSED, note="因公请假"
    )
    assert row.hours == 0 and row.note == "因公请假"
    with pytest.raises(DomainError):
        services.record_attendance(world.admin, session, world.inspector, presence="late")


def test_only_the_offices_active_inspectors_attend(world, session):
    with pytest.raises(DomainError) as refused:
        services.record_attendance(
            world.admin, session, world.foreign_inspector, presence=Presence.ATTENDED
        )
    assert refused.value.field == "inspector"
    Inspector.all_objects.filter(pk=world.other_inspector.pk).update(is_active=False)
    with pytest.raises(DomainError):
        services.record_attendance(
            world.admin, session, world.other_inspector, presence=Presence.ATTENDED
        )
    assert not Attendance.objects.unscoped().exists()


def test_every_kind_of_inspector_attends(world, session):
    from tests.factories import InspectorFactory

    for kind in Inspector.Kind.values:
        person = InspectorFactory(office=world.office, kind=kind)
        services.record_attendance(world.admin, session, person, presence=Presence.ATTENDED)
    assert Attendance.objects.unscoped().count() == len(Inspector.Kind.values)


def test_shorter_hours_are_refused_while_attendance_credits_more(world, session):
    services.record_attendance(world.admin, session, world.inspector, presence=Presence.ATTENDED)
    with pytest.raises(DomainError) as refused:
        services.update_session(world.admin, session, hours=D("4"))
    assert refused.value.field == "hours"
    services.update_session(world.admin, session, hours=D("8"), topic="新题目")
    session.refresh_from_db()
    assert (session.hours, session.topic, session.version) == (D("8.0"), "新题目", 2)
    with pytest.raises(StaleObject):
        services.update_session(world.admin, session, expected_version=1, topic="旧")


def test_a_session_with_attendance_is_not_deleted(world, session):
    services.record_attendance(world.admin, session, world.inspector, presence=Presence.ABSENT)
    with pytest.raises(DomainError):
        services.delete_session(world.admin, session)
    Attendance.all_objects.all().delete()
    services.delete_session(world.admin, session)
    assert not Session.objects.unscoped().exists()


def test_materials_are_checked_uploads(world, session):
    pdf = SimpleUploadedFile("讲义.pdf", b"%PDF-1.4\n" + b"x" * 100)
    material = services.add_material(world.admin, session, pdf)
    assert material.original_name == "讲义.pdf"
    again = services.add_material(
        world.admin, session, SimpleUploadedFile("copy.pdf", b"%PDF-1.4\n" + b"x" * 100)
    )
    assert again.pk == material.pk
    with pytest.raises(DomainError):
        services.add_material(
            world.admin, session, SimpleUploadedFile("x.pdf", b"<script>alert(1)</script>" * 9)
        )
    services.remove_material(world.admin, material)
    assert not Material.objects.exists()


def test_the_yearly_requirement_is_office_data(world):
    assert yearly_hours_for(world.office) == DEFAULT_YEARLY_HOURS
    services.save_requirement(world.admin, world.office, yearly_hours="24")
    assert yearly_hours_for(world.office) == D("24.0")
    assert yearly_hours_for(world.other_office) == DEFAULT_YEARLY_HOURS
    with pytest.raises(DomainError) as refused:
        services.save_requirement(world.admin, world.office, yearly_hours="0")
    assert refused.value.field == "yearly_hours"


def test_another_offices_session_is_its_own(world, today):
    theirs = make_session(world, today, office=world.other_office, admin=world.other_admin)
    services.record_attendance(
        world.other_admin, theirs, world.foreign_inspector, presence=Presence.ATTENDED
    )
    assert Attendance.objects.unscoped().get().office == world.other_office
