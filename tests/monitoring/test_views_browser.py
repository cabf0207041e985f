"""The monitoring screens in a real browser: ECharts draws the charts without script errors,
and the htmx what-if editor updates the CVs in place."""

import pytest

from tests.browser_fixtures import log_in

from .webdata import seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_evaluation_charts_and_what_if(world, page, shot):
    from dudao.monitoring import services

    seed(world)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, world.admin)
    page.goto("/monitoring/")
    shot(page, "monitoring-index")
    for regime in ("basic", "quality"):
        ruleset = services.default_ruleset(world.office, regime)
        page.goto(f"/monitoring/2025/rules/{ruleset.pk}/")
        page.locator("[data-chart=trend] svg").wait_for()
        assert page.locator("[data-chart=schools] svg").count() == 2
        shot(page, f"monitoring-evaluation-{regime}")
    page.goto(f"/monitoring/2025/rules/{ruleset.pk}/what-if/")
    before = page.locator("[data-what-if-cv]").nth(3).inner_text()  # 2017 primary floor area
    page.select_option("select[name=school]", world.school.code)
    page.select_option("select[name=field]", "floor_area")
    page.fill("input[name=amount]", "5000")
    page.click("#what-if button[type=submit]")
    page.locator(".mon-changes li").wait_for()
    assert page.locator("[data-what-if-cv]").nth(3).inner_text() != before
    shot(page, "monitoring-what-if")
    assert errors == []
