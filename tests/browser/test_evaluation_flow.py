"""An evaluation round (督导评估) in a real browser, from set-up to the published result (issue
13 §4, §6, §7): the office admin creates a round on a small framework (points, levels, yes/no
and a veto item) for two schools with one expert and opens the self-assessment; the school
scores every indicator, attaches evidence and submits; the office starts expert scoring; the
expert scores both schools on a phone (a section at a time, then the whole sheet); the office
starts the review and publishes; the school reads its result.

Only what a user sees is asserted: stage badges, the values on the sheets, the ranking and the
result. The pages are found by their data-testid, as the round screens' words may still be
untranslated. Dates come from the pinned clock (tests/clock.py)."""

import datetime
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from dudao.accounts.models import Role
from dudao.evaluations.models import Round
from tests.browser_fixtures import docx_text, log_in
from tests.evaluations.round_fixtures import build_framework, expert
from tests.factories import UserFactory

pytestmark = pytest.mark.browser

TITLE = "2026年上城区学校督导评估"
# The school's self-assessment and the expert's scores (points, level, yes/no, points, veto).
SELF = {"A1.1": "28", "A1.2": "B", "A2.1": "yes", "A2.2": "35", "V1": "yes"}
EXPERT_HUBIN = {"A1.1": "24", "A1.2": "A", "A2.1": "yes", "A2.2": "36", "V1": "yes"}
EXPERT_XIHU = {"A1.1": "30", "A1.2": "A", "A2.1": "yes", "A2.2": "40", "V1": "yes"}
# Expert 0.6, self 0.4: 25.6 + 18.4 + 10 + 35.6 = 89.6 (良好); 西湖小学, scored by the expert
# alone (the weights renormalised over the groups that scored): 100 (优秀).
HUBIN_TOTAL = "89.60"
XIHU_TOTAL = "100.00"


def stage(page):
    return page.get_by_test_id("round-stage").first


def photo(path):
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), "gray").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def fill_scores(page, group, values):
    """Fill the sheet's inputs of `group` by their names: a text, a level or a radio."""
    for code, value in values.items():
        name = f"score__{group}__{code}"
        field = page.locator(f'[name="{name}"]')
        kind = field.first.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if kind.startswith("select"):
            field.select_option(value)
        elif kind.endswith("radio"):
            page.locator(f'[name="{name}"][value="{value}"]').check()
        else:
            field.fill(value)


def create_round(page, framework, today):
    page.goto("/evaluations/")
    page.get_by_test_id("round-new").click()
    form = page.get_by_test_id("round-form")
    form.locator("[name=framework]").select_option(str(framework.pk))
    form.locator("[name=title]").fill(TITLE)
    form.locator("[name=legal_basis]").fill("上教督〔2026〕8号")
    form.locator("[name=self_due]").fill((today + datetime.timedelta(days=7)).isoformat())
    form.locator("[name=expert_due]").fill((today + datetime.timedelta(days=14)).isoformat())
    form.locator("[name=review_due]").fill((today + datetime.timedelta(days=21)).isoformat())
    form.locator("[name=weight_self]").fill("0.4")
    form.locator("[name=weight_expert]").fill("0.6")
    expect(form.locator("[name=grades]")).to_have_value("优秀=90,良好=80,合格=60")
    form.locator("[name=pass_grade]").fill("合格")
    page.get_by_test_id("round-save").click()
    expect(page.get_by_test_id("round-title")).to_have_text(TITLE)
    expect(stage(page)).to_have_text(str(Round.Stage.DRAFT.label))
    return int(re.search(r"/evaluations/(\d+)/", page.url).group(1))


