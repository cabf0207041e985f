"""The satisfaction rate against hand counts (dudao/surveys/results.py): satisfied answers ÷
counted answers, answers such as 不了解 left out, the 85 % rule compared exactly, the minimum
number of answers per school, zones and the county, who reads what and when, answers per
question, and the XLSX through the one exporter."""

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dudao.reports import exporter
from dudao.surveys import results, services
from dudao.surveys.results import passes, rate_percent
from tests.factories import AssignmentFactory, school_year_start

from .helpers import answer

pytestmark = pytest.mark.django_db


def test_rate_and_rule_by_hand():
    assert rate_percent(5, 7) == Decimal("71.4")
    assert rate_percent(2, 3) == Decimal("66.6")  # rounded down, never up
    assert rate_percent(0, 0) is None
    assert passes(17, 20, 85) is True  # exactly 85 %: passes
    assert passes(16999, 20000, 85) is False  # 84.995 %: fails, and shows as 84.9 %
    assert rate_percent(16999, 20000) == Decimal("84.9")
    assert passes(0, 0, 85) is None


@pytest.fixture
def answered(world, survey, q):
    """Hand-counted answers (minimum 3 responses):
    湖滨小学 (zone): 满意/5, 比较满意/3, 不了解/4, 不满意/5 → 5 satisfied of 7 counted: 71.4 %
    西湖小学 (zone): 3 × 满意/5 → 6 of 6: 100 %
    城东中学 (no zone): 满意/5, 不满意/1 → 2 of 4, but 2 responses: not enough answers
    zone: 11 of 13 = 84.6 % (fails); county: 13 of 17 = 76.4 % (fails)."""
    answer(survey, world.school, q, single="满意", scale="5", multiple=["食堂", "图书"])
    answer(survey, world.school, q, single="比较满意", scale="3", multiple=["食堂"])
    answer(survey, world.school, q, single="不了解", scale="4", text="希望增加体育活动")
    answer(survey, world.school, q, single="不满意", scale="5", phase="初中")
    for _ in range(3):
        answer(survey, world.zone_school, q, single="满意", scale="5")
    answer(survey, world.far_school, q, single="满意", scale="5")
    answer(survey, world.far_school, q, single="不满意", scale="1", text="操场太小")
    return survey


def rows_by_name(data):
    return {r["school"].name: r["figure"] for r in data["rows"]}


def test_the_office_reads_every_school_the_zone_and_the_county(world, answered):
    data = results.survey_results(world.admin, answered)
    schools = rows_by_name(data)
    a, b, c = schools["湖滨小学"], schools["西湖小学"], schools["城东中学"]
    assert (a.responses, a.counted, a.satisfied, a.rate, a.passed) == (
        4,
        7,
        5,
        Decimal("71.4"),
        False,
    )
    assert (b.rate, b.passed, b.percent) == (Decimal("100.0"), True, "100.0%")
    assert (c.responses, c.shown, c.rate, c.passed, c.percent) == (2, False, None, None, "—")
    assert str(c.verdict()) in ("Not enough answers", "答卷不足") or c.verdict()
    zones = {z["zone"].name if z["zone"] else None: z for z in data["zones"]}
    assert zones["第一责任区"]["figure"].rate == Decimal("84.6")
    assert zones["第一责任区"]["figure"].passed is False
    assert zones[None]["figure"].shown is False  # the school alone, 2 responses
    total = data["total"]
    assert (total.responses, total.counted, total.satisfied) == (9, 17, 13)
    assert (total.rate, total.passed) == (Decimal("76.4"), False)


def test_answers_per_question(world, answered):
    data = results.survey_results(world.admin, answered, school_id=world.school.pk)
    assert data["chosen_name"] == "湖滨小学"
    figures = {f.question.code: f for s in data["sections"] for f in s["questions"]}
    single = figures["1.1"]
    assert single.answered == 4
    assert [(v, n, share) for v, _l, n, share in single.options] == [
        ("满意", 1, Decimal("25.0")),
        ("比较满意", 1, Decimal("25.0")),
        ("不满意", 1, Decimal("25.0")),
        ("不了解", 1, Decimal("25.0")),
    ]
    assert single.percent == "66.6%"  # 2 of 3 counted
    scale = figures["1.2"]
    assert scale.mean == Decimal("4.25") and scale.percent == "75.0%"
    assert scale.options[0][1] == "1 很不满意" and scale.options[4][1] == "5 很满意"
    several = figures["1.3"]
    assert several.answered == 2
    assert [(v, n, s) for v, _l, n, s in several.options] == [
        ("食堂", 2, Decimal("100.0")),
        ("操场", 0, Decimal("0.0")),
        ("图书", 1, Decimal("50.0")),
    ]
    assert [t[2] for t in data["texts"]] == ["希望增加体育活动"]


def test_a_school_below_the_minimum_shows_no_figures(world, answered):
    data = results.survey_results(world.admin, answered, school_id=world.far_school.pk)
    assert data["chosen"].shown is False
    assert data["sections"] == [] and data["texts"] == []


def test_a_zone_pools_its_schools(world, answered):
    data = results.survey_results(world.admin, answered, zone_id=world.zone.pk)
    assert data["chosen"].rate == Decimal("84.6")
    figures = {f.question.code: f for s in data["sections"] for f in s["questions"]}
    assert figures["1.1"].answered == 7


