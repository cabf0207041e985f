"""A complaint from the signboard's QR code to a reply and a finding, in a real browser (issue
14 §1, §6): a parent on a cheap phone (360×740) opens the school's public page (the QR code's
target, /p/<code>/), follows the complaint link, complains anonymously, answers the sum the
form asks as a person reads it, and gets a tracking code; the office assigns the complaint to
the school's inspector; the inspector investigates, replies and records the confirmed problem
as a finding in the ledger; the parent reads the reply with the tracking code.

Only what a user sees is asserted. The page's clock starts at the pinned time
(tests/clock.py); the server's is moved on past the challenge's minimum seconds rather than
waited for."""

import datetime
import re

import pytest
from django.utils import translation
from playwright.sync_api import expect

from dudao.complaints import challenge
from dudao.complaints.models import Complaint, Status
from tests.browser_fixtures import log_in

pytestmark = pytest.mark.browser

TEXT = "学校周六组织初三学生到校补课，每人收取资料费200元。"
REPLY = "经核查，学校已停止周六补课，并将资料费全额退还家长。"
PROBLEM = "周六组织初三学生集体补课并收费"


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


def label(status) -> str:
    """A status as the pages show it (in Chinese, as the browser asks)."""
    with translation.override("zh-hans"):
        return str(status.label)


def message(page):
    return page.locator(".messages").first


def solve(question: str) -> str:
    """The sum as a person reads it: “7 加 4 等于多少？” (or “What is 7 plus 4?”)."""
    a, b = (int(n) for n in re.findall(r"\d+", question))
    return str(a + b)


def act(page, action, **fields):
    """Open an action's panel on the complaint's page, fill it and send it."""
    page.locator(f"summary[data-action={action}]").click()
    form = page.get_by_test_id(f"form-{action}")
    for name, value in fields.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()


def test_a_parent_complains_from_the_qr_page_and_reads_the_reply(
    world, small_phone, page, shot, clock
):
    expect.set_options(timeout=15_000)
    phone = small_phone
    school = world.school

    # 1. The parent scans the signboard's QR code: the school's public page ...
    phone.goto(f"/p/{school.code}/")
    expect(phone.get_by_role("heading", name=school.name)).to_be_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the public page scrolls sideways on a phone ({width}px)"
    phone.get_by_test_id("complaint-link").click()

    # ... and the complaint form, the school already chosen.
    form = phone.get_by_test_id("complaint-form")
    expect(form).to_be_visible()
    expect(phone.get_by_role("heading", name=school.name)).to_be_visible()
    form.locator("input[name=category]").first.check()
    form.locator("textarea[name=text]").fill(TEXT)
    form.locator("input[name=anonymous]").check()
    question = phone.get_by_test_id("challenge-question").inner_text()
    form.locator("input[name=answer]").fill(solve(question))
    shot(phone, "complaint-01-form-on-phone")
    clock.shift(datetime.timedelta(seconds=challenge.MIN_SECONDS + 2))  # a person's writing
    phone.get_by_test_id("send").click()

    code = phone.get_by_test_id("tracking-code")
    expect(code).to_be_visible()
    tracking = code.inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z -]{6,}", tracking), tracking
    shot(phone, "complaint-02-tracking-code")
    complaint = Complaint.objects.unscoped().get()
    assert complaint.anonymous and not complaint.sender_name and not complaint.sender_phone

    # 2. The office finds it among the new complaints and assigns it to the school's inspector.
    log_in(page, world.admin)
    page.goto("/complaints/")
    row = page.get_by_test_id("complaint-table").locator("tbody tr").filter(has_text=tracking)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=tracking).click()
    expect(page.get_by_test_id("complaint-text")).to_have_text(TEXT)
    expect(page.get_by_test_id("sender")).to_contain_text(re.compile("anonymously|匿名"))
    act(page, "assign", inspector=world.inspector.name)
    expect(message(page)).to_be_visible()
    expect(page.get_by_test_id("complaint-status")).to_have_text(label(Status.ASSIGNED))
    detail = page.url

    # 3. The inspector investigates, replies ...
    log_in(page, world.inspector_user)
    page.goto("/complaints/mine/")
    page.get_by_role("link", name=tracking).click()
    expect(page).to_have_url(detail)
    act(page, "start")
    expect(page.get_by_test_id("complaint-status")).to_have_text(label(Status.INVESTIGATING))
    act(page, "reply", reply=REPLY)
    expect(page.get_by_test_id("complaint-status")).to_have_text(label(Status.REPLIED))
    expect(page.get_by_test_id("reply-text")).to_have_text(REPLY)

    # ... and records the confirmed problem as a finding in the ledger, linked both ways.
    page.get_by_test_id("raise-finding").click()
    finding_form = page.get_by_test_id("finding-form")
    finding_form.locator("select[name=area]").select_option(index=1)
    finding_form.locator("textarea[name=description]").fill(PROBLEM)
    finding_form.locator("button[type=submit]").click()
    expect(message(page)).to_be_visible()
    assert "/rectification/" in page.url or "/findings/" in page.url, page.url
    expect(page.get_by_text(PROBLEM).first).to_be_visible()
    page.goto(detail)
    expect(page.get_by_test_id("finding-link")).to_be_visible()
    shot(page, "complaint-03-replied-with-finding")

    # 4. Back on the phone, the parent reads the reply with the tracking code.
    phone.goto(f"/p/{school.code}/")
    phone.get_by_role("link", name=re.compile("tracking code|查询码")).click()
    track = phone.get_by_test_id("track-form")
    track.locator("input[name=code]").fill(tracking)
    track.locator("button[type=submit]").click()
    result = phone.get_by_test_id("track-result")
    expect(result).to_be_visible()
    expect(phone.get_by_test_id("track-status")).to_have_text(label(Status.REPLIED))
    expect(phone.get_by_test_id("track-reply")).to_have_text(REPLY)
    expect(result).not_to_contain_text(world.inspector.name)  # no inspector, no internal notes
    shot(phone, "complaint-04-reply-on-phone")
