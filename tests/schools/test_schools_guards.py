"""The school registry's write services check the acting user (dudao/core/guards.py): only the
office admin of the school's office; everyone else gets NotPermitted and nothing changes."""

import pytest

from dudao.core.guards import SYSTEM
from dudao.schools import services
from dudao.schools.models import School
from tests.core.test_guards import NOT_THE_ADMIN, assert_refused

NEW = {"code": "3199000100", "name": "新建小学", "type": "primary", "enrolment_primary": 300}


def _calls(world):
    return {
        "create_school": lambda actor: services.create_school(actor, world.office, **NEW),
        "update_school": lambda actor: services.update_school(
            actor, world.far_school, principal="新校长"
        ),
        "delete_school": lambda actor: services.delete_school(actor, world.far_school),
    }


@pytest.mark.parametrize("service", ["create_school", "update_school", "delete_school"])
@pytest.mark.parametrize("persona", NOT_THE_ADMIN)
def test_only_the_office_admin_writes_the_registry(world, service, persona):
    assert_refused(_calls(world)[service], world.personas()[persona])


@pytest.mark.parametrize("service", ["create_school", "update_school", "delete_school"])
def test_no_actor_is_refused(world, service):
    assert_refused(_calls(world)[service], None)


def test_the_office_admin_creates_updates_and_deletes(world):
    calls = _calls(world)
    school = calls["create_school"](world.admin)
    assert school.office == world.office
    assert calls["update_school"](world.admin).principal == "新校长"
    calls["delete_school"](world.admin)
    assert not School.all_objects.filter(pk=world.far_school.pk).exists()


def test_another_countys_admin_cannot_create_in_this_county(world):
    """The office a school is created in decides, not the actor's own office."""
    assert_refused(
        lambda actor: services.create_school(actor, world.office, **NEW), world.other_admin
    )
    services.create_school(world.other_admin, world.other_office, **NEW)


def test_the_system_acts_for_any_office(world):
    assert services.update_school(SYSTEM, world.foreign_school, principal="甲").principal == "甲"
