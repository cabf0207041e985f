"""Account management checks the acting user (dudao/core/guards.py): the office admin creates
and edits its office's accounts and resets their passwords; anyone may change their own
password (the superuser too); everyone else gets NotPermitted and nothing changes."""

import pytest

from dudao.accounts import services
from dudao.accounts.models import Role, User
from dudao.core.guards import SYSTEM
from tests.core.test_guards import NOT_THE_ADMIN, assert_refused
from tests.factories import UserFactory

PASSWORD = "Strong-pass-2026"


@pytest.fixture
def target(world):
    """An account of county A that is none of the personas."""
    return UserFactory(
        username="target", role=Role.INSPECTOR, office=world.office, inspector=world.other_inspector
    )


def _calls(world, target):
    return {
        "create_user": lambda actor: services.create_user(
            actor,
            world.office,
            password=PASSWORD,
            username="new-admin",
            role=Role.OFFICE_ADMIN,
        ),
        "update_user": lambda actor: services.update_user(actor, target, display_name="改名"),
        "set_password": lambda actor: services.set_password(actor, target, PASSWORD),
    }


@pytest.mark.parametrize("service", ["create_user", "update_user", "set_password"])
@pytest.mark.parametrize("persona", NOT_THE_ADMIN)
def test_only_the_office_admin_manages_accounts(world, target, service, persona):
    assert_refused(_calls(world, target)[service], world.personas()[persona])


@pytest.mark.parametrize("service", ["create_user", "update_user", "set_password"])
def test_the_office_admin_succeeds(world, target, service):
    user = _calls(world, target)[service](world.admin)
    assert isinstance(user, User) and user.pk


@pytest.mark.parametrize("persona", ["admin", "inspector", "school", "viewer", "superuser"])
def test_everyone_changes_their_own_password(world, persona):
    actor = world.personas()[persona]
    services.set_password(actor, actor, PASSWORD)
    actor.refresh_from_db()
    assert actor.check_password(PASSWORD)


def test_a_superusers_account_is_not_the_office_admins(world):
    root = world.superuser
    root.office = world.office
    root.save()
    assert_refused(lambda actor: services.set_password(actor, root, PASSWORD), world.admin)
    assert_refused(lambda actor: services.update_user(actor, root, display_name="x"), world.admin)


def test_a_non_admin_cannot_edit_its_own_account(world):
    assert_refused(
        lambda actor: services.update_user(actor, actor, role=Role.OFFICE_ADMIN), world.school_user
    )


def test_the_system_creates_an_offices_first_admin(world):
    user = services.create_user(
        SYSTEM, world.other_office, password=PASSWORD, username="first", role=Role.OFFICE_ADMIN
    )
    assert user.office == world.other_office
