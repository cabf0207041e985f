"""A satisfaction survey from a school's public page to its results, in a real browser (issue
14 §3, §6): a parent on a cheap phone (360×740) opens the school's public page (the QR code's
target), follows the link of the open survey, answers every question and is thanked; the
office reads the response counted on the results page and the satisfaction rate.

Only what a user sees is asserted. The server's clock is moved on past the form's minimum
seconds rather than waited for (tests/clock.py)."""

import datetime

import pytest
from playwright.sync_api import expect

from dudao.surveys import answering
from dudao.surveys.models import Response
from tests.browser_fixtures import log_in
from tests.surveys.helpers import make_questionnaire, make_survey

pytestmark = pytest.mark.browser

TITLE = "家长满意度调查"
SUGGESTION = "希望学校多开展体育活动"


@pytest.fixture
def small_phone(browser, live_server):
    """A page in a 360×740 viewport: the smallest common Android phone."""
    from django.utils import timezone

    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        has_touch=True,
    )
    context.set_default_timeout(15_000)
    context.clock.install(time=timezone.now())
    page = context.new_page()
    yield page
    page.goto("about:blank")
    page.wait_for_timeout(300)
    context.close()


def test_a_parent_answers_a_school_s_survey_on_a_phone_and_the_office_counts_it(
    world, small_phone, page, clock, shot
):
    expect.set_options(timeout=15_000)
    survey = make_survey(world, make_questionnaire(world.admin), min_answers=1, title=TITLE)
    phone = small_phone

    # 1. The school's public page lists its open survey; the parent follows the link.
    phone.goto(f"/p/{world.school.code}/")
    surveys = phone.get_by_test_id("open-surveys")
    expect(surveys).to_be_visible()
    surveys.get_by_role("link", name=TITLE).click()
    expect(phone.get_by_test_id("survey-title")).to_have_text(TITLE)
    expect(phone.get_by_test_id("school-name")).to_contain_text(world.school.name)
    # Measured once the page's stylesheets have loaded: the click does not wait for them, and
    # an unstyled page is wider.
    phone.wait_for_load_state("load")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the survey scrolls sideways on a phone ({width}px)"

    # 2. Every question answered as a parent would: the first choice, a 5, a box, a text.
    for fieldset in phone.locator("fieldset.q").all():
        radios = fieldset.locator("input[type=radio]")
        boxes = fieldset.locator("input[type=checkbox]")
        if fieldset.locator("input.scale, .scale input").count():
            fieldset.locator("input[type=radio][value='5']").check()
        elif radios.count():
            radios.first.check()
        elif boxes.count():
            boxes.first.check()
        else:
            fieldset.locator("textarea").fill(SUGGESTION)
    shot(phone, "survey-flow-01-form-on-phone")
    clock.shift(datetime.timedelta(seconds=answering.min_seconds() + 20))  # a person's reading
    phone.locator("button.send").click()
    expect(phone.get_by_test_id("thanks")).to_be_visible()
    shot(phone, "survey-flow-02-thanks")
    assert Response.objects.unscoped().filter(survey=survey, school=world.school).count() == 1

    # 3. The office reads the response counted at the school, and its satisfaction rate.
    log_in(page, world.admin)
    page.goto(f"/surveys/{survey.pk}/")
    page.locator(f"a[href='/surveys/{survey.pk}/results/']").first.click()
    row = page.locator("#schools-table tbody tr").filter(has_text=world.school.name)
    expect(row.locator("td.num").first).to_have_text("1")
    expect(page.locator(".sv-stats .figure").first).to_have_text("1")
    expect(page.get_by_test_id("total-rate")).to_have_text("100.0%")
    expect(page.locator("#free-texts")).to_contain_text(SUGGESTION)
    shot(page, "survey-flow-03-results")
