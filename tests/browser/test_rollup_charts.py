"""The city viewer's comparison of its counties in a real browser (issue 15 §5): the charts
drawn by dudao/static/js/rollup.js are visible boxes with their bars, not hidden zero-height
elements (their CSS shows a chart only once its section is marked as having one)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_fixtures import log_in

pytestmark = pytest.mark.browser


def test_the_viewer_sees_the_counties_charts(world, page, shot):
    expect.set_options(timeout=15_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, world.viewer)
    page.goto(reverse("rollup:overview"))
    for name in ("coverage", "rectification", "trend"):
        chart = page.locator(f'[data-chart="{name}"]')
        expect(chart.locator("svg")).to_be_visible()
        assert chart.bounding_box()["height"] > 200, name
        expect(chart).to_have_attribute("role", "img")
    assert not errors
    shot(page, "rollup-overview")