def test_inspectors_and_schools_read_figures_once_closed(world, answered):
    before = results.survey_results(world.inspector_user, answered)
    assert before["answers_readable"] is False
    assert [(r["school"].name, r["figure"].responses) for r in before["rows"]] == [("湖滨小学", 4)]
    assert before["rows"][0]["figure"].counted == 0  # what they answered: after closing
    services.close_survey(world.admin, answered)
    answered.refresh_from_db()
    inspector = results.survey_results(world.inspector_user, answered)
    assert inspector["answers_readable"] and inspector["total"].rate == Decimal("71.4")
    school = results.survey_results(world.school_user, answered, school_id=world.school.pk)
    assert school["chosen"].rate == Decimal("71.4")
    assert [r["school"].name for r in school["rows"]] == ["湖滨小学"]
    leader = results.survey_results(world.zone_leader, answered)
    assert {r["school"].name for r in leader["rows"]} == {"湖滨小学", "西湖小学"}
    assert leader["total"].rate == Decimal("84.6")
    assert leader["whole_office"] is False


def test_others_never_read_a_school_below_the_minimum(world, answered, today):
    """An inspector of 湖滨小学 and 城东中学 (2 responses): their total is 湖滨小学's alone, so
    城东中学's answers cannot be worked out by difference."""
    AssignmentFactory(
        inspector=world.inspector,
        school=world.far_school,
        start_date=school_year_start(today),
    )
    services.close_survey(world.admin, answered)
    answered.refresh_from_db()
    data = results.survey_results(world.inspector_user, answered)
    assert {r["school"].name for r in data["rows"]} == {"湖滨小学", "城东中学"}
    assert (data["total"].responses, data["total"].rate) == (4, Decimal("71.4"))
    texts = results.survey_results(world.inspector_user, answered)["texts"]
    assert [t[2] for t in texts] == ["希望增加体育活动"]


def test_the_other_county_reads_nothing(world, answered):
    from django.http import Http404

    from dudao.accounts import scoping as scope_rules

    with pytest.raises(Http404):
        scope_rules.get_survey_for(world.other_admin, answered.pk)
    assert results.school_figures(world.other_admin, answered) == []


def test_the_county_passes_with_enough_satisfaction(world, survey, q):
    for _ in range(17):
        answer(survey, world.school, q, single="满意", scale="5")
    for _ in range(3):
        answer(survey, world.school, q, single="不满意", scale="2")
    data = results.survey_results(world.admin, survey)
    assert (data["total"].counted, data["total"].satisfied) == (40, 34)
    assert data["total"].rate == Decimal("85.0") and data["total"].passed is True


def test_the_xlsx(world, answered):
    export = exporter.export("survey_results", exporter.XLSX, world.admin, answered.pk)
    assert export.filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(export.content))
    sheets = book.sheetnames
    assert len(sheets) == 5
    summary = [[c.value for c in row] for row in book[sheets[0]].iter_rows(min_row=3)]
    assert summary[0][2:6] == [9, 17, 13, "76.4%"]
    schools = {row[1]: row for row in book[sheets[1]].iter_rows(min_row=3, values_only=True)}
    assert schools["湖滨小学"][4] == "71.4%" and schools["城东中学"][4] == "—"
    texts = [row[2] for row in book[sheets[4]].iter_rows(min_row=3, values_only=True)]
    assert sorted(texts) == ["希望增加体育活动", "操场太小"]


def test_the_xlsx_stores_a_formula_looking_answer_as_text(world, survey, q):
    answer(survey, world.school, q, text='=HYPERLINK("http://evil.example","x")')
    survey.min_answers = 1
    survey.save()
    export = exporter.export("survey_results", exporter.XLSX, world.admin, survey.pk)
    book = load_workbook(io.BytesIO(export.content))
    cell = next(
        c
        for row in book[book.sheetnames[4]].iter_rows(min_row=3)
        for c in row
        if isinstance(c.value, str) and "HYPERLINK" in c.value
    )
    assert cell.data_type == "s"


def test_the_results_page_and_its_download(world, answered, client):
    client.force_login(world.admin)
    page = client.get(reverse("surveys:results", args=[answered.pk]))
    body = page.content.decode()
    assert "76.4%" in body and "71.4%" in body and 'id="survey-data"' in body
    assert "echarts" in body
    download = client.get(reverse("surveys:results_xlsx", args=[answered.pk]))
    assert download.status_code == 200
    assert "attachment" in download["Content-Disposition"]
    school = client.get(
        reverse("surveys:results", args=[answered.pk]), {"school": world.far_school.pk}
    )
    assert 'data-testid="not-enough"' in school.content.decode()


def test_a_school_user_reads_its_own_school(world, answered, client):
    client.force_login(world.school_user)
    open_page = client.get(reverse("surveys:results", args=[answered.pk])).content.decode()
    assert 'data-testid="results-after-closing"' in open_page and "71.4%" not in open_page
    services.close_survey(world.admin, answered)
    body = client.get(reverse("surveys:results", args=[answered.pk])).content.decode()
    assert "71.4%" in body and "西湖小学" not in body and "城东中学" not in body
    # the school parameter is the user's own school whatever the address says
    other = client.get(
        reverse("surveys:results", args=[answered.pk]), {"school": world.zone_school.pk}
    ).content.decode()
    assert "西湖小学" not in other


@pytest.mark.parametrize("extra_schools", [0, 4])
def test_results_run_a_fixed_number_of_queries(
    world, answered, q, client, django_assert_max_num_queries, extra_schools
):
    from tests.factories import SchoolFactory

    from .helpers import make_survey

    schools = [world.school, world.zone_school, world.far_school]
    schools += [SchoolFactory(office=world.office, name=f"新学校{i}") for i in range(extra_schools)]
    survey = make_survey(world, answered.questionnaire, schools=schools, title="大调查")
    for school in schools:
        for _ in range(3):
            answer(survey, school, q)
    client.force_login(world.admin)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("surveys:results", args=[survey.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        page = client.get(reverse("surveys:results", args=[survey.pk]), {"zone": world.zone.pk})
        assert page.status_code == 200
