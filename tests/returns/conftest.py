"""A published return checklist (the "双减" half-monthly return's kind of indicators) made
directly with the models, and helpers to run a return as the office and the schools do."""

import datetime
from decimal import Decimal

import pytest

from dudao.accounts.models import Role
from dudao.checklists.models import (
    AnswerType,
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    Purpose,
)
from dudao.returns import services
from tests.factories import UserFactory


def make_checklist(office=None, *, purpose=Purpose.RETURN, status="published", key="sj-half"):
    template = ChecklistTemplate.all_objects.create(
        office=office,
        key=key,
        title="“双减”工作半月报",
        purpose=purpose,
        status=status,
    )
    section = ChecklistSection.objects.create(template=template, position=1, title="作业与课后服务")
    items = [
        {
            "code": "1",
            "question": "书面作业平均完成时长（分钟）",
            "answer_type": AnswerType.NUMBER,
            "unit": "分钟",
            "standard_max": Decimal("60"),
        },
        {
            "code": "2",
            "question": "是否实行作业公示制度",
            "answer_type": AnswerType.YES_NO,
            "compliant": [True],
        },
        {
            "code": "3",
            "question": "课后服务开展情况",
            "answer_type": AnswerType.LEVEL,
            "choices": ["好", "较好", "一般", "差"],
            "compliant": ["好", "较好"],
        },
        {"code": "4", "question": "其他情况说明", "answer_type": AnswerType.TEXT},
    ]
    for position, fields in enumerate(items, 1):
        ChecklistItem.objects.create(
            template=template, section=section, position=position, **fields
        )
    return template


@pytest.fixture
def checklist(db):
    return make_checklist()


@pytest.fixture
def items(checklist):
    return {i.code: i for i in ChecklistItem.objects.filter(template=checklist)}


def answers(items, minutes=45, publicity="yes", service="好", text=""):
    return {
        items["1"].pk: minutes,
        items["2"].pk: publicity,
        items["3"].pk: service,
        items["4"].pk: text,
    }


def school_user(school, username):
    return UserFactory(username=username, role=Role.SCHOOL, office=school.office, school=school)


def new_return(world, checklist, *, starts_on, schools=None, **kwargs):
    schools = schools or [world.school, world.zone_school, world.far_school]
    return services.create_return(
        world.admin,
        world.office,
        title="“双减”工作半月报",
        checklist=checklist,
        starts_on=starts_on,
        schools=schools,
        **kwargs,
    )


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)