def choose_targets_and_expert(page, world, expert_user):
    page.get_by_test_id("choose-targets").click()
    form = page.get_by_test_id("candidate-form")
    expect(form.get_by_text(world.far_school.name)).to_be_visible()
    for school in (world.school, world.zone_school):
        form.locator(f"input[name=schools][value='{school.pk}']").check()
    page.get_by_test_id("add-checked").click()
    targets = page.get_by_test_id("targets").locator("tbody tr")
    expect(targets).to_have_count(2)
    expect(targets.first).to_contain_text(world.school.name)
    if page.locator("#raters details").get_attribute("open") is None:
        page.locator("#raters summary").click()
    form = page.get_by_test_id("rater-form")
    form.locator("[name=user]").select_option(str(expert_user.pk))
    form.locator("[name=group]").select_option("expert")
    page.get_by_test_id("rater-add").click()
    expect(page.get_by_test_id("raters").locator("tbody tr")).to_have_count(1)
    expect(page.get_by_test_id("raters")).to_contain_text(expert_user.username)
    expect(page.get_by_test_id("open-problems")).to_have_count(0)


def take(page, action, expected_stage):
    page.get_by_test_id(f"action-{action}").click()
    expect(stage(page)).to_have_text(str(expected_stage.label))


def self_assess(page, world, tmp_path):
    page.goto("/evaluations/")
    page.get_by_test_id("round-table").locator("a[data-testid^='self-assess-']").click()
    expect(page.get_by_test_id("target-name")).to_have_text(world.school.name)
    # evidence first: each upload reloads the sheet
    page.get_by_test_id("leaf-A1.1").locator("input[type=file]").set_input_files(
        photo(tmp_path / "党建台账.jpg")
    )
    page.get_by_test_id("upload-A1.1").click()
    expect(page.get_by_test_id("leaf-A1.1").get_by_test_id("evidence")).to_contain_text(
        "党建台账.jpg"
    )
    expect(page.get_by_test_id("leaf-A1.1").locator("img.thumb")).to_have_count(1)
    fill_scores(page, "self", SELF)
    page.locator('[name="comment__self__A1.1"]').fill("全年开展党建活动12次")
    page.locator("#id_summary").fill("学校办学规范，安全管理有待加强。")
    page.get_by_test_id("submit-self").click()
    status = page.get_by_test_id("self-status")
    expect(status.locator(".badge.ok")).to_be_visible()
    expect(status).to_contain_text("学校办学规范")
    expect(page.locator('[name="score__self__A1.1"]')).to_have_count(0)  # read-only now
    expect(page.get_by_test_id("leaf-A1.1").get_by_test_id("score-self")).to_contain_text("28")


def score_on_the_phone(phone, world, round_pk):
    phone.goto("/evaluations/")
    phone.get_by_test_id("round-step").get_by_role("link").first.click()
    targets = phone.get_by_test_id("targets")
    expect(targets.locator("tbody tr")).to_have_count(2)
    # 湖滨小学: the self-assessment beside each input, saved a part at a time (htmx)
    targets.locator("tr").filter(has_text=world.school.name).get_by_test_id("sheet-link").click()
    expect(phone.get_by_test_id("target-name")).to_have_text(world.school.name)
    leaf = phone.get_by_test_id("leaf-A1.1")
    expect(leaf.get_by_test_id("score-self")).to_contain_text("28")
    expect(leaf.get_by_test_id("score-self")).to_contain_text("全年开展党建活动12次")
    expect(leaf.get_by_test_id("evidence")).to_contain_text("党建台账.jpg")
    fill_scores(phone, "expert", {"A1.1": "31"})  # above the maximum: refused beside it
    phone.get_by_test_id("save-section-A1").click()
    expect(phone.get_by_test_id("status-A1").locator(".autosave-error")).to_be_visible()
    expect(leaf.locator(".errorlist")).to_contain_text("31")
    for section in ("A1", "A2", "V1"):
        codes = {c: v for c, v in EXPERT_HUBIN.items() if c == section or c.startswith(section)}
        fill_scores(phone, "expert", codes)
        phone.get_by_test_id(f"save-section-{section}").click()
        expect(phone.get_by_test_id(f"status-{section}").locator(".autosave-ok")).to_be_visible()
    expect(leaf.locator(".errorlist")).to_have_count(0)
    expect(phone.get_by_test_id("progress-line")).to_have_text(re.compile(r"5\D+5"))
    # 西湖小学: the whole sheet at once
    phone.goto(f"/evaluations/{round_pk}/")
    phone.get_by_test_id("targets").locator("tr").filter(
        has_text=world.zone_school.name
    ).get_by_test_id("sheet-link").click()
    expect(phone.get_by_test_id("target-name")).to_have_text(world.zone_school.name)
    fill_scores(phone, "expert", EXPERT_XIHU)
    phone.get_by_test_id("save-all").click()
    expect(phone.locator('[name="score__expert__A2.2"]')).to_have_value("40")
    expect(phone.get_by_test_id("progress-line")).to_have_text(re.compile(r"5\D+5"))


