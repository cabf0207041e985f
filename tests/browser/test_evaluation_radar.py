"""The radar of a target's areas in a real browser (issue 13 §6): the school's published
result of this year beside last year's, drawn by dudao/static/js/evaluations.js with the
radar of the ECharts build; on a phone the same page draws it within the screen.

Only what a user sees is asserted: the chart is drawn as a radar (the script marks the element
it drew), with one polygon per series and the legend naming last year's round. Screenshots go
to test-artifacts/."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser_fixtures import log_in
from tests.evaluations.test_radar import four_areas, run_round

pytestmark = pytest.mark.browser


def test_a_school_reads_its_areas_as_a_radar_beside_last_year(world, page, phone_page, shot):
    expect.set_options(timeout=15_000)
    framework = four_areas()
    run_round(world, framework, 2025, [20, 15, 10, 5], [20, 15, 10, 5])
    target = run_round(world, framework, 2026, [25, 20, 15, 10], [20, 20, 20, 20])
    url = reverse("evaluations:round_target_result", args=[target.pk])
    errors = []
    for view in (page, phone_page):
        view.on("pageerror", lambda error: errors.append(str(error)))
        log_in(view, world.school_user)
        view.goto(url)
        radar = view.get_by_test_id("radar")
        expect(radar).to_have_attribute("data-drawn", "radar")
        expect(radar.locator("svg")).to_be_visible()
        # Result, self, expert and 2025's round: four polygons, one legend entry each.
        assert radar.locator("svg path").count() >= 4
        expect(radar).to_contain_text("2025年学校督导评估")
        expect(radar).to_contain_text("B1 办学方向")
        box = radar.bounding_box()
        width = view.viewport_size["width"]
        assert box["width"] <= width and box["height"] > 200
    assert not errors
    shot(page, "evaluation-radar")
    shot(phone_page, "evaluation-radar-phone")
