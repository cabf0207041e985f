"""The built-in "双减" half-monthly return (半月报, RULES §8, seed 004): its checklist runs as a
return on the 15th and the last day of each month, and a primary school can report it."""

import pytest

from dudao.checklists.models import AnswerType, ChecklistItem, ChecklistTemplate
from dudao.returns import services
from dudao.returns.models import Schedule

from .conftest import new_return

pytestmark = pytest.mark.django_db


def test_the_builtin_half_monthly_return(world, today):
    shipped = pytest.importorskip("dudao.checklists.shipped")
    shipped.ensure_builtin_checklists()
    checklist = (
        ChecklistTemplate.objects.unscoped()
        .filter(office=None, key=shipped.SHUANGJIAN_RETURN)
        .order_by("-revision")
        .first()
    )
    item = new_return(world, checklist, starts_on=today)
    assert item.schedule == Schedule.HALF_MONTHLY
    item = services.activate_return(world.admin, item)
    submission = item.periods.get().submissions.get(school=world.school)
    given = {}
    for question in services.items_for(submission):
        if question.answer_type == AnswerType.NUMBER:
            given[question.pk] = question.standard_min or question.standard_max or 0
        elif question.answer_type == AnswerType.YES_NO:
            given[question.pk] = "yes"
        elif question.answer_type in (AnswerType.CHOICE, AnswerType.LEVEL):
            given[question.pk] = question.compliant[0]
    reported = services.submit(world.school_user, submission, given)
    assert reported.status == "submitted"
    junior_only = ChecklistItem.objects.filter(template=checklist, code="1.3").get()
    assert junior_only not in services.items_for(submission)  # a primary school
