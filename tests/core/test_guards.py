"""The guards every write service calls (dudao/core/guards.py), the superuser rule and the
system actor. The per-app files (tests/<app>/test_*guards*.py) call each write service with
the refused personas and check nothing changed; they share the helpers defined here."""

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from dudao.accounts.models import Role
from dudao.core import guards
from dudao.core.errors import DomainError, NotPermitted
from dudao.core.guards import SYSTEM
from dudao.schools.models import School

# The personas that are not the office admin of county A (the world's office).
NOT_THE_ADMIN = ["other_admin", "zone_leader", "inspector", "school", "viewer", "superuser"]


def database_state() -> dict:
    """Every row of every table, to show a refused write changed nothing."""
    state = {}
    for model in apps.get_models():
        if model._meta.label in {"sessions.Session"}:
            continue
        state[model._meta.label] = list(model._base_manager.order_by("pk").values_list())
    return state


def assert_refused(call, actor):
    """`call(actor)` raises NotPermitted and leaves the database as it was."""
    before = database_state()
    with pytest.raises(NotPermitted):
        call(actor)
    assert database_state() == before


# ---- who may act at all ----------------------------------------------------------------------


@pytest.mark.parametrize("actor", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_no_one_is_refused_by_every_guard(world, actor):
    for check in (
        lambda: guards.require_office_admin(actor, world.office),
        lambda: guards.require_role(actor, Role.OFFICE_ADMIN),
        lambda: guards.require_in_scope(actor, world.school),
        lambda: guards.require_self_or_office_admin(actor, world.admin),
        lambda: guards.require_person(actor),
    ):
        with pytest.raises(NotPermitted):
            check()


def test_a_deactivated_account_is_refused(world):
    world.admin.is_active = False
    world.admin.save()
    with pytest.raises(NotPermitted):
        guards.require_office_admin(world.admin, world.office)
    with pytest.raises(NotPermitted):
        guards.require_self_or_office_admin(world.admin, world.admin)
    assert not guards.is_office_admin(world.admin, world.office)


def test_not_permitted_is_a_translated_domain_error(world):
    with pytest.raises(DomainError) as refused:
        guards.require_office_admin(world.inspector_user, world.office)
    assert isinstance(refused.value, NotPermitted)
    assert str(refused.value) == "只有本督导室的管理员可以进行此操作。"
    with translation.override("en"), pytest.raises(NotPermitted) as refused:
        guards.require_office_admin(world.inspector_user, world.office)
    assert str(refused.value) == "Only the office administrator of this office may do this."
    with pytest.raises(NotPermitted, match="in my words"):
        guards.require_office_admin(world.inspector_user, world.office, message="in my words")


# ---- require_office_admin ----------------------------------------------------------------------


def test_office_admin_of_that_office_only(world):
    guards.require_office_admin(world.admin, world.office)
    guards.require_office_admin(world.admin, world.office.pk)
    for persona in NOT_THE_ADMIN:
        with pytest.raises(NotPermitted):
            guards.require_office_admin(world.personas()[persona], world.office)
    guards.require_office_admin(world.other_admin, world.other_office)


def test_no_office_is_nobodys(world):
    with pytest.raises(NotPermitted):
        guards.require_office_admin(world.admin, None)
    with pytest.raises(NotPermitted):
        guards.require_office_admin(SYSTEM, None)


# ---- require_role -----------------------------------------------------------------------------


def test_require_role(world):
    guards.require_role(world.inspector_user, Role.INSPECTOR, Role.ZONE_LEADER)
    guards.require_role(world.zone_leader, Role.INSPECTOR, Role.ZONE_LEADER)
    for persona in ("admin", "school", "viewer", "superuser"):
        with pytest.raises(NotPermitted):
            guards.require_role(world.personas()[persona], Role.INSPECTOR, Role.ZONE_LEADER)
    with pytest.raises(NotPermitted):
        guards.require_role(world.admin)  # no role named: nobody


# ---- require_in_scope ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "school", "visible"),
    [
        ("admin", "school", True),
        ("admin", "far_school", True),
        ("admin", "foreign_school", False),
        ("other_admin", "school", False),
        ("other_admin", "foreign_school", True),
        ("zone_leader", "zone_school", True),
        ("zone_leader", "far_school", False),
        ("inspector", "school", True),
        ("inspector", "zone_school", False),
        ("school", "school", True),
        ("school", "far_school", False),
        ("viewer", "school", True),
        ("viewer", "foreign_school", False),
    ],
)
def test_in_scope_is_the_models_visibility_rule(world, persona, school, visible):
    actor, obj = world.personas()[persona], getattr(world, school)
    assert School.objects.visible_to(actor).filter(pk=obj.pk).exists() is visible
    if visible:
        guards.require_in_scope(actor, obj)
    else:
        with pytest.raises(NotPermitted):
            guards.require_in_scope(actor, obj)


