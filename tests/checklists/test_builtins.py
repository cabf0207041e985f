"""The built-in checklists: loaded by migration 0003 and `ensure_builtin_checklists`,
idempotently; each is publishable and as the issue asks (sections, items, standards)."""

import json

import pytest

from dudao.checklists import services, shipped
from dudao.checklists.models import ChecklistTemplate, Purpose
from dudao.schools.models import SchoolType

Status = ChecklistTemplate.Status


def builtins():
    return ChecklistTemplate.objects.unscoped().filter(office__isnull=True)


@pytest.mark.django_db
def test_every_file_is_loaded_once_and_published():
    shipped.ensure_builtin_checklists()
    assert shipped.ensure_builtin_checklists() == []
    stored = {c.key: c for c in builtins()}
    assert set(stored) == set(shipped.BUILTIN_KEYS)
    for checklist in stored.values():
        assert checklist.status == Status.PUBLISHED and checklist.published_at
        assert services.publish_problems(checklist) == []
        assert 4 <= checklist.sections.count() <= 8
        assert 15 <= checklist.items.count() <= 40
    assert stored[shipped.SHUANGJIAN_RETURN].purpose == Purpose.RETURN
    assert stored[shipped.SHUANGJIAN].purpose == Purpose.CAMPAIGN


@pytest.mark.django_db
def test_the_files_are_realistic():
    for data in shipped.read_builtins():
        items = [i for s in data["sections"] for i in s["items"]]
        kinds = {i["answer_type"] for i in items}
        assert len(kinds) >= 3, data["key"]
        assert (
            all(i.get("guidance") for i in items if i["answer_type"] != "text")
            or data["key"] == shipped.SHUANGJIAN_RETURN
        )
        for item in items:
            assert set(item.get("school_types", [])) <= set(SchoolType.values)
        assert data["source"]


@pytest.mark.django_db
def test_the_homework_standards():
    checklist = builtins().get(key=shipped.SHUANGJIAN)
    homework = {i.question: i for i in checklist.items.all()}
    grades_3_6 = homework["三至六年级书面作业平均完成时间"]
    assert (grades_3_6.unit, grades_3_6.standard_max) == ("分钟", 60)
    assert "primary" in grades_3_6.school_types and "junior" not in grades_3_6.school_types
    assert homework["初中书面作业平均完成时间"].standard_max == 90
    assert grades_3_6.assess(55) is True and grades_3_6.assess(75) is False


@pytest.mark.django_db
def test_a_changed_file_becomes_a_new_revision(monkeypatch):
    shipped.ensure_builtin_checklists()
    before = builtins().get(key=shipped.KAIXUE)
    files = shipped.read_builtins()
    for data in files:
        if data["key"] == shipped.KAIXUE:
            data["sections"][0]["items"][0]["question"] += "（修订）"
    monkeypatch.setattr(shipped, "read_builtins", lambda: json.loads(json.dumps(files)))
    made = shipped.ensure_builtin_checklists()
    assert [(c.key, c.revision) for c in made] == [(shipped.KAIXUE, before.revision + 1)]
    assert made[0].based_on_id == before.pk and made[0].status == Status.PUBLISHED
    before.refresh_from_db()
    assert before.status == Status.PUBLISHED  # the old revision is kept as it was
    assert "（修订）" not in before.items.order_by("position").first().question
    assert shipped.ensure_builtin_checklists() == []


@pytest.mark.django_db
def test_a_flushed_database_is_loaded_again():
    builtins_ids = list(builtins().values_list("pk", flat=True))
    from dudao.checklists.models import ChecklistEvent, ChecklistItem, ChecklistSection

    ChecklistEvent.objects.filter(template_id__in=builtins_ids)._raw_delete("default")
    ChecklistItem.objects.all().delete()
    ChecklistSection.objects.all().delete()
    builtins().delete()
    made = shipped.ensure_builtin_checklists()
    assert len(made) == len(shipped.BUILTIN_KEYS)
    assert all(c.events.get().action == "publish" for c in made)


@pytest.mark.django_db
def test_the_command_loads_what_is_missing():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("load_builtin_checklists", stdout=out)
    call_command("load_builtin_checklists", stdout=out)
    assert out.getvalue().strip().endswith("0 built-in checklist revision(s) loaded.")
