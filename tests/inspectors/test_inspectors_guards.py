"""Inspectors, zones, conflicts of interest and assignments (挂牌): every write service checks
the acting user (dudao/core/guards.py). Only the office admin of the office concerned; everyone
else gets NotPermitted and nothing changes."""

import datetime

import pytest
from django.utils import timezone

from dudao.core.guards import SYSTEM
from dudao.inspectors import services
from dudao.inspectors.models import Conflict, RecusalGround
from tests.core.test_guards import NOT_THE_ADMIN, assert_refused
from tests.factories import InspectorFactory

SERVICES = [
    "create_inspector",
    "update_inspector",
    "create_zone",
    "update_zone",
    "record_conflict",
    "remove_conflict",
    "assign_inspector",
    "end_assignment",
]


@pytest.fixture
def ground(world):
    services.ensure_default_recusal_grounds(world.office)
    return RecusalGround.objects.filter(office=world.office).first()


@pytest.fixture
def conflict(world, ground):
    return Conflict.all_objects.create(
        inspector=world.inspector, school=world.far_school, ground=ground
    )


def _calls(world, ground, conflict):
    today = timezone.localdate()
    return {
        "create_inspector": lambda actor: services.create_inspector(
            actor, world.office, name="新督学", gender="male", phone="13900009999"
        ),
        "update_inspector": lambda actor: services.update_inspector(
            actor, world.inspector, name="改名"
        ),
        "create_zone": lambda actor: services.create_zone(actor, world.office, name="第九责任区"),
        "update_zone": lambda actor: services.update_zone(
            actor, world.zone, name="改名责任区", leader=world.leader
        ),
        "record_conflict": lambda actor: services.record_conflict(
            actor, world.other_inspector, world.far_school, ground, "其配偶任该校副校长"
        ),
        "remove_conflict": lambda actor: services.remove_conflict(actor, conflict),
        "assign_inspector": lambda actor: services.assign_inspector(
            actor, world.far_school, world.other_inspector, today
        ),
        "end_assignment": lambda actor: services.end_assignment(actor, world.assignment, today),
    }


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("persona", NOT_THE_ADMIN)
def test_only_the_office_admin(world, ground, conflict, service, persona):
    assert_refused(_calls(world, ground, conflict)[service], world.personas()[persona])


@pytest.mark.parametrize("service", SERVICES)
def test_no_actor_is_refused(world, ground, conflict, service):
    assert_refused(_calls(world, ground, conflict)[service], None)


@pytest.mark.parametrize("service", SERVICES)
def test_the_office_admin_succeeds(world, ground, conflict, service):
    result = _calls(world, ground, conflict)[service](world.admin)
    if service == "remove_conflict":
        assert not Conflict.all_objects.filter(pk=conflict.pk).exists()
    else:
        assert result.pk


def test_deactivating_an_inspector_ends_their_assignment_as_the_same_actor(world):
    services.update_inspector(world.admin, world.inspector, is_active=False)
    world.assignment.refresh_from_db()
    assert world.assignment.end_date == timezone.localdate()


def test_the_other_countys_admin_cannot_assign_its_inspector_here(world):
    assert_refused(
        lambda actor: services.assign_inspector(
            actor, world.far_school, world.foreign_inspector, timezone.localdate()
        ),
        world.other_admin,
    )


def test_the_system_seeds_the_registry(world, ground):
    """As the demo does before any account exists."""
    inspector = InspectorFactory(office=world.other_office)
    zone = services.create_zone(SYSTEM, world.other_office, name="第二责任区")
    services.update_zone(SYSTEM, zone, name=zone.name, leader=inspector)
    conflict = services.record_conflict(SYSTEM, world.other_inspector, world.far_school, ground)
    services.remove_conflict(SYSTEM, conflict)
    start = timezone.localdate() - datetime.timedelta(days=30)
    assignment = services.assign_inspector(SYSTEM, world.far_school, world.other_inspector, start)
    services.end_assignment(SYSTEM, assignment, timezone.localdate())
