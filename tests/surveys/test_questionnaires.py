"""Questionnaires: the built-ins (loaded by migration 0002 and the command, idempotently), the
rules of a question, and the services of the draft editor and the revision workflow."""

import json

import pytest
from django.core.management import call_command

from dudao.core.errors import DomainError, NotPermitted, StaleObject
from dudao.surveys import questionnaire_services as qs
from dudao.surveys import shipped
from dudao.surveys.models import Questionnaire, QuestionnaireEvent, QuestionType

from .helpers import make_questionnaire

Status = Questionnaire.Status
pytestmark = pytest.mark.django_db


def builtins():
    return Questionnaire.objects.unscoped().filter(office__isnull=True)


# ---- built-ins -------------------------------------------------------------------------------


def test_every_builtin_is_loaded_once_and_published():
    shipped.ensure_builtin_questionnaires()
    assert shipped.ensure_builtin_questionnaires() == []
    stored = {q.key: q for q in builtins()}
    assert set(stored) == set(shipped.BUILTIN_KEYS)
    for questionnaire in stored.values():
        assert questionnaire.status == Status.PUBLISHED and questionnaire.published_at
        assert qs.publish_problems(questionnaire) == []
        assert questionnaire.events.filter(action="publish").exists()
        counting = questionnaire.questions.filter(counts=True)
        assert counting.count() >= 8
        assert all(q.required for q in counting)
        assert questionnaire.questions.filter(type=QuestionType.TEXT).exists()
    audiences = {q.key: q.audience for q in stored.values()}
    assert audiences[shipped.YOUZHI_TEACHERS] == "teachers"
    assert audiences[shipped.YOUZHI_STUDENTS] == "students"
    assert audiences[shipped.SHUANGJIAN_PARENTS] == "parents"


def test_the_files_are_realistic():
    for data in shipped.read_builtins():
        questions = [q for s in data["sections"] for q in s["questions"]]
        assert {q["type"] for q in questions} >= {"single", "scale", "text"}
        assert "85%" in data["source"] or "双减" in data["title"]
        for question in questions:
            values = qs.clean_question_values(question)
            assert qs.check_question(values) == [], (data["key"], question["code"])


def test_the_balanced_development_questions():
    parents = builtins().get(key=shipped.YOUZHI_PARENTS)
    texts = " ".join(parents.questions.values_list("text", flat=True))
    for topic in ("办学条件", "师德师风", "就近入学", "课业负担", "重点班"):
        assert topic in texts
    overall = parents.questions.get(code="6.1")
    assert overall.satisfaction("满意") and overall.satisfaction("比较满意")
    assert overall.satisfaction("不满意") is False and overall.satisfaction("不了解") is None
    shuangjian = builtins().get(key=shipped.SHUANGJIAN_PARENTS)
    texts = " ".join(shuangjian.questions.values_list("text", flat=True))
    for topic in ("作业", "课后服务", "校外培训"):
        assert topic in texts


def test_a_changed_file_becomes_a_new_revision(monkeypatch):
    shipped.ensure_builtin_questionnaires()
    before = builtins().get(key=shipped.SHUANGJIAN_PARENTS)
    files = shipped.read_builtins()
    for data in files:
        if data["key"] == shipped.SHUANGJIAN_PARENTS:
            data["sections"][0]["questions"][0]["text"] += "（修订）"
    monkeypatch.setattr(shipped, "read_builtins", lambda: json.loads(json.dumps(files)))
    made = shipped.ensure_builtin_questionnaires()
    assert [(q.key, q.revision) for q in made] == [
        (shipped.SHUANGJIAN_PARENTS, before.revision + 1)
    ]
    assert made[0].based_on_id == before.pk and made[0].status == Status.PUBLISHED
    before.refresh_from_db()
    assert "（修订）" not in before.questions.order_by("position").first().text
    assert shipped.ensure_builtin_questionnaires() == []


def test_the_command_loads_nothing_twice(capsys):
    call_command("load_builtin_questionnaires")
    call_command("load_builtin_questionnaires")
    assert "0 built-in questionnaire revision(s) loaded." in capsys.readouterr().out
    assert builtins().count() == len(shipped.BUILTIN_KEYS)


# ---- the rules of a question -------------------------------------------------------------------


def problems(**values):
    return [field for field, _m in qs.check_question(qs.clean_question_values(values))]


