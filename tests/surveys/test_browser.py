"""A satisfaction survey in a real browser (issue 14 §6): a parent scans a school's QR code on
a phone, answers the built-in balanced-development questionnaire and sees the thanks; the same
phone is told it has answered already; the office closes the survey and reads the school's
satisfaction rate and the chart under the Content-Security-Policy."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dudao.surveys import services, shipped
from dudao.surveys.models import Answer, Questionnaire, Response
from tests.browser_fixtures import log_in

from .helpers import link_of, make_survey

pytestmark = pytest.mark.browser


@pytest.fixture
def survey(world):
    shipped.ensure_builtin_questionnaires()
    questionnaire = Questionnaire.objects.unscoped().get(
        office__isnull=True, key=shipped.YOUZHI_PARENTS
    )
    return make_survey(world, questionnaire, min_answers=1, title="优质均衡社会认可度调查")


def test_a_parent_answers_on_a_phone(world, survey, phone_page, clock, shot):
    page = phone_page
    link = link_of(survey, world.school)
    page.goto(f"/p/surveys/{link.token}/")
    expect(page.get_by_test_id("survey-title")).to_have_text("优质均衡社会认可度调查")
    expect(page.get_by_test_id("school-name")).to_contain_text("湖滨小学")
    for fieldset in page.locator("fieldset.q").all():
        radios = fieldset.locator("input[type=radio]")
        if radios.count():
            radios.first.check()
    page.locator("fieldset.q textarea").first.fill("希望学校多开展体育活动")
    shot(page, "survey-phone-form")
    clock.shift(datetime.timedelta(seconds=30))  # a person takes a while to answer
    page.get_by_role("button", name="Send my answers").or_(
        page.locator("button.send")
    ).first.click()
    expect(page.get_by_test_id("thanks")).to_be_visible()
    response = Response.objects.unscoped().get()
    assert response.school_id == world.school.pk
    assert Answer.objects.unscoped().filter(response=response, text__contains="体育").exists()
    page.goto(f"/p/surveys/{link.token}/")
    expect(page.get_by_test_id("answered")).to_be_visible()


def test_the_office_reads_the_results_and_the_chart(world, survey, page, shot):
    from .helpers import questions

    q = questions(survey.questionnaire)
    values = {
        question.pk: (question.options[0] if question.type == "single" else "5")
        for question in q.values()
        if question.type in ("single", "scale")
    }
    for _ in range(3):
        services.submit_response(link_of(survey, world.school), values)
    services.close_survey(world.admin, survey)
    log_in(page, world.admin)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"/surveys/{survey.pk}/results/")
    expect(page.get_by_test_id("total-rate")).to_have_text("100.0%")
    expect(page.locator("[data-chart=schools] svg")).to_be_visible()
    shot(page, "survey-results")
    assert not errors, errors
    assert timezone.localdate()
