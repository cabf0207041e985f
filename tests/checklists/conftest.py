import pytest

from dudao.checklists import services
from dudao.checklists.models import ChecklistTemplate
from dudao.checklists.shipped import SHUANGJIAN, ensure_builtin_checklists


def make_draft(actor, title="课后服务检查"):
    """A draft of the actor's office with two sections and three items, valid for publishing."""
    draft = services.create_checklist(actor, title=title, key="kehou")
    one = services.add_section(actor, draft, title="一、课后服务")
    two = services.add_section(actor, draft, title="二、作业")
    services.add_item(
        actor,
        one,
        question="每天课后服务时长",
        answer_type="number",
        unit="小时",
        standard_min="2",
    )
    services.add_item(
        actor,
        one,
        question="课后服务质量",
        answer_type="level",
        choices=["好", "较好", "一般", "差"],
        compliant=["好", "较好"],
    )
    services.add_item(
        actor,
        two,
        question="作业公示",
        answer_type="yes_no",
        compliant=[True],
        school_types=["primary"],
    )
    return ChecklistTemplate.objects.unscoped().get(pk=draft.pk)


@pytest.fixture
def draft(world):
    return make_draft(world.admin)


@pytest.fixture
def builtin(db):
    ensure_builtin_checklists()
    return (
        ChecklistTemplate.objects.unscoped()
        .filter(office__isnull=True, key=SHUANGJIAN)
        .order_by("-revision")
        .first()
    )
