"""Issue 13's "done when" in a real browser: the office runs a round on the built-in 2021
compulsory-school quality framework (义务教育学校办学质量评价) with ten schools and an expert,
and a township 目标管理 round on the built-in township framework with the township
governments as targets.

In the browser: the office creates each round, chooses all ten schools (or the townships) and
the expert, and moves the stages on; one school self-assesses with an evidence upload; the
expert scores that school; the office publishes, reads the ranking of ten and downloads the
summary report. The other nine schools' self-assessments and the expert's other sheets go
through the services (the same ones the pages call), to keep the test short."""

import datetime
import io
import re

import pytest
from PIL import Image
from playwright.sync_api import expect

from dudao.accounts.models import Role
from dudao.evaluations import round_services, shipped
from dudao.evaluations.models import Framework, Round, RoundTarget
from dudao.organisations.models import GovernmentUnit
from dudao.schools.models import School
from tests.browser_fixtures import docx_text, log_in
from tests.evaluations.round_fixtures import expert
from tests.factories import SchoolFactory, UserFactory

from .test_evaluation_flow import fill_scores, stage, take

pytestmark = pytest.mark.browser

SCHOOLS_TITLE = "2026年上城区义务教育学校办学质量评价"
TOWNSHIP_TITLE = "2026年乡镇教育工作目标管理考核"
TOWNSHIPS = ("东湖镇人民政府", "西山镇人民政府", "南塘街道办事处")


def builtin(key) -> Framework:
    return Framework.objects.unscoped().filter(office__isnull=True, key=key).latest("revision")


def values_for(spec, n: int) -> dict[str, str]:
    """A full sheet that differs per target n: levels a step lower every third target,
    points at a share falling with n, yes/no and veto items "yes"."""
    values = {}
    for i, leaf in enumerate(spec.leaves):
        if leaf.method == "levels":
            step = min(len(leaf.levels) - 1, (n + i) % 3 if n else 0)
            values[leaf.code] = leaf.levels[step][0]
        elif leaf.method == "points":
            values[leaf.code] = str(leaf.max_score * (100 - 3 * n) // 100)
        else:
            values[leaf.code] = "yes"
    return values


def fill_by_section(page, spec, group, values):
    """Fill the sheet a section (area) at a time, waiting for each section's autosave before
    the next, so that no two saves of the sheet are in flight at once."""
    sections: dict[str, dict[str, str]] = {}
    for code, value in values.items():
        root = code
        while spec.get(root).parent:
            root = spec.get(root).parent
        sections.setdefault(root, {})[code] = value
    for root, codes in sections.items():
        fill_scores(page, group, codes)
        expect(page.get_by_test_id(f"status-{root}").locator(".autosave-ok")).to_be_visible()


def as_entries(values):
    return {code: {"value": value} for code, value in values.items()}


def photo(path):
    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), "gray").save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def create_round(page, framework, title, today, *, weights):
    page.goto("/evaluations/")
    page.get_by_test_id("round-new").click()
    form = page.get_by_test_id("round-form")
    form.locator("[name=framework]").select_option(str(framework.pk))
    form.locator("[name=title]").fill(title)
    form.locator("[name=self_due]").fill((today + datetime.timedelta(days=7)).isoformat())
    form.locator("[name=expert_due]").fill((today + datetime.timedelta(days=14)).isoformat())
    form.locator("[name=review_due]").fill((today + datetime.timedelta(days=21)).isoformat())
    for group, weight in weights.items():
        form.locator(f"[name=weight_{group}]").fill(weight)
    page.get_by_test_id("round-save").click()
    expect(page.get_by_test_id("round-title")).to_have_text(title)
    expect(stage(page)).to_have_text(str(Round.Stage.DRAFT.label))
    return int(re.search(r"/evaluations/(\d+)/", page.url).group(1))


def choose_all_and_expert(page, count, expert_user):
    page.get_by_test_id("choose-targets").click()
    page.get_by_test_id("add-all").click()
    expect(page.get_by_test_id("targets").locator("tbody tr")).to_have_count(count)
    if page.locator("#raters details").get_attribute("open") is None:
        page.locator("#raters summary").click()
    form = page.get_by_test_id("rater-form")
    form.locator("[name=user]").select_option(str(expert_user.pk))
    form.locator("[name=group]").select_option("expert")
    page.get_by_test_id("rater-add").click()
    expect(page.get_by_test_id("raters")).to_contain_text(expert_user.username)
    expect(page.get_by_test_id("open-problems")).to_have_count(0)


def publish_and_read(page, round_pk, count, tmp_path, title):
    page.goto(f"/evaluations/{round_pk}/")
    take(page, "start_review", Round.Stage.REVIEW)
    take(page, "publish", Round.Stage.PUBLISHED)
    page.get_by_test_id("results-link").click()
    expect(page.get_by_test_id("provisional")).to_have_count(0)
    ranking = page.get_by_test_id("ranking").locator("tbody tr")
    expect(ranking).to_have_count(count)
    with page.expect_download() as info:
        page.get_by_test_id("round-report-docx").click()
    download = info.value
    assert download.suggested_filename.endswith(".docx")
    path = tmp_path / f"report-{round_pk}.docx"
    download.save_as(path)
    assert title in docx_text(path)
    return ranking


