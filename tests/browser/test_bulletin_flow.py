"""A bulletin (通报) from the office's draft to a school's read receipt, in a real browser (issue
14 §4, §5, §6): the office admin writes a bulletin to every school, attaches a file, shows it
on the county's public page and publishes it (it takes its number); a school user opens it
from "my documents" on a phone, marked unread until then; the office sees it read by that
school and not by the others; the public reads it, and its attachment, on the county page.

Only what a user sees is asserted."""

import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from dudao.bulletins.models import Audience, Bulletin, Kind, Topic
from tests.browser_fixtures import log_in

pytestmark = pytest.mark.browser

TITLE = "关于“双减”工作专项督导情况的通报"
BODY = (
    "县教育督导室于11月组织开展了“双减”工作专项督导，现将有关情况通报如下。\n"
    "一、总体情况\n"
    "各学校作业管理、课后服务工作有序推进。\n"
    "二、工作要求\n"
    "各学校要对照问题立即整改，并于12月15日前书面报送整改情况。"
)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"  # noqa: E501


def zh(text) -> str:
    with translation.override("zh-hans"):
        return str(text)


def message(page):
    return page.locator(".messages").first


def write_and_publish(page, tmp_path) -> str:
    """The office's draft, its attachment and its publication; returns the number."""
    page.goto("/bulletins/new/")
    form = page.get_by_test_id("bulletin-form")
    form.locator("[name=kind]").select_option(Kind.BULLETIN.value)
    form.locator("[name=topic]").select_option(Topic.RESULTS.value)
    form.locator("[name=title]").fill(TITLE)
    form.locator("[name=body]").fill(BODY)
    form.locator("[name=audience]").select_option(Audience.ALL_SCHOOLS.value)
    form.locator("[name=publish_on_public_page]").check()
    form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("bulletin-title")).to_have_text(TITLE)
    expect(page.get_by_test_id("bulletin-status")).to_have_text(zh(Bulletin.Status.DRAFT.label))

    attachment = tmp_path / "整改情况汇总表.pdf"
    attachment.write_bytes(PDF)
    page.locator("form[action$='/attachments/'] input[type=file]").set_input_files(str(attachment))
    page.locator("form[action$='/attachments/'] button[type=submit]").click()
    expect(page.get_by_role("link", name="整改情况汇总表.pdf")).to_be_visible()

    page.get_by_test_id("bulletin-publish").click()
    expect(page.get_by_test_id("bulletin-status")).to_have_text(zh(Bulletin.Status.PUBLISHED.label))
    number = page.get_by_test_id("bulletin-number").inner_text().strip()
    assert re.search(r"〔\d{4}〕\d+号", number), number
    return number


def test_the_office_publishes_a_bulletin_and_a_school_reads_it(
    world, page, phone_page, shot, tmp_path
):
    expect.set_options(timeout=15_000)

    # 1. The office writes the bulletin to every school and publishes it.
    log_in(page, world.admin)
    number = write_and_publish(page, tmp_path)
    detail = page.url
    expect(page.get_by_test_id("receipt-counts")).to_contain_text("0")
    shot(page, "bulletin-01-published")

    # 2. A school user on a phone: unread in "my documents" until opened.
    phone = phone_page
    log_in(phone, world.school_user)
    phone.goto("/bulletins/mine/")
    row = phone.get_by_test_id("my-bulletin").filter(has_text=TITLE)
    expect(row.get_by_test_id("unread")).to_be_visible()
    expect(row).to_contain_text(number)
    row.get_by_role("link", name=TITLE).click()
    expect(phone.get_by_test_id("bulletin-text")).to_contain_text("各学校要对照问题立即整改")
    expect(phone.get_by_test_id("receipts")).to_have_count(0)  # a school sees no receipts
    shot(phone, "bulletin-02-read-on-phone")
    phone.goto("/bulletins/mine/")
    row = phone.get_by_test_id("my-bulletin").filter(has_text=TITLE)
    expect(row.get_by_test_id("unread")).to_have_count(0)

    # 3. The office sees it read by that school, and who has not read it.
    page.goto(detail)
    read = page.get_by_test_id("receipt-row").filter(has_text=world.school.name)
    expect(read.locator(".badge.ok")).to_be_visible()
    expect(read).to_contain_text(str(world.school_user))
    page.get_by_test_id("show-unread").click()
    expect(page.get_by_test_id("receipt-row").filter(has_text=world.school.name)).to_have_count(0)
    expect(
        page.get_by_test_id("receipt-row").filter(has_text=world.zone_school.name)
    ).to_have_count(1)
    expect(page.get_by_test_id("receipt-counts")).to_contain_text("1")
    shot(page, "bulletin-03-receipts")

    # 4. The public reads it on the county's page, and downloads its attachment.
    phone.context.clear_cookies()
    phone.goto(f"/p/county/{world.office.region.code}/")
    phone.get_by_test_id("public-bulletins").get_by_role("link", name=TITLE).click()
    expect(phone.get_by_test_id("bulletin-title")).to_have_text(TITLE)
    expect(phone.get_by_test_id("bulletin-text")).to_contain_text("各学校要对照问题立即整改")
    link = phone.get_by_test_id("public-attachments").get_by_role("link", name="整改情况汇总表")
    expect(link).to_be_visible()
    response = phone.request.get(link.get_attribute("href"))
    assert response.status == 200
    assert response.body().startswith(b"%PDF")
    assert "attachment" in response.headers["content-disposition"]
    shot(phone, "bulletin-04-public-page")
