"""A "双减" special supervision campaign in a real browser, from the built-in checklist to the
report (issue 12): the office admin creates the campaign from the built-in “双减”与“五项管理”
template, draws its schools and their inspectors (双随机, with a seed) and starts it; an
inspector of a drawn team checks a school on a phone — evidence, answers, one non-compliant
answer raised as a finding in one tap — and submits; the office closes the campaign, edits
the report's highlights and downloads the report as Word (and PDF).

Only what a user sees is asserted: messages, status labels, the lists on the pages and the
downloaded files. Dates come from the pinned clock (tests/clock.py)."""

import datetime
import io
import re

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from dudao.accounts.models import Role
from dudao.campaigns.models import Campaign
from dudao.checklists.shipped import ensure_builtin_checklists
from dudao.core.system import cjk_font_available
from tests.browser_fixtures import docx_text, log_in
from tests.factories import AssignmentFactory, SchoolFactory, UserFactory, school_year_start

pytestmark = pytest.mark.browser

TITLE = "上城区“双减”与“五项管理”专项督导"
CHECKLIST = "“双减”与“五项管理”专项督导"  # the built-in template's title
SEED = "shuangjian-01"

# The inspector's answers to the built-in checklist, by item code (every other item is a
# yes/no answered 是). Numbers meet the standards; 4.2 is the non-compliant answer.
NUMBERS = {
    "2.2": "50",
    "2.3": "80",
    "3.3": "10",
    "3.4": "9",
    "6.1": "4",
    "6.2": "3",
    "6.3": "1",
    "6.4": "30",
    "7.1": "5",
    "7.2": "2",
    "7.3": "92",
}
OPTIONS = {"2.7": "较好", "7.6": "作业辅导与兴趣活动结合", "8.2": "好"}
TEXTS = {"8.3": "课后服务内容丰富，建议进一步加强手机管理。"}
HIGHLIGHT_NOTE = ("7.6", "开设书法、足球、合唱等20余个课后社团")
FAULTY = "4.2"  # 禁止学生将手机带入课堂
FAULTY_NOTE = "初二（3）班有学生将手机带入课堂"
HIGHLIGHTS = "各校均制定了“双减”工作实施方案，课后服务实现全覆盖。"


@pytest.fixture
def county(world):
    """The world's county with three more primary schools (six to draw from) and a login
    for each of its three inspectors: {inspector's name: user}."""
    start = school_year_start(timezone.localdate())
    SchoolFactory(office=world.office, name="南山小学", zone=world.zone)
    jiangbin = SchoolFactory(office=world.office, name="江滨小学", zone=world.zone)
    SchoolFactory(office=world.office, name="北岭小学")
    AssignmentFactory(inspector=world.leader, school=jiangbin, start_date=start)
    zhao = UserFactory(
        username="zhao", role=Role.INSPECTOR, office=world.office, inspector=world.other_inspector
    )
    ensure_builtin_checklists()  # a live-server test starts from a flushed database
    return {
        world.inspector.name: world.inspector_user,
        world.leader.name: world.zone_leader,
        world.other_inspector.name: zhao,
    }


def photo(path):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "gray").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def message(page):
    """The page's messages (Django's, after a redirect)."""
    return page.locator(".messages")


def create_campaign(page, today):
    page.goto("/")
    page.locator("#nav").get_by_role("link", name="专项督导", exact=True).click()
    page.get_by_role("link", name="新建专项督导").click()
    page.get_by_label("标题:", exact=True).fill(TITLE)
    page.get_by_label("主题:", exact=True).fill("双减")
    page.get_by_label("依据文件:", exact=True).fill("上教督〔2026〕5号")
    page.get_by_label("开始日期").fill(today.isoformat())
    page.get_by_label("结束日期").fill((today + datetime.timedelta(days=14)).isoformat())
    checklist = page.get_by_label("检查表")
    label = next(
        text for text in checklist.locator("option").all_inner_texts() if text.startswith(CHECKLIST)
    )
    checklist.select_option(label=label)
    page.get_by_role("button", name="保存").click()
    expect(message(page)).to_contain_text("专项督导已创建，请确定督查学校。")
    expect(page.get_by_test_id("campaign-title")).to_have_text(TITLE)
    expect(page.get_by_test_id("campaign-status")).to_have_text("草稿")
    return int(re.search(r"/campaigns/(\d+)/", page.url).group(1))


