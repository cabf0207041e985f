"""The dashboard in a real browser: ECharts draws every chart, without script errors, on a
phone-sized and a desktop screen."""

import pytest

from tests.browser_fixtures import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def page(phone_page):
    return phone_page


@pytest.mark.parametrize("role", ["admin", "inspector", "viewer"])
def test_charts_are_drawn(figures_world, page, shot, role):
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    log_in(page, figures_world.world.personas()[role])
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
