"""The dashboard in a real browser: ECharts draws every chart, without script errors, on a
phone-sized and a desktop screen."""

import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    yield page
    context.close()


def login(page, user):
    page.goto("/accounts/login/")
    page.fill("input[name=login]", user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")


@pytest.mark.parametrize("role", ["admin", "inspector", "viewer"])
def test_charts_are_drawn(figures_world, page, shot, role):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    login(page, figures_world.world.personas()[role])
    page.goto("/dashboard/")
    page.locator("section.has-chart [data-chart=coverage] svg").wait_for()
    drawn = page.locator("section.has-chart [data-chart] svg").count()
    expected = page.locator("[data-chart]").count()
    assert drawn == expected and expected >= 5
    assert (
        page.locator("[data-figure=overdue]").inner_text()
        == {
            "admin": "2",
            "inspector": "1",
            "viewer": "2",
        }[role]
    )
    assert errors == []
    shot(page, f"dashboard-{role}")