def draw_schools_and_teams(page):
    """双随机: half of the six schools, one inspector each, never the school's own."""
    form = page.get_by_test_id("draw-form")
    form.get_by_label("抽取:", exact=True).select_option(label="抽取学校（及督查组）")
    form.get_by_label("随机种子").fill(SEED)
    form.get_by_label("或抽取比例（%）").fill("50")
    form.get_by_label("每校督学人数").fill("1")
    form.get_by_label("不派该校的责任督学").check()
    form.get_by_role("button", name="抽取").click()
    expect(message(page)).to_contain_text(f"已用随机种子“{SEED}”抽取 3 所学校。")
    expect(page.get_by_test_id("draw-seed")).to_have_text(SEED)
    schools = page.locator("#targets tbody tr")
    expect(schools).to_have_count(3)
    expect(page.get_by_test_id("start-problems")).to_have_count(0)


def first_school_and_inspector(page, inspectors):
    """The first drawn school and the name of the inspector its team was drawn."""
    row = page.locator("#targets tbody tr").first
    school = row.locator("td").nth(1).inner_text().split()[0]
    team = row.locator("select[name=team] option:checked").inner_text()
    heading = page.get_by_role("heading", name=team, exact=True)
    card = page.get_by_test_id("team").filter(has=heading)
    members = card.locator("ul").first.inner_text()
    names = [name for name in inspectors if name in members]
    assert len(names) == 1, members
    return school, names[0]


def check_the_school(page, tmp_path):
    """On the phone: at the school, evidence first (a reload each), then the answers
    (autosaved), the finding in one tap, and the submission."""
    page.get_by_test_id("visited").click()
    expect(message(page)).to_contain_text("已记录到校开始检查。")
    image = photo(tmp_path / "佐证.jpg")
    needing = [
        item.get_attribute("data-testid")
        for item in page.locator("#check-form [data-testid^='item-']").all()
        if item.get_by_text("需佐证").count()
    ]
    assert needing, "the built-in checklist asks for evidence"
    for testid in needing:
        item = page.get_by_test_id(testid)
        item.locator("input[type=file]").set_input_files(image)
        item.get_by_role("button", name="上传").click()
        expect(message(page)).to_contain_text("文件已添加。")
        expect(page.get_by_test_id(testid).locator("ul.photos img")).to_have_count(1)
    expect(page.get_by_test_id("status")).to_have_text("检查中")

    codes = [
        item.get_attribute("data-testid").removeprefix("item-")
        for item in page.locator("#check-form [data-testid^='item-']").all()
    ]
    assert FAULTY in codes
    for code in codes:
        if code == FAULTY:
            continue
        item = page.get_by_test_id(f"item-{code}")
        if code in NUMBERS:
            item.get_by_label(code, exact=True).fill(NUMBERS[code])
        elif code in TEXTS:
            item.get_by_label(code, exact=True).fill(TEXTS[code])
        elif code in OPTIONS:
            item.get_by_label(OPTIONS[code], exact=True).check()
        else:
            item.get_by_label("是", exact=True).check()
        if code == HIGHLIGHT_NOTE[0]:
            item.get_by_label("备注").fill(HIGHLIGHT_NOTE[1])
    page.locator("#id_notes").fill("学校“双减”工作总体扎实，手机管理有待加强。")
    # The non-compliant answer last: its autosave carries every answer above, and brings
    # the button that raises the finding.
    faulty = page.get_by_test_id(f"item-{FAULTY}")
    faulty.get_by_label("备注").fill(FAULTY_NOTE)
    faulty.get_by_label("否", exact=True).check()
    raise_finding = page.get_by_test_id(f"raise-{FAULTY}")
    expect(raise_finding).to_be_visible()
    expect(page.locator("#autosave-status")).to_contain_text("保存")
    raise_finding.click()
    expect(message(page)).to_contain_text("问题已录入台账")
    faulty = page.get_by_test_id(f"item-{FAULTY}")
    expect(faulty.get_by_role("link", name="已录入问题台账")).to_be_visible()
    expect(faulty.get_by_text("未达标")).to_be_visible()
    # The reloaded form shows what was autosaved.
    expect(faulty.get_by_label("备注")).to_have_value(FAULTY_NOTE)
    if "6.4" in codes:
        expect(page.get_by_test_id("item-6.4").get_by_label("6.4", exact=True)).to_have_value(
            NUMBERS["6.4"]
        )

    page.get_by_role("button", name="提交检查").click()
    expect(message(page)).to_contain_text("检查已提交。")
    expect(page.get_by_test_id("status")).to_have_text("已督查")
    expect(page.get_by_role("button", name="提交检查")).to_have_count(0)