def test_question_rules():
    assert problems(text="满意吗", type="single", options=["是", "否"]) == []
    assert "options" in problems(text="x", type="single", options=["是"])
    assert "options" in problems(text="x", type="single", options=["是", "是"])
    assert "options" in problems(text="x", type="text", options=["是", "否"])
    assert problems(text="x", type="scale") == []
    assert problems(text="x", type="scale", options=["低", "高"]) == []
    assert "options" in problems(text="x", type="scale", options=["低"])
    # counting: only a single choice or a scale, with satisfied answers among its answers
    assert "counts" in problems(text="x", type="multiple", options=["a", "b"], counts=True)
    assert "counts" in problems(text="x", type="text", counts=True)
    assert "satisfied" in problems(text="x", type="single", options=["a", "b"], counts=True)
    assert "satisfied" in problems(
        text="x", type="single", options=["a", "b"], counts=True, satisfied=["c"]
    )
    assert "satisfied" in problems(text="x", type="scale", counts=True, satisfied=["6"])
    assert problems(text="x", type="scale", counts=True, satisfied=["4", "5"]) == []
    assert "ignored" in problems(
        text="x", type="single", options=["a", "b"], counts=True, satisfied=["a"], ignored=["a"]
    )
    assert "ignored" in problems(
        text="x", type="scale", counts=True, satisfied=["5"], ignored=["3"]
    )
    assert "satisfied" in problems(text="x", type="single", options=["a", "b"], satisfied=["a"])
    assert "text" in problems(text="", type="single", options=["a", "b"])


def test_a_counting_question_is_always_required():
    clean = qs.clean_question_values(
        {"text": "x", "type": "scale", "counts": True, "satisfied": ["5"], "required": False}
    )
    assert clean["required"] is True


# ---- the editor and the workflow -----------------------------------------------------------------


def test_a_draft_is_built_and_published(world):
    questionnaire = make_questionnaire(world.admin, publish=False)
    assert [q.code for q in questionnaire.questions.order_by("position")] == [
        "1.1",
        "1.2",
        "1.3",
        "1.4",
        "2.1",
    ]
    assert qs.publish_problems(questionnaire) == []
    qs.publish(world.admin, questionnaire)
    questionnaire.refresh_from_db()
    assert questionnaire.status == Status.PUBLISHED
    event = QuestionnaireEvent.objects.get(questionnaire=questionnaire)
    assert (event.from_status, event.to_status, event.actor) == ("draft", "published", world.admin)
    with pytest.raises(DomainError, match=r"never changed|不能再修改"):
        qs.add_section(world.admin, questionnaire, title="三、其他")


def test_publishing_needs_questions_and_no_empty_section(world):
    draft = qs.create_questionnaire(world.admin, title="空问卷")
    with pytest.raises(DomainError, match=r"at least one question|至少添加一道题目"):
        qs.publish(world.admin, draft)
    section = qs.add_section(world.admin, draft, title="一、学校")
    qs.add_section(world.admin, draft, title="二、空")
    qs.add_question(world.admin, section, text="满意吗", type="single", options=["是", "否"])
    with pytest.raises(DomainError, match=r"no questions|没有题目"):
        qs.publish(world.admin, draft)


def test_move_and_delete_keep_positions(world):
    questionnaire = make_questionnaire(world.admin, publish=False)
    first, second = questionnaire.questions.order_by("position")[:2]
    qs.move_question(world.admin, second, up=True)
    order = list(questionnaire.questions.order_by("position").values_list("pk", flat=True))
    assert order[:2] == [second.pk, first.pk]
    two = questionnaire.sections.get(position=2)
    qs.move_section(world.admin, two, up=True)
    assert questionnaire.questions.order_by("position").first().section_id == two.pk
    qs.delete_section(world.admin, two)
    positions = list(
        questionnaire.questions.order_by("position").values_list("position", flat=True)
    )
    assert positions == [1, 2, 3, 4]


def test_a_stale_question_form_is_refused(world):
    questionnaire = make_questionnaire(world.admin, publish=False)
    question = questionnaire.questions.get(code="1.4")
    old = qs.stamp(question)
    qs.update_question(
        world.admin,
        question,
        expected_stamp=old,
        text="学段",
        type="single",
        options=["小学", "初中"],
    )
    with pytest.raises(StaleObject):
        qs.update_question(
            world.admin,
            question,
            expected_stamp=old,
            text="学段？",
            type="single",
            options=["小学", "初中"],
        )


def test_copy_and_new_revision(world):
    shipped.ensure_builtin_questionnaires()
    source = builtins().get(key=shipped.YOUZHI_PARENTS)
    copy = qs.copy_questionnaire(world.admin, source)
    assert (copy.office_id, copy.key, copy.status) == (world.office.pk, source.key, Status.DRAFT)
    assert copy.questions.count() == source.questions.count()
    second = qs.copy_questionnaire(world.admin, source, title="我的问卷")
    assert second.key == f"{source.key}-2" and second.title == "我的问卷"
    qs.publish(world.admin, copy)
    draft = qs.new_revision(world.admin, copy)
    assert (draft.revision, draft.based_on_id) == (2, copy.pk)
    with pytest.raises(DomainError, match=r"draft already|已是草稿"):
        qs.new_revision(world.admin, copy)
    with pytest.raises(NotPermitted, match=r"copy one first|请先复制"):
        qs.new_revision(world.admin, source)
    with pytest.raises(NotPermitted):
        qs.copy_questionnaire(world.other_admin, copy)


def test_create_happens_once_per_form(world):
    key = "9f1c3c35-7d43-4e4c-9a34-0d4f0c2d0b11"
    one = qs.create_questionnaire(world.admin, title="问卷", request_key=key)
    two = qs.create_questionnaire(world.admin, title="问卷", request_key=key)
    assert one.pk == two.pk