def test_an_evaluation_round_from_self_assessment_to_the_published_result(
    world, page, phone_page, shot, tmp_path, today
):
    expect.set_options(timeout=15_000)
    page.on("dialog", lambda dialog: dialog.accept())
    framework = build_framework()
    expert_user = expert(world, "zhuanjia")
    UserFactory(username="xihu", role=Role.SCHOOL, office=world.office, school=world.zone_school)

    # 1. The office admin creates the round, chooses two schools and an expert, and opens it.
    log_in(page, world.admin)
    round_pk = create_round(page, framework, today)
    choose_targets_and_expert(page, world, expert_user)
    take(page, "open", Round.Stage.SELF_ASSESSMENT)
    shot(page, "evaluation-01-opened")

    # 2. The school scores every indicator with evidence, and submits.
    log_in(page, world.school_user)
    self_assess(page, world, tmp_path)
    shot(page, "evaluation-02-self-assessed")

    # 3. The office starts expert scoring.
    log_in(page, world.admin)
    page.goto(f"/evaluations/{round_pk}/")
    expect(page.get_by_test_id("self-submitted")).to_have_count(1)
    take(page, "start_scoring", Round.Stage.EXPERT_SCORING)

    # 4. The expert scores both schools on a phone.
    log_in(phone_page, expert_user)
    score_on_the_phone(phone_page, world, round_pk)
    shot(phone_page, "evaluation-03-expert-on-phone")

    # 5. The office starts the review, reads the provisional ranking and publishes.
    page.goto(f"/evaluations/{round_pk}/")
    take(page, "start_review", Round.Stage.REVIEW)
    page.get_by_test_id("results-link").click()
    expect(page.get_by_test_id("provisional")).to_be_visible()
    ranking = page.get_by_test_id("ranking").locator("tbody tr")
    expect(ranking.first).to_contain_text(world.zone_school.name)
    expect(ranking.first).to_contain_text(XIHU_TOTAL)
    expect(ranking.nth(1)).to_contain_text(HUBIN_TOTAL)
    expect(ranking.nth(1)).to_contain_text("良好")
    expect(page.locator("[data-chart=totals] svg")).to_be_visible()  # the bar chart drew
    page.goto(f"/evaluations/{round_pk}/")
    take(page, "publish", Round.Stage.PUBLISHED)
    page.get_by_test_id("results-link").click()
    expect(page.get_by_test_id("provisional")).to_have_count(0)
    shot(page, "evaluation-04-published")

    # 6. The school reads its result: the total, the grade, self and expert side by side.
    log_in(page, world.school_user)
    page.goto("/evaluations/")
    page.get_by_test_id("round-table").locator("a[data-testid^='result-']").first.click()
    expect(page.get_by_test_id("total")).to_have_text(HUBIN_TOTAL)
    expect(page.get_by_test_id("grade")).to_have_text("良好")
    row = page.get_by_test_id("row-A1.1")
    expect(row).to_contain_text("25.60")  # combined
    expect(row).to_contain_text("28.00")  # self
    expect(row).to_contain_text("24.00")  # expert
    expect(page.locator("[data-chart=areas] svg")).to_be_visible()  # the areas chart drew
    shot(page, "evaluation-05-school-result")

    # 7. The school downloads its feedback letter (反馈意见书) from the result page: a Word
    #    file naming the school, its total and its grade.
    with page.expect_download() as info:
        page.get_by_test_id("target-report-docx").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    letter = tmp_path / "feedback.docx"
    download.save_as(letter)
    text = docx_text(letter)
    assert world.school.name in text and HUBIN_TOTAL.rstrip("0") in text and "良好" in text