def test_ten_schools_and_a_township_round_in_the_browser(world, page, shot, tmp_path, today):
    expect.set_options(timeout=15_000)
    page.on("dialog", lambda dialog: dialog.accept())
    shipped.ensure_builtin_frameworks()
    compulsory = builtin(shipped.COMPULSORY_QUALITY)
    spec = round_services.spec_of(compulsory)
    expert_user = expert(world, "zhuanjia")
    schools = School.objects.unscoped().filter(office=world.office, is_active=True)
    schools = schools.exclude(type="kindergarten")
    for n in range(10 - schools.count()):
        SchoolFactory(office=world.office, name=f"上城区第{n + 1}小学")
    assert schools.count() == 10

    # 1. The office creates the round on the built-in framework, adds all ten schools and the
    #    expert, and opens the self-assessment.
    log_in(page, world.admin)
    round_pk = create_round(
        page, compulsory, SCHOOLS_TITLE, today, weights={"self": "0.3", "expert": "0.7"}
    )
    choose_all_and_expert(page, 10, expert_user)
    take(page, "open", Round.Stage.SELF_ASSESSMENT)
    round_ = Round.objects.unscoped().get(pk=round_pk)
    targets = list(RoundTarget.objects.unscoped().filter(round=round_).select_related("school"))
    others = [t for t in targets if t.school_id != world.school.pk]
    mine = next(t for t in targets if t.school_id == world.school.pk)

    # 2. 湖滨小学 self-assesses in the browser with evidence; the nine others by the services.
    log_in(page, world.school_user)
    page.goto("/evaluations/")
    page.get_by_test_id("round-table").locator("a[data-testid^='self-assess-']").click()
    expect(page.get_by_test_id("target-name")).to_have_text(world.school.name)
    first = spec.leaves[0].code
    page.get_by_test_id(f"leaf-{first}").locator("input[type=file]").set_input_files(
        photo(tmp_path / "自评材料.jpg")
    )
    page.get_by_test_id(f"upload-{first}").click()
    expect(page.get_by_test_id(f"leaf-{first}").get_by_test_id("evidence")).to_contain_text(
        "自评材料.jpg"
    )
    fill_by_section(page, spec, "self", values_for(spec, 0))
    page.get_by_test_id("submit-self").click()
    expect(page.get_by_test_id("self-status").locator(".badge.ok")).to_be_visible()
    for n, target in enumerate(others, start=1):
        user = UserFactory(role=Role.SCHOOL, office=world.office, school=target.school)
        round_services.save_scores(user, target, as_entries(values_for(spec, n)), group="self")
        round_services.submit_self_assessment(user, target)

    # 3. The office starts expert scoring; the expert scores 湖滨小学 in the browser and the
    #    nine others by the services.
    log_in(page, world.admin)
    page.goto(f"/evaluations/{round_pk}/")
    take(page, "start_scoring", Round.Stage.EXPERT_SCORING)
    log_in(page, expert_user)
    page.goto(f"/evaluations/{round_pk}/")
    page.get_by_test_id("targets").locator("tr").filter(has_text=world.school.name).get_by_test_id(
        "sheet-link"
    ).click()
    expect(page.get_by_test_id("target-name")).to_have_text(world.school.name)
    expect(page.get_by_test_id(f"leaf-{first}").get_by_test_id("evidence")).to_contain_text(
        "自评材料.jpg"
    )
    fill_by_section(page, spec, "expert", values_for(spec, 0))
    page.get_by_test_id("save-all").click()
    leaves = len(spec.leaves)
    expect(page.get_by_test_id("progress-line")).to_have_text(re.compile(rf"{leaves}\D+{leaves}"))
    for n, target in enumerate(others, start=1):
        round_services.save_scores(
            expert_user, target, as_entries(values_for(spec, n)), group="expert"
        )

    # 4. The office moves on, publishes, reads the ranking of ten and downloads the report.
    log_in(page, world.admin)
    ranking = publish_and_read(page, round_pk, 10, tmp_path, SCHOOLS_TITLE)
    expect(ranking.first).to_contain_text(world.school.name)  # full marks at level A
    expect(ranking.first).to_contain_text("优秀")
    shot(page, "evaluation-ten-schools-ranking")
    mine.refresh_from_db()
    assert mine.total == mine.max_total and mine.grade == "优秀"

    # 5. A township 目标管理 round on the built-in township framework, the township
    #    governments as targets, created and published in the browser the same way.
    for position, name in enumerate(TOWNSHIPS):
        GovernmentUnit.all_objects.create(
            office=world.office,
            kind=GovernmentUnit.Kind.TOWNSHIP,
            name=name,
            position=position,
        )
    GovernmentUnit.all_objects.create(
        office=world.office, kind=GovernmentUnit.Kind.COUNTY_GOVERNMENT, name="上城区人民政府"
    )
    township = builtin(shipped.TOWNSHIP_TARGETS)
    township_spec = round_services.spec_of(township)
    round_pk = create_round(page, township, TOWNSHIP_TITLE, today, weights={"expert": "1"})
    choose_all_and_expert(page, len(TOWNSHIPS), expert_user)
    expect(page.get_by_test_id("targets")).not_to_contain_text("上城区人民政府")
    take(page, "open", Round.Stage.SELF_ASSESSMENT)
    take(page, "start_scoring", Round.Stage.EXPERT_SCORING)
    units = RoundTarget.objects.unscoped().filter(round_id=round_pk).order_by("position", "pk")
    for n, target in enumerate(units):
        round_services.save_scores(
            expert_user, target, as_entries(values_for(township_spec, n)), group="expert"
        )
    ranking = publish_and_read(page, round_pk, len(TOWNSHIPS), tmp_path, TOWNSHIP_TITLE)
    expect(ranking.first).to_contain_text(TOWNSHIPS[0])
    shot(page, "evaluation-township-ranking")
