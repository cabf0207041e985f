"""An annual work summary (工作总结, issue 15 §4) in a real browser: the office admin opens the
summaries page, chooses the whole year, follows a figure to the list it was counted from,
writes the office's next steps (saved with htmx, no reload), and downloads the Word draft,
which holds the words and the figures. Only what a user sees is asserted."""

import pytest
from playwright.sync_api import expect

from tests.browser_fixtures import docx_text, log_in
from tests.summaries.helpers import build_year

pytestmark = pytest.mark.browser

PLANS = "一是完善督学考核办法。\n二是开展新任督学培训。"


def test_the_office_downloads_an_annual_summary(world, page, shot, tmp_path):
    expect.set_options(timeout=15_000)
    build_year(world)
    log_in(page, world.admin)

    # 1. The summaries page, the whole year 2026.
    page.goto("/summaries/")
    chooser = page.get_by_test_id("summary-chooser")
    chooser.locator("[name=period]").select_option("year")
    chooser.locator("[name=year]").select_option("2026")
    page.get_by_test_id("summary-show").click()
    page.wait_for_url("**/summaries/?*period=year*")
    visits = page.get_by_test_id("figure-link-visits")
    expect(visits).to_have_text("6")
    shot(page, "summary-01-figures")

    # 2. The figure opens the visit list it was counted from, with as many visits.
    visits.click()
    page.wait_for_url("**/visits/?*visited_from=2026-01-01*")
    expect(page.locator("#visit-table tbody tr")).to_have_count(6)
    page.go_back()

    # 3. The office writes its next steps; htmx saves the section in place.
    section = page.get_by_test_id("summary-text-plans")
    section.locator("textarea[name=text]").fill(PLANS)
    section.locator("button[type=submit]").click()
    expect(page.get_by_test_id("summary-text-plans").locator("[role=status]")).to_be_visible()
    expect(page.get_by_test_id("summary-text-plans").locator("textarea[name=text]")).to_have_value(
        PLANS
    )
    shot(page, "summary-02-text")

    # 4. The Word draft: the office's words and the year's figures.
    with page.expect_download() as info:
        page.get_by_test_id("summary-docx").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    path = tmp_path / "summary.docx"
    download.save_as(path)
    text = docx_text(path)
    for line in PLANS.splitlines():
        assert line in text
    assert world.office.name in text
    assert "66.7%" in text

    # 5. The figures as a spreadsheet.
    with page.expect_download() as info:
        page.get_by_test_id("summary-xlsx").click()
    assert info.value.suggested_filename.endswith(".xlsx")