def test_shuangjian_campaign_from_template_to_report(
    world, county, page, phone_page, shot, tmp_path, today
):
    expect.set_options(timeout=15_000)

    # 1. The office admin creates the campaign from the built-in 双减 checklist ...
    log_in(page, world.admin)
    create_campaign(page, today)
    shot(page, "campaign-01-created")

    # 2. ... draws its schools and their inspectors with a published seed ...
    draw_schools_and_teams(page)
    school, inspector = first_school_and_inspector(page, county)
    shot(page, "campaign-02-drawn")

    # 3. ... and starts it.
    page.get_by_test_id("action-start").click()
    expect(message(page)).to_contain_text("已完成：启动专项督导。")
    expect(page.get_by_test_id("campaign-status")).to_have_text("进行中")
    expect(page.get_by_test_id("action-close")).to_be_visible()

    # 4. The inspector drawn for the first school checks it on a phone.
    phone = phone_page
    log_in(phone, county[inspector])
    phone.locator("[data-toggle-nav]").click()
    phone.locator("#nav").get_by_role("link", name="我的专项检查").click()
    group = phone.locator("section.card").filter(has_text=TITLE)
    expect(group.get_by_text("未检查").first).to_be_visible()
    group.get_by_role("link", name=school, exact=True).click()
    expect(phone.get_by_role("heading", name=school)).to_be_visible()
    expect(phone.get_by_test_id("status")).to_have_text("未检查")
    check_the_school(phone, tmp_path)
    shot(phone, "campaign-03-checked-on-phone")

    # 5. Back at the office: the school is checked; the office closes the campaign.
    page.goto("/")
    page.locator("#nav").get_by_role("link", name="专项督导", exact=True).click()
    page.get_by_role("link", name=TITLE).click()
    row = page.locator("#targets tbody tr").filter(has_text=school)
    expect(row).to_contain_text("已督查")
    page.get_by_test_id("action-close").click()
    expect(message(page)).to_contain_text("已完成：结束专项督导。")
    expect(page.get_by_test_id("campaign-status")).to_have_text(str(Campaign.Status.CLOSED.label))
    shot(page, "campaign-04-closed")

    # 6. The results, from the campaign's page.
    page.get_by_test_id("results-link").click()
    expect(page.get_by_role("heading", name=f"结果 · {TITLE}")).to_be_visible()
    expect(page.get_by_test_id(f"failing-{FAULTY}")).to_contain_text(school)
    expect(page.get_by_test_id(f"failing-{FAULTY}")).to_contain_text(FAULTY_NOTE)
    expect(page.get_by_test_id(f"rate-{FAULTY}")).to_contain_text("(0/1)")
    expect(page.get_by_test_id("progress")).to_contain_text("合计")
    shot(page, "campaign-05-results")

    # 7. The office rewrites the report's highlights ...
    page.get_by_test_id("report-text").click()
    section = page.get_by_test_id("text-highlights")
    expect(section).to_contain_text("以下为草稿，尚未保存。")
    section.get_by_label("内容").fill(HIGHLIGHTS)
    section.get_by_role("button", name="保存").click()
    expect(message(page)).to_contain_text("报告内容已保存。")
    section = page.get_by_test_id("text-highlights")
    expect(section).to_contain_text("以下为已保存的内容。")
    expect(section.get_by_label("内容")).to_have_value(HIGHLIGHTS)
    shot(page, "campaign-06-report-text")

    # 8. ... and downloads the report: a Word file with the campaign, its school and words.
    # (Its label reads 返回监测结果, "monitoring results": a msgid shared with monitoring.)
    page.get_by_role("link", name=re.compile("^返回")).click()
    with page.expect_download() as info:
        page.get_by_role("link", name="报告（Word）").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    report = tmp_path / "report.docx"
    download.save_as(report)
    text = docx_text(report)
    assert TITLE in text
    assert HIGHLIGHTS in text
    assert school in text
    assert SEED in text

    if cjk_font_available():  # the PDF needs a CJK font (fonts-noto-cjk)
        with page.expect_download(timeout=60_000) as info:
            page.get_by_role("link", name="报告（PDF）").click()
        pdf = tmp_path / "report.pdf"
        info.value.save_as(pdf)
        assert info.value.suggested_filename.endswith(".pdf")
        assert pdf.read_bytes().startswith(b"%PDF")
