"""The demo's surveys (dudao/demo/surveys.py): a closed balanced-development survey with
answers (most schools above the minimum, a few below it; the county passes the 85 % rule and a
few schools do not) and an open “双减” survey, on several pinned days; nothing dated at or
after today's midnight; the same data after a reset and a second build. The registry and the
step alone are built, once per module and day."""

import contextlib
import datetime

import pytest
import time_machine
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse

from dudao.accounts.models import Role, User
from dudao.demo import generator
from dudao.demo import surveys as demo
from dudao.surveys import queries, results
from dudao.surveys.models import Response, Survey, SurveySchool
from tests.clock import DEFAULT_NOW, TODAYS

SCHOOLS = 30
DAYS = {"default": DEFAULT_NOW, **{k: TODAYS[k] for k in ("new-year", "summer-holiday")}}
SKIP = ("campaigns and returns", "supervision", "balance monitoring", "surveys")

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("demo-surveys")]


@contextlib.contextmanager
def shared_build(moment, media_root, django_db_blocker):
    """The demo at `moment`, kept until the module is done (as tests/demo/conftest.py)."""
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root),
        transaction.atomic(),
        time_machine.travel(moment, tick=True),
    ):
        try:
            yield
        finally:
            transaction.set_rollback(True)


@pytest.fixture(scope="module", params=list(DAYS.values()), ids=list(DAYS))
def demo_day(request):
    return request.param


@pytest.fixture
def clock_now(demo_day):
    return demo_day


@pytest.fixture(scope="module")
def built(demo_day, django_db_setup, django_db_blocker, tmp_path_factory):
    with shared_build(demo_day, tmp_path_factory.mktemp("demo"), django_db_blocker):
        ctx = generator.DemoBuilder(seed=1, schools=SCHOOLS, skip=SKIP).build()
        demo.build_surveys(ctx)
        yield ctx


@pytest.fixture
def office(built):
    return built.main.office


def midnight(today):
    from tests.clock import SHANGHAI

    return datetime.datetime.combine(today, datetime.time(0, 0), tzinfo=SHANGHAI)


def test_a_closed_survey_with_enough_answers_at_most_schools(built, office, today):
    closed = Survey.objects.unscoped().get(office=office, status=Survey.Status.CLOSED)
    assert "优质均衡" in closed.title and closed.min_answers == 30
    assert closed.closed_at < midnight(today)
    admin = User.objects.filter(office=office, role=Role.OFFICE_ADMIN).order_by("pk").first()
    data = results.survey_results(admin, closed)
    figures = [r["figure"] for r in data["rows"]]
    below_minimum = [f for f in figures if not f.shown]
    assert len(below_minimum) == demo.NOT_ENOUGH
    assert all(0 < f.responses < 30 for f in below_minimum)
    assert sum(1 for f in figures if f.shown and not f.passed) >= demo.BELOW_RATE
    assert data["total"].passed is True and data["total"].rate >= 85
    assert data["texts"]  # some parents wrote a comment
    school_login = User.objects.get(username="school")
    if SurveySchool.objects.unscoped().filter(survey=closed, school=school_login.school).exists():
        assert results.survey_results(school_login, closed)["total"].shown
    latest = Response.objects.unscoped().filter(survey=closed).order_by("-submitted_at").first()
    assert latest.submitted_at.date() <= closed.closes_on


def test_an_open_shuangjian_survey(built, office, today):
    running = Survey.objects.unscoped().get(office=office, status=Survey.Status.OPEN)
    assert "双减" in running.title and running.accepts_answers(today)
    answers = Response.objects.unscoped().filter(survey=running)
    assert answers.exists()
    assert not answers.filter(submitted_at__gte=midnight(today)).exists()
    link = SurveySchool.objects.unscoped().filter(survey=running).select_related("school").first()
    assert (running.title, reverse("surveys_public:answer", args=[link.token])) in (
        queries.open_surveys_for_school(link.school)
    )
    page = Client().get(reverse("surveys_public:answer", args=[link.token]))
    assert page.status_code == 200 and "课后服务" in page.content.decode()


def test_the_demo_office_reads_its_results(built, office, client):
    closed = Survey.objects.unscoped().get(office=office, status=Survey.Status.CLOSED)
    admin = User.objects.filter(office=office, role=Role.OFFICE_ADMIN).order_by("pk").first()
    client.force_login(admin)
    page = client.get(reverse("surveys:results", args=[closed.pk]))
    assert page.status_code == 200


def test_reset_and_rebuild_give_the_same_surveys(built):
    scope = generator.DemoScope.current()
    before = demo.surveys_fingerprint(scope)
    assert before["surveys"] and before["answers"]
    demo.reset_surveys(scope)
    assert not Survey.objects.unscoped().filter(office__in=scope.office_ids).exists()
    demo.build_surveys(built)
    assert demo.surveys_fingerprint(scope) == before
