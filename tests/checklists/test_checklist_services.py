"""Checklist services (dudao/checklists/services.py): drafts are edited, published revisions
never change, a new revision copies one, built-ins are copied, publishing checks everything."""

from decimal import Decimal

import pytest

from dudao.audit.models import AuditEntry
from dudao.checklists import services
from dudao.checklists.models import ChecklistEvent, ChecklistItem, ChecklistTemplate
from dudao.core.errors import DomainError, NotPermitted, StaleObject

Status = ChecklistTemplate.Status


def rows(checklist):
    return [
        (i.section.position, i.section.title, i.position, i.code, i.question)
        for i in checklist.items.select_related("section").order_by("position")
    ]


def test_a_draft_is_built_in_order(draft):
    assert rows(draft) == [
        (1, "一、课后服务", 1, "1.1", "每天课后服务时长"),
        (1, "一、课后服务", 2, "1.2", "课后服务质量"),
        (2, "二、作业", 3, "2.1", "作业公示"),
    ]
    assert draft.status == Status.DRAFT and draft.office_id and draft.revision == 1


def test_an_item_added_to_an_earlier_section_keeps_the_order(world, draft):
    one = draft.sections.get(position=1)
    item = services.add_item(world.admin, one, question="参与率", answer_type="number", unit="%")
    assert item.code == "1.3"
    assert [r[3] for r in rows(draft)] == ["1.1", "1.2", "1.3", "2.1"]


def test_moving_items_and_sections(world, draft):
    second = draft.items.get(code="1.2")
    services.move_item(world.admin, second, up=True)
    assert [r[3] for r in rows(draft)] == ["1.2", "1.1", "2.1"]
    services.move_section(world.admin, draft.sections.get(position=2), up=True)
    assert [r[3] for r in rows(draft)] == ["2.1", "1.2", "1.1"]
    assert [s.title for s in draft.sections.order_by("position")] == ["二、作业", "一、课后服务"]


def test_update_and_delete_an_item(world, draft):
    item = draft.items.get(code="1.1")
    updated = services.update_item(
        world.admin,
        item,
        expected_stamp=services.stamp(item),
        code="1.1",
        question="每天课后服务时长（小时）",
        answer_type="number",
        unit="小时",
        standard_min=Decimal("2"),
        standard_max=Decimal("3"),
    )
    assert updated.standard_max == Decimal("3")
    assert AuditEntry.objects.unscoped().filter(target_type="checklists.ChecklistItem").exists()
    services.delete_item(world.admin, updated)
    assert [r[3] for r in rows(draft)] == ["1.2", "2.1"]
    assert [r[2] for r in rows(draft)] == [1, 2]


def test_a_stale_item_form_is_refused(world, draft):
    item = draft.items.get(code="1.1")
    seen = services.stamp(item)
    services.update_item(world.admin, item, question="改过", answer_type="number")
    with pytest.raises(StaleObject):
        services.update_item(
            world.admin, item, expected_stamp=seen, question="再改", answer_type="number"
        )
    assert ChecklistItem.objects.get(pk=item.pk).question == "改过"


def test_a_stale_header_form_is_refused(world, draft):
    services.update_checklist(
        world.admin, draft, expected_version=draft.version, title="新标题", purpose="campaign"
    )
    with pytest.raises(StaleObject):
        services.update_checklist(
            world.admin, draft, expected_version=draft.version, title="旧", purpose="campaign"
        )


def test_codes_are_unique(world, draft):
    one = draft.sections.get(position=1)
    with pytest.raises(DomainError) as error:
        services.add_item(world.admin, one, code="2.1", question="x", answer_type="text")
    assert error.value.field == "code"


def test_publish_freezes_the_revision(world, draft):
    published = services.publish(world.admin, draft, expected_version=draft.version)
    assert published.status == Status.PUBLISHED and published.published_at
    event = ChecklistEvent.objects.get(template=draft)
    assert (event.action, event.from_status, event.to_status) == ("publish", "draft", "published")
    item = draft.items.first()
    section = draft.sections.first()
    for call in (
        lambda: services.update_item(world.admin, item, question="x", answer_type="text"),
        lambda: services.delete_item(world.admin, item),
        lambda: services.add_item(world.admin, section, question="x", answer_type="text"),
        lambda: services.add_section(world.admin, draft, title="x"),
        lambda: services.delete_section(world.admin, section),
        lambda: services.update_section(world.admin, section, title="x"),
        lambda: services.update_checklist(
            world.admin, draft, expected_version=None, title="x", purpose="campaign"
        ),
        lambda: services.delete_draft(world.admin, draft),
        lambda: services.replace_content(world.admin, draft, []),
    ):
        with pytest.raises(DomainError):
            call()
    assert draft.items.count() == 3


def test_a_new_revision_copies_into_a_draft(world, draft):
    services.publish(world.admin, draft)
    revision = services.new_revision(world.admin, draft)
    assert (revision.key, revision.revision, revision.status) == (draft.key, 2, Status.DRAFT)
    assert revision.based_on_id == draft.pk and revision.office_id == draft.office_id
    assert [r[1:] for r in rows(revision)] == [r[1:] for r in rows(draft)]
    with pytest.raises(DomainError):  # one draft per line
        services.new_revision(world.admin, draft)
    services.update_item(
        world.admin, revision.items.get(code="2.1"), question="作业公示栏", answer_type="yes_no"
    )
    assert draft.items.get(code="2.1").question == "作业公示"  # the published one is unchanged


def test_retire(world, draft):
    services.publish(world.admin, draft)
    retired = services.retire(world.admin, draft)
    assert retired.status == Status.RETIRED
    revision = services.new_revision(world.admin, retired)
    assert revision.revision == 2


def test_copy_a_builtin(world, builtin):
    copy = services.copy_checklist(world.admin, builtin)
    assert copy.office_id == world.office.pk and copy.status == Status.DRAFT
    assert (copy.key, copy.revision, copy.based_on_id) == (builtin.key, 1, builtin.pk)
    assert copy.items.count() == builtin.items.count()
    assert copy.sections.count() == builtin.sections.count()
    again = services.copy_checklist(world.admin, builtin, title="第二份")
    assert again.key == f"{builtin.key}-2" and again.title == "第二份"
    # the built-in never changes
    assert builtin.items.count() == copy.items.count()


def test_builtins_are_never_edited(world, builtin):
    with pytest.raises(NotPermitted):
        services.new_revision(world.admin, builtin)
    with pytest.raises(NotPermitted):
        services.add_section(world.admin, builtin, title="x")
    with pytest.raises(NotPermitted):
        services.retire(world.admin, builtin)


def test_delete_a_draft(world, draft):
    services.delete_draft(world.admin, draft)
    assert not ChecklistTemplate.objects.unscoped().filter(pk=draft.pk).exists()


def test_publish_refuses_an_invalid_draft(world):
    empty = services.create_checklist(world.admin, title="空表")
    with pytest.raises(DomainError, match=r"at least one item|至少"):
        services.publish(world.admin, empty)
    section = services.add_section(world.admin, empty, title="一")
    services.add_section(world.admin, empty, title="二（空）")
    services.add_item(world.admin, section, question="x", answer_type="text")
    with pytest.raises(DomainError):
        services.publish(world.admin, empty)
    assert ChecklistTemplate.objects.unscoped().get(pk=empty.pk).status == Status.DRAFT
