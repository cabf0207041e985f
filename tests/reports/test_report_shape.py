"""The monthly reports in the documents' own shape (issue 11 §4, docs/rules.md §14): 一、基本情况
with the figures offices quote, 二、工作亮点 drawn from the visits' feedback, 三、存在问题,
四、督导建议. The month is the last complete one under the pinned clock; the supervision history
is made through the services at pinned moments of it, so the history rows are the real ones."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.translation import gettext as _

from dudao.core.guards import SYSTEM
from dudao.rectification import services
from dudao.rectification.workflow import Action
from dudao.reports import exporter
from dudao.visits.models import SixMinimum
from tests.clock import DEFAULT_NOW, moment
from tests.factories_supervision import VisitFactory, at
from tests.rectification.helpers import perform

from .helpers import docx_tables, docx_text
from .test_month_end import fresh
from .test_monthly import day, get, headings, inspector_url, last_month, office_url, period


def when(first, n, hour=10):
    return moment(first.year, first.month, n, hour)


def visit(world, school, inspector, n, **fields):
    return VisitFactory(
        school=school,
        inspector=inspector,
        created_by=world.inspector_user,
        visited_at=at(day(n)),
        **fields,
    )


@pytest.fixture
def month(world, clock):
    """The month reported on, with:

    - visits: 张督学 at 湖滨小学 on the 5th (unannounced, campus walk and class visit, homework
      check and class attended, feedback of two sentences) and on the 12th (announced,
      document review, no feedback); 赵督学 at 西湖小学 on the 20th (unannounced, interviews,
      forum); noise: 湖滨小学 next month (after-school service), another county's visit;
    - 消防通道 (张督学's, 湖滨小学): notice on the 5th, rejected on the 7th (urging 1), the
      missed date urged on the 20th (urging 2: escalated to the county office), on to the
      city on the 21st and the province on the 22nd; an accountability case started on the
      23rd and closed on the 25th;
    - 围墙破损 (赵督学's, 西湖小学): notice on the 8th, needs another department on the 8th
      (to the county office);
    - noise next month: a finding escalated, a case started."""
    first = last_month()
    visit(
        world,
        world.school,
        world.inspector,
        5,
        unannounced=True,
        methods=["campus_walk", "class_visit"],
        minimums=["homework_check", "class_attended"],
        feedback="校园整洁有序，课后服务丰富多彩。建议进一步规范作业公示。",
    )
    visit(world, world.school, world.inspector, 12, unannounced=False, methods=["document_review"])
    visit(
        world,
        world.zone_school,
        world.other_inspector,
        20,
        unannounced=True,
        methods=["interviews"],
        minimums=["forum"],
        feedback="教师座谈气氛热烈！家长满意度较高",
    )
    next_month = (first + datetime.timedelta(days=40)).replace(day=2)
    VisitFactory(
        school=world.school,
        inspector=world.inspector,
        created_by=world.inspector_user,
        visited_at=at(next_month),
        minimums=["after_school_service"],
        feedback="下月的反馈。",
    )
    VisitFactory(
        school=world.foreign_school,
        inspector=world.foreign_inspector,
        created_by=world.other_admin,
        visited_at=at(day(6)),
        unannounced=False,
        methods=["questionnaire"],
    )

    clock.move_to(when(first, 5))
    fire = services.create_finding(
        world.admin,
        school=world.school,
        area=6,
        description="消防通道堆放杂物",
        deadline_kind="by_date",
        deadline=first.replace(day=10),
    )
    services.issue_notice(
        world.admin,
        [fire],
        expected_versions={fire.pk: fresh(fire).version},
        deadline=first.replace(day=10),
    )
    clock.move_to(when(first, 6))
    perform(Action.RESPOND, fresh(fire), world.school_user)
    clock.move_to(when(first, 7))
    perform(Action.REJECT, fresh(fire), world.admin)
    clock.move_to(when(first, 8))
    wall = services.create_finding(
        world.admin,
        school=world.zone_school,
        area=6,
        description="围墙破损",
        deadline_kind="by_date",
        deadline=first.replace(day=28),
    )
    services.issue_notice(
        world.admin,
        [wall],
        expected_versions={wall.pk: fresh(wall).version},
        deadline=first.replace(day=28),
    )
    perform(Action.MARK_NEEDS_OTHER_DEPARTMENT, fresh(wall), world.admin)
    clock.move_to(when(first, 20))
    perform(Action.URGE, fresh(fire), SYSTEM)  # the missed date: escalated after two urgings
    clock.move_to(when(first, 21))
    perform(Action.ESCALATE_TO_CITY, fresh(fire), world.admin)
    clock.move_to(when(first, 22))
    perform(Action.ESCALATE_TO_PROVINCE, fresh(fire), world.admin)
    clock.move_to(when(first, 23))
    case = services.open_accountability_case(
        world.admin, office=world.office, target_kind="unit", target_name="湖滨小学", finding=fire
    )
    clock.move_to(when(first, 25))
    services.close_accountability_case(world.admin, case)

    clock.move_to(moment(next_month.year, next_month.month, 2))
    later = services.create_finding(
        world.admin,
        school=world.school,
        area=3,
        description="下月问题",
        deadline_kind="by_date",
        deadline=next_month + datetime.timedelta(days=10),
    )
    perform(Action.ESCALATE, fresh(later), world.admin)
    services.open_accountability_case(
        world.admin, office=world.office, target_kind="unit", target_name="湖滨小学"
    )
    clock.move_to(DEFAULT_NOW)
    return {"fire": fire, "wall": wall}


def test_the_inspectors_figures(world, month):
    report = exporter.build("inspector_monthly", world.admin, world.inspector, *period())
    figures = report.figures
    assert figures["visits"] == 2 and figures["schools_visited"] == 1
    assert figures["days_in_field"] == 2
    assert figures["unannounced"] == 1
    assert {k: v for k, v in figures["methods"].items() if v} == {
        "campus_walk": 1,
        "class_visit": 1,
        "document_review": 1,
    }
    assert {k: v for k, v in figures["minimums_visits"].items() if v} == {
        "homework_check": 1,
        "class_attended": 1,
    }
    # the six minimums at 湖滨小学 this semester up to the month's end: next month's
    # after-school service does not count yet
    six = figures["six_minimums"]
    assert six["schools"] == 1 and six["complete"] == 0
    assert six["per_minimum"]["homework_check"] == (1, 1)
    assert six["per_minimum"]["class_attended"] == (1, 1)
    assert six["per_minimum"]["after_school_service"] == (0, 1)
    assert figures["notices"] == 1  # 围墙破损's notice is 赵督学's
    assert figures["urgings"] == 2
    assert figures["escalated"] == {"county": 1, "city": 1, "province": 1}
    assert "cases" not in figures  # the office's business: its summary counts them


def test_the_offices_figures(world, month):
    report = exporter.build("office_monthly", world.admin, world.office, *period())
    figures = report.figures
    assert figures["visits"] == 3 and figures["unannounced"] == 2
    assert figures["methods"]["interviews"] == 1 and figures["methods"]["questionnaire"] == 0
    assert figures["minimums_visits"]["forum"] == 1
    six = figures["six_minimums"]
    assert six["schools"] == 3  # 湖滨小学, 西湖小学, 城东中学: all asked the six
    assert six["per_minimum"]["forum"] == (1, 3)
    assert six["per_minimum"]["homework_check"] == (1, 3)
    assert six["per_minimum"]["after_school_service"] == (0, 3)
    assert (six["complete"], six["inspectors_met"], six["inspectors"]) == (0, 0, 2)
    assert figures["notices"] == 2
    assert figures["urgings"] == 2
    # 消防通道 after two urgings and 围墙破损 needing another department; next month's not
    assert figures["escalated"] == {"county": 2, "city": 1, "province": 1}
    assert figures["cases"] == {"started": 1, "closed": 1}


def test_another_countys_figures_stay_its_own(world, month):
    figures = exporter.build(
        "office_monthly", world.other_admin, world.other_office, *period()
    ).figures
    assert (figures["visits"], figures["unannounced"], figures["notices"]) == (1, 0, 0)
    assert figures["methods"]["questionnaire"] == 1
    assert figures["escalated"] == {"county": 0, "city": 0, "province": 0}
    assert figures["cases"] == {"started": 0, "closed": 0}


def test_the_documents_have_the_four_sections_with_the_figures(world, client, month):
    client.force_login(world.admin)
    content = get(client, office_url())
    lines = docx_text(content).splitlines()
    assert [line for line in lines if line in headings()] == headings()
    figures = {row[0]: row[1] for row in docx_tables(content)[0][1:]}
    with translation.override(exporter.DOCUMENT_LANGUAGE):
        assert figures[_("Unannounced visits")] == "2"
        assert figures[_("Share of unannounced visits")] == "67%"
        assert figures[_("Rectification notices")] == "2"
        assert figures[_("Urgings")] == "2"
        assert figures[_("Escalations")] == "4"
        assert figures[_("Accountability cases started")] == "1"
        assert figures[_("Accountability cases closed")] == "1"
        six_table = next(t for t in docx_tables(content) if t[0][0] == _("Six minimums"))
    assert len(six_table) == 1 + len(SixMinimum.values)

    content = get(client, inspector_url(world))
    lines = docx_text(content).splitlines()
    assert [line for line in lines if line in headings()] == headings()
    figures = {row[0]: row[1] for row in docx_tables(content)[0][1:]}
    with translation.override(exporter.DOCUMENT_LANGUAGE):
        assert figures[_("Share of unannounced visits")] == "50%"
        assert figures[_("Escalations")] == "3"


def test_the_highlights_draft_quotes_each_schools_latest_feedback(world, month):
    report = exporter.build("office_monthly", world.admin, world.office, *period())
    highlights = report.sections[1]
    assert highlights.heading == headings()[1]
    text = "\n".join(highlights.paragraphs)
    # most recent first, the first sentence only, nothing from next month
    assert text.index("西湖小学") < text.index("湖滨小学")
    assert "教师座谈气氛热烈！" in text and "家长满意度" not in text
    assert "校园整洁有序，课后服务丰富多彩。" in text and "作业公示" not in text
    assert "下月的反馈" not in text
    assert report.figures["drafts"]["highlights"] == text
    assert report.figures["text"]["version"] is None


def test_the_suggestions_draft_is_next_months_plan(world, month):
    report = exporter.build("inspector_monthly", world.admin, world.inspector, *period())
    suggestions = report.sections[3]
    assert suggestions.heading == headings()[3]
    assert "湖滨小学" in "\n".join(suggestions.paragraphs)  # open problems to follow up
    assert report.figures["drafts"]["suggestions"] == "\n".join(suggestions.paragraphs)


def test_a_month_without_visits_says_so(world):
    report = exporter.build("inspector_monthly", world.admin, world.inspector, *period())
    assert report.figures["visits"] == 0
    with translation.override(exporter.DOCUMENT_LANGUAGE):
        assert report.sections[1].paragraphs == [_("No highlights were recorded.")]
        assert report.sections[2].heading == _("3. Problems")
        table = report.sections[0].tables[0].rows
        assert [_("Share of unannounced visits"), "—"] in table


@pytest.mark.parametrize("name", ["inspector_monthly", "office_monthly"])
def test_a_fixed_number_of_queries(world, month, name):
    subject = world.inspector if name == "inspector_monthly" else world.office
    with CaptureQueriesContext(connection) as few:
        exporter.build(name, world.admin, subject, *period())
    for n in range(1, 4):
        visit(world, world.school, world.inspector, n, feedback=f"第{n}次反馈。")
        visit(world, world.zone_school, world.other_inspector, n, minimums=["forum"])
    with CaptureQueriesContext(connection) as many:
        exporter.build(name, world.admin, subject, *period())
    assert len(many) == len(few)


def test_a_highlight_is_what_the_school_does_well_not_the_methods_or_a_problem():
    from dudao.reports.builders import highlight_sentence

    letter = (
        "本次采取校园巡查、查阅资料、听取汇报等方式进行督导。家园共育工作扎实，家长满意度较高；"
        "安全卫生制度落实，台账较为规范。发现问题：伙食费未单独核算。请学校按要求整改。"
    )
    assert highlight_sentence(letter) == (
        "家园共育工作扎实，家长满意度较高；安全卫生制度落实，台账较为规范。"
    )
    assert highlight_sentence("本次采取推门听课方式进行督导。发现问题：作业量偏大。") == ""
    assert highlight_sentence("未发现明显问题，请继续保持。") == ""
    assert highlight_sentence("课后服务丰富" * 30).endswith("…")