def test_an_unsaved_object_is_in_nobodys_scope(world):
    with pytest.raises(NotPermitted):
        guards.require_in_scope(world.admin, School(office=world.office))


# ---- require_self_or_office_admin --------------------------------------------------------------


def test_self_or_the_office_admin(world):
    guards.require_self_or_office_admin(world.inspector_user, world.inspector_user)
    guards.require_self_or_office_admin(world.inspector_user, world.inspector_user.pk)
    guards.require_self_or_office_admin(world.admin, world.inspector_user)
    for persona in ("other_admin", "zone_leader", "school", "viewer", "superuser"):
        with pytest.raises(NotPermitted):
            guards.require_self_or_office_admin(world.personas()[persona], world.inspector_user)


def test_self_or_the_office_admin_of_a_named_office(world):
    """E.g. a visit: whoever recorded it, or the admin of the visit's office."""
    guards.require_self_or_office_admin(world.admin, world.inspector_user.pk, world.office)
    with pytest.raises(NotPermitted):
        guards.require_self_or_office_admin(
            world.other_admin, world.inspector_user.pk, world.office
        )


# ---- the superuser rule --------------------------------------------------------------------------


def test_a_superuser_passes_no_guard_that_grants_by_role_office_or_scope(world):
    root = world.superuser
    # It reads everything...
    assert School.objects.visible_to(root).filter(pk=world.foreign_school.pk).exists()
    # ...but acts for no office, in no role and on no object through the services.
    for check in (
        lambda: guards.require_office_admin(root, world.office),
        lambda: guards.require_role(root, *Role.values),
        lambda: guards.require_in_scope(root, world.school),
        lambda: guards.require_self_or_office_admin(root, world.admin),
    ):
        with pytest.raises(NotPermitted):
            check()
    assert not guards.is_office_admin(root, world.office)
    assert not guards.has_role(root, *Role.values)


def test_a_superuser_with_a_role_is_still_refused(world):
    root = world.superuser
    root.role, root.office = Role.OFFICE_ADMIN, world.office
    root.save()
    with pytest.raises(NotPermitted):
        guards.require_office_admin(root, world.office)
    with pytest.raises(NotPermitted):
        guards.require_role(root, Role.OFFICE_ADMIN)


def test_a_superuser_may_act_on_its_own_account(world):
    guards.require_self_or_office_admin(world.superuser, world.superuser)
    guards.require_person(world.superuser)


def test_an_office_admin_cannot_act_on_a_superusers_account(world):
    root = world.superuser
    root.office = world.office
    root.save()
    with pytest.raises(NotPermitted):
        guards.require_self_or_office_admin(world.admin, root)


# ---- the system actor ----------------------------------------------------------------------------


def test_the_system_is_an_office_admin_of_every_office_and_sees_every_row(world):
    guards.require_office_admin(SYSTEM, world.office)
    guards.require_office_admin(SYSTEM, world.other_office.pk)
    guards.require_in_scope(SYSTEM, world.foreign_school)
    guards.require_self_or_office_admin(SYSTEM, world.inspector_user)
    guards.require_role(SYSTEM, Role.OFFICE_ADMIN, Role.INSPECTOR)
    with pytest.raises(NotPermitted):
        guards.require_role(SYSTEM, Role.INSPECTOR)
    assert guards.is_system(SYSTEM) and not guards.is_system(world.admin)


def test_the_system_is_not_a_person(world):
    with pytest.raises(NotPermitted):
        guards.require_person(SYSTEM)
    guards.require_person(world.admin)


def test_the_system_is_named_in_the_audit_log(world):
    from dudao.audit import services as audit

    with translation.override("zh-hans"):
        entry = audit.record(SYSTEM, audit.Action.UPDATE, world.school)
    assert (entry.actor, entry.actor_name) == (None, "系统")
