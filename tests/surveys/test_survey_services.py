"""Surveys: their schools and links, the workflow (draft → open → closed) with its history, the
daily closing job on every pinned day, and the open surveys a school's public page links to."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from dudao.core.errors import DomainError, IllegalTransition, StaleObject
from dudao.surveys import queries, services
from dudao.surveys.models import Survey, SurveyEvent, SurveySchool
from tests.factories import SchoolFactory

from .helpers import make_survey

Status = Survey.Status
pytestmark = pytest.mark.django_db


def school_names(survey):
    return list(
        SurveySchool.objects.unscoped()
        .filter(survey=survey)
        .order_by("position")
        .values_list("school__name", flat=True)
    )


def test_the_rules_choose_schools(world, questionnaire):
    today = timezone.localdate()
    common = {
        "questionnaire": questionnaire,
        "title": "调查",
        "opens_on": today,
        "closes_on": today,
    }
    every = services.create_survey(world.admin, school_rule="all", **common)
    assert set(school_names(every)) == {"湖滨小学", "西湖小学", "城东中学"}
    zone = services.create_survey(world.admin, school_rule="zone", zone=world.zone, **common)
    assert set(school_names(zone)) == {"湖滨小学", "西湖小学"}
    junior = services.create_survey(
        world.admin, school_rule="all", school_types=["junior"], **common
    )
    assert school_names(junior) == ["城东中学"]
    with pytest.raises(DomainError) as refused:
        services.create_survey(world.admin, school_rule="zone", **common)
    assert refused.value.field == "zone"
    with pytest.raises(DomainError):  # another county's school
        services.create_survey(
            world.admin, school_rule="list", schools=[world.foreign_school], **common
        )
    with pytest.raises(DomainError) as refused:
        services.create_survey(world.admin, school_rule="all", school_types=["senior"], **common)
    assert refused.value.field == "school_rule"


def test_each_link_has_its_own_token_and_edits_keep_them(world, questionnaire):
    survey = make_survey(world, questionnaire, open_it=False)
    tokens = dict(
        SurveySchool.objects.unscoped().filter(survey=survey).values_list("school_id", "token")
    )
    assert len(set(tokens.values())) == 3 and all(len(t) >= 16 for t in tokens.values())
    services.update_survey(
        world.admin,
        survey,
        expected_version=survey.version,
        questionnaire=questionnaire,
        title="改名",
        opens_on=survey.opens_on,
        closes_on=survey.closes_on,
        school_rule="list",
        schools=[world.school, world.far_school],
        min_answers=5,
    )
    after = dict(
        SurveySchool.objects.unscoped().filter(survey=survey).values_list("school_id", "token")
    )
    assert after == {k: v for k, v in tokens.items() if k != world.zone_school.pk}
    with pytest.raises(StaleObject):
        services.update_survey(
            world.admin,
            survey,
            expected_version=survey.version - 1,
            questionnaire=questionnaire,
            title="x",
            opens_on=survey.opens_on,
            closes_on=survey.closes_on,
        )


def test_checks_of_a_survey(world, questionnaire):
    today = timezone.localdate()
    base = {"questionnaire": questionnaire, "title": "调查", "opens_on": today, "closes_on": today}
    for change, field in [
        ({"title": " "}, "title"),
        ({"closes_on": today - datetime.timedelta(days=1)}, "closes_on"),
        ({"closes_on": today + datetime.timedelta(days=400)}, "closes_on"),
        ({"min_answers": 0}, "min_answers"),
        ({"pass_percent": 101}, "pass_percent"),
    ]:
        with pytest.raises(DomainError) as refused:
            services.create_survey(world.admin, **{**base, **change})
        assert refused.value.field == field


def test_a_draft_questionnaire_is_not_run(world):
    from .helpers import make_questionnaire

    draft = make_questionnaire(world.admin, publish=False, title="草稿")
    today = timezone.localdate()
    with pytest.raises(DomainError) as refused:
        services.create_survey(
            world.admin, questionnaire=draft, title="x", opens_on=today, closes_on=today
        )
    assert refused.value.field == "questionnaire"


def test_open_and_close_with_history(world, questionnaire):
    survey = make_survey(world, questionnaire, open_it=False)
    services.open_survey(world.admin, survey, expected_version=survey.version)
    survey.refresh_from_db()
    assert survey.status == Status.OPEN and survey.opened_at
    with pytest.raises(IllegalTransition):
        services.open_survey(world.admin, survey)
    with pytest.raises(DomainError):
        services.update_survey(
            world.admin,
            survey,
            expected_version=survey.version,
            questionnaire=questionnaire,
            title="x",
            opens_on=survey.opens_on,
            closes_on=survey.closes_on,
        )
    with pytest.raises(DomainError, match=r"Only a draft|只有草稿"):
        services.delete_survey(world.admin, survey)
    services.close_survey(world.admin, survey)
    survey.refresh_from_db()
    assert survey.status == Status.CLOSED and survey.closed_at
    events = list(SurveyEvent.objects.filter(survey=survey).values_list("action", "to_status"))
    assert events == [("open", "open"), ("close", "closed")]


def test_a_survey_past_its_closing_day_does_not_open(world, questionnaire, clock):
    survey = make_survey(world, questionnaire, open_it=False)
    clock.shift(datetime.timedelta(days=12))
    with pytest.raises(DomainError, match=r"closing day has passed|截止日期已过"):
        services.open_survey(world.admin, survey)


def test_a_draft_is_deleted_with_its_links(world, questionnaire):
    survey = make_survey(world, questionnaire, open_it=False)
    services.delete_survey(world.admin, survey)
    assert not Survey.objects.unscoped().filter(pk=survey.pk).exists()
    assert not SurveySchool.objects.unscoped().filter(survey_id=survey.pk).exists()


def test_create_happens_once_per_form(world, questionnaire):
    today = timezone.localdate()
    key = "1c0a9a53-4a5e-4f55-9d7e-3f3a8f1e0b22"
    values = {"questionnaire": questionnaire, "title": "x", "opens_on": today, "closes_on": today}
    one = services.create_survey(world.admin, request_key=key, **values)
    two = services.create_survey(world.admin, request_key=key, **values)
    assert one.pk == two.pk
    assert Survey.objects.unscoped().count() == 1


@pytest.mark.any_day
def test_the_daily_job_closes_surveys_after_their_closing_day(world, questionnaire, today):
    ending = make_survey(
        world, questionnaire, opens_on=today - datetime.timedelta(days=5), closes_on=today
    )
    ended = make_survey(
        world,
        questionnaire,
        opens_on=today - datetime.timedelta(days=5),
        closes_on=today,
        title="昨天结束",
    )
    Survey.all_objects.filter(pk=ended.pk).update(closes_on=today - datetime.timedelta(days=1))
    closed = services.close_due_surveys()
    assert [s.pk for s in closed] == [ended.pk]
    assert services.close_due_surveys() == []  # idempotent
    ending.refresh_from_db()
    assert ending.status == Status.OPEN  # its closing day is today: still answering
    event = SurveyEvent.objects.get(survey=ended, action="close")
    assert event.actor is None and event.actor_name and event.note


@pytest.mark.any_day
def test_open_surveys_for_the_school_page(world, questionnaire, today):
    running = make_survey(world, questionnaire, opens_on=today, closes_on=today)
    make_survey(
        world,
        questionnaire,
        title="未开始",
        opens_on=today + datetime.timedelta(days=1),
        closes_on=today + datetime.timedelta(days=2),
        open_it=False,
    )
    make_survey(world, questionnaire, title="草稿", open_it=False)
    token = SurveySchool.objects.unscoped().get(survey=running, school=world.school).token
    assert queries.open_surveys_for_school(world.school) == [
        ("家长满意度调查", reverse("surveys_public:answer", args=[token]))
    ]
    assert queries.open_surveys_for_school(world.foreign_school) == []
    services.close_survey(world.admin, running)
    assert queries.open_surveys_for_school(world.school) == []


def test_open_surveys_for_school_is_one_query(world, questionnaire, django_assert_num_queries):
    make_survey(world, questionnaire)
    make_survey(world, questionnaire, title="第二个")
    with django_assert_num_queries(1):
        assert len(queries.open_surveys_for_school(world.school)) == 2
    school = SchoolFactory(office=world.office, name="新学校")
    assert queries.open_surveys_for_school(school) == []
