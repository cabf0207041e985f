"""Shared helpers of the survey tests: a small published questionnaire of county A with one
question of each kind, surveys made and opened through the services, and answers given
through `services.submit_response` (the public's write)."""

import datetime

from django.utils import timezone

from dudao.surveys import questionnaire_services as qs
from dudao.surveys import services
from dudao.surveys.models import Questionnaire, SchoolRule, SurveySchool

S5 = ["满意", "比较满意", "不满意", "不了解"]


def make_questionnaire(actor, *, publish=True, title="家长满意度问卷") -> Questionnaire:
    """Two sections: 1.1 a counting single choice (满意、比较满意 satisfied, 不了解 left out),
    1.2 a counting scale (4 and 5 satisfied), 1.3 an optional multiple choice, 1.4 a choice
    that does not count; 2.1 an optional free text."""
    draft = qs.create_questionnaire(actor, title=title, audience="parents", key="jiazhang")
    one = qs.add_section(actor, draft, title="一、学校")
    two = qs.add_section(actor, draft, title="二、建议")
    qs.add_question(
        actor,
        one,
        text="您对学校是否满意？",
        type="single",
        options=S5,
        counts=True,
        satisfied=["满意", "比较满意"],
        ignored=["不了解"],
    )
    qs.add_question(
        actor,
        one,
        text="请为课后服务打分",
        type="scale",
        options=["很不满意", "很满意"],
        counts=True,
        satisfied=["4", "5"],
    )
    qs.add_question(
        actor,
        one,
        text="最需要改进的方面",
        type="multiple",
        options=["食堂", "操场", "图书"],
        required=False,
    )
    qs.add_question(actor, one, text="孩子就读学段", type="single", options=["小学", "初中"])
    qs.add_question(actor, two, text="您的建议", type="text", required=False)
    if publish:
        qs.publish(actor, draft)
    return Questionnaire.objects.unscoped().get(pk=draft.pk)


def questions(questionnaire) -> dict:
    """{code: question}."""
    return {q.code: q for q in questionnaire.questions.order_by("position")}


def make_survey(
    world, questionnaire, *, schools=None, open_it=True, min_answers=3, actor=None, **extra
):
    actor = actor or world.admin
    today = timezone.localdate()
    values = {
        "questionnaire": questionnaire,
        "title": "家长满意度调查",
        "opens_on": today - datetime.timedelta(days=1),
        "closes_on": today + datetime.timedelta(days=10),
        "school_rule": SchoolRule.LIST,
        "schools": schools or [world.school, world.zone_school, world.far_school],
        "min_answers": min_answers,
        **extra,
    }
    survey = services.create_survey(actor, **values)
    if open_it:
        survey = services.open_survey(actor, survey)
    return survey


def link_of(survey, school) -> SurveySchool:
    return (
        SurveySchool.objects.unscoped()
        .select_related("survey", "school")
        .get(survey=survey, school=school)
    )


def answer(survey, school, q, *, single="满意", scale="5", multiple=(), phase="小学", text=""):
    """One response at `school`; `q` is `questions(...)`."""
    values = {
        q["1.1"].pk: single,
        q["1.2"].pk: scale,
        q["1.3"].pk: list(multiple),
        q["1.4"].pk: phase,
        q["2.1"].pk: text,
    }
    return services.submit_response(link_of(survey, school), values, client_hash="test")
