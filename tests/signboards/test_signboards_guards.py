"""Requesting a background signboard batch checks the acting user (dudao/core/guards.py): the
county's boards for its office admin, a zone's for the office admin or the zone's leader;
everyone else gets NotPermitted and nothing changes."""

import pytest

from dudao.core.guards import SYSTEM
from dudao.signboards import services
from tests.core.test_guards import NOT_THE_ADMIN, assert_refused


def county(actor):
    return services.request_batch(actor, title="全县")


def zone(world):
    return lambda actor: services.request_batch(actor, zone=world.zone, title=world.zone.name)


@pytest.mark.parametrize("persona", [p for p in NOT_THE_ADMIN if p != "other_admin"])
def test_the_county_batch_is_the_office_admins(world, persona):
    assert_refused(county, world.personas()[persona])


def test_another_countys_admin_asks_for_its_own_county(world):
    assert county(world.other_admin).office_id == world.other_office.pk


@pytest.mark.parametrize("persona", ["other_admin", "inspector", "school", "viewer", "superuser"])
def test_a_zone_batch_is_the_office_admins_or_the_zone_leaders(world, persona):
    assert_refused(zone(world), world.personas()[persona])


@pytest.mark.parametrize("persona", ["admin", "zone_leader"])
def test_allowed(world, persona):
    batch = zone(world)(world.personas()[persona])
    assert batch.zone == world.zone and batch.office_id == world.office.pk


def test_the_office_admin_asks_for_the_county(world):
    assert county(world.admin).office_id == world.office.pk


def test_the_system_asks_for_no_batch(world):
    assert_refused(county, SYSTEM)
    assert_refused(zone(world), SYSTEM)
