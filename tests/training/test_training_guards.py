"""Training writes (docs/rules.md §29) are the office admin's of the session's office: each
other role, the other county's admin, the superuser and nobody are refused, nothing written."""

import datetime
import decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dudao.training import services
from dudao.training.models import Attendance, Material, Session
from tests.core.test_guards import NOT_THE_ADMIN, assert_refused

DAY = datetime.timedelta(days=1)
SERVICES = [
    "create_session",
    "update_session",
    "delete_session",
    "add_material",
    "remove_material",
    "record_attendance",
    "remove_attendance",
    "save_requirement",
]


@pytest.fixture
def rows(world, today):
    session = Session.all_objects.create(
        office=world.office, topic="培训", date=today - DAY, hours=decimal.Decimal("4")
    )
    empty = Session.all_objects.create(
        office=world.office, topic="空", date=today - DAY, hours=decimal.Decimal("2")
    )
    attendance = Attendance.all_objects.create(
        office=world.office, session=session, inspector=world.inspector, hours=4
    )
    material = services.add_material(
        world.admin, session, SimpleUploadedFile("a.pdf", b"%PDF-1.4\n" + b"x" * 100)
    )
    return session, empty, attendance, material


def _calls(world, today, rows):
    session, empty, attendance, material = rows
    return {
        "create_session": lambda actor: services.create_session(
            actor, world.office, topic="新培训", date=today, hours="2"
        ),
        "update_session": lambda actor: services.update_session(actor, session, topic="改"),
        "delete_session": lambda actor: services.delete_session(actor, empty),
        "add_material": lambda actor: services.add_material(
            actor, session, SimpleUploadedFile("b.pdf", b"%PDF-1.4\n" + b"y" * 100)
        ),
        "remove_material": lambda actor: services.remove_material(actor, material),
        "record_attendance": lambda actor: services.record_attendance(
            actor, session, world.other_inspector, presence="attended"
        ),
        "remove_attendance": lambda actor: services.remove_attendance(actor, attendance),
        "save_requirement": lambda actor: services.save_requirement(
            actor, world.office, yearly_hours="30"
        ),
    }


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("persona", NOT_THE_ADMIN)
def test_only_the_office_admin(world, today, rows, service, persona):
    assert_refused(_calls(world, today, rows)[service], world.personas()[persona])


@pytest.mark.parametrize("service", SERVICES)
def test_no_actor_is_refused(world, today, rows, service):
    assert_refused(_calls(world, today, rows)[service], None)


@pytest.mark.parametrize("service", SERVICES)
def test_the_office_admin_succeeds(world, today, rows, service):
    _calls(world, today, rows)[service](world.admin)


def test_the_other_county_cannot_record_at_county_a(world, rows):
    session = rows[0]
    assert_refused(
        lambda actor: services.record_attendance(
            actor, session, world.foreign_inspector, presence="attended"
        ),
        world.other_admin,
    )
    assert Material.objects.count() == 1
