"""Only the office admin of the checklist's office writes it (dudao/core/guards.py): every
other role, the other county, the superuser and (for a person's writes) the platform are
refused, and nothing is written."""

import pytest

from dudao.checklists import services
from dudao.core.guards import SYSTEM
from tests.core.test_guards import assert_refused

OTHERS = ["zone_leader", "inspector", "school", "viewer", "other_admin", "superuser"]


def calls(world, draft, published, builtin):
    section = draft.sections.first()
    item = draft.items.first()
    return {
        "create_checklist": lambda a: services.create_checklist(a, title="x"),
        "update_checklist": lambda a: services.update_checklist(
            a, draft, expected_version=None, title="x", purpose="campaign"
        ),
        "copy_own": lambda a: services.copy_checklist(a, published),
        "copy_builtin": lambda a: services.copy_checklist(a, builtin),
        "new_revision": lambda a: services.new_revision(a, published),
        "delete_draft": lambda a: services.delete_draft(a, draft),
        "publish": lambda a: services.publish(a, draft),
        "retire": lambda a: services.retire(a, published),
        "add_section": lambda a: services.add_section(a, draft, title="x"),
        "update_section": lambda a: services.update_section(a, section, title="x"),
        "delete_section": lambda a: services.delete_section(a, section),
        "move_section": lambda a: services.move_section(a, section, up=False),
        "add_item": lambda a: services.add_item(a, section, question="x", answer_type="text"),
        "update_item": lambda a: services.update_item(a, item, question="x", answer_type="text"),
        "delete_item": lambda a: services.delete_item(a, item),
        "move_item": lambda a: services.move_item(a, item, up=False),
        "replace_content": lambda a: services.replace_content(a, draft, []),
    }


SERVICES = [
    "create_checklist",
    "update_checklist",
    "copy_own",
    "copy_builtin",
    "new_revision",
    "delete_draft",
    "publish",
    "retire",
    "add_section",
    "update_section",
    "delete_section",
    "move_section",
    "add_item",
    "update_item",
    "delete_item",
    "move_item",
    "replace_content",
]
# Writes on county A's own checklists: the other county's admin is refused too.
OWN = [s for s in SERVICES if s not in ("create_checklist", "copy_builtin")]


@pytest.fixture
def objects(world, draft, builtin):
    from tests.checklists.conftest import make_draft

    published = services.publish(world.admin, make_draft(world.admin, title="已发布"))
    return draft, published, builtin


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize("persona", [p for p in OTHERS if p != "other_admin"])
def test_only_the_office_admin_writes(world, objects, service, persona):
    assert_refused(calls(world, *objects)[service], world.personas()[persona])


@pytest.mark.parametrize("service", OWN)
def test_the_other_county_is_refused(world, objects, service):
    assert_refused(calls(world, *objects)[service], world.other_admin)


@pytest.mark.parametrize(
    "service", ["create_checklist", "copy_own", "copy_builtin", "new_revision"]
)
def test_the_platform_records_no_person_s_checklist(world, objects, service):
    assert_refused(calls(world, *objects)[service], SYSTEM)


def test_the_other_county_copies_builtins(world, builtin):
    copy = services.copy_checklist(world.other_admin, builtin)
    assert copy.office_id == world.other_office.pk
