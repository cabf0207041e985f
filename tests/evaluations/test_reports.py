"""An evaluation round's documents (issue 13 §6): the target's report (反馈意见书), the round's
summary report and bulletin (通报), the results workbook — their figures against the
hand-computed sheet of test_rounds.py, LibreOffice rendering, who reads them (the office and
the viewers above it from review on, a school its own report once published, nobody else),
and the office's own words (version check, audit, back to the draft)."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dudao.accounts.models import Role
from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError, NotPermitted, StaleObject
from dudao.evaluations import report, round_services
from dudao.evaluations.models import EvaluationReportText, Round, RoundTarget
from dudao.reports import exporter
from dudao.reports.exporter import long_date
from tests.factories import SchoolFactory, UserFactory
from tests.reports.helpers import body, docx_text

from .round_fixtures import build_framework, build_round
from .test_rounds import FULL_SELF, score, target_of

pytestmark = pytest.mark.django_db
Stage = Round.Stage
Section = EvaluationReportText.Section
COMMENT = "安全台账记录不完整"


def _scored(world, *, stage):
    """The sheet of test_rounds.py (weights expert 0.6, self 0.4), taken to `stage`. 湖滨小学:
    experts A1.1 20/24, A1.2 B/C, A2.1 yes/no, A2.2 30/34 → 25.2 + 16.4 + 7 + 35.2 = 83.8,
    良好; A1 41.6 (self 50, experts 36), A2 42.2 (self 50, experts 37). 西湖小学: 97.6 but both
    experts answer the veto item V1 no: vetoed, 不合格."""
    round_ = build_round(world, stage=Stage.SELF_ASSESSMENT, legal_basis="上教督〔2026〕8号")
    hubin, xihu = target_of(round_, world.school), target_of(round_, world.zone_school)
    xihu_user = UserFactory(role=Role.SCHOOL, office=world.office, school=world.zone_school)
    score(world.school_user, hubin, "self", **FULL_SELF)
    score(xihu_user, xihu, "self", **FULL_SELF)
    round_ = round_services.take_action(world.admin, round_, "start_scoring")
    one, two = [r.user for r in round_.raters.order_by("pk")]
    round_services.save_scores(
        one,
        hubin,
        {
            "A1.1": {"value": "20"},
            "A1.2": {"value": "B"},
            "A2.1": {"value": "yes"},
            "A2.2": {"value": "30", "comment": COMMENT},
            "V1": {"value": "yes"},
        },
        group="expert",
    )
    score(two, hubin, "expert", A1_1="24", A1_2="C", A2_1="no", A2_2="34", V1="yes")
    for rater in (one, two):
        score(rater, xihu, "expert", A1_1="28", A1_2="A", A2_1="yes", A2_2="38", V1="no")
    round_ = round_services.take_action(world.admin, round_, "start_review")
    if stage == Stage.PUBLISHED:
        round_ = round_services.take_action(world.admin, round_, "publish")
    return round_, target_of(round_, world.school), target_of(round_, world.zone_school), one


@pytest.fixture
def published(world):
    return _scored(world, stage=Stage.PUBLISHED)


@pytest.fixture
def in_review(world):
    return _scored(world, stage=Stage.REVIEW)


def _get(client, user, name, *args, **query):
    client.force_login(user)
    return client.get(reverse(f"evaluations:{name}", args=args), query)


def _download(client, user, name, *args, **query):
    response = _get(client, user, name, *args, **query)
    assert response.status_code == 200, response.status_code
    return body(response)


def zh(text, **values):
    with translation.override("zh-hans"):
        return _(text) % values if values else _(text)


# ---- the figures ---------------------------------------------------------------------------


def test_target_report_figures_match_the_hand_computed_sheet(world, client, published):
    round_, hubin, _xihu, _one = published
    built = exporter.build("evaluation_target_report", world.admin, hubin.pk, round_.pk)
    figures = built.figures
    assert (figures["total"], figures["max"]) == (Decimal("83.80"), Decimal(100))
    assert (figures["grade"], figures["vetoed"], figures["passed"]) == ("良好", False, True)
    assert figures["groups"] == ["self", "expert"]
    assert figures["areas"] == {
        "A1": {"max": 50, "score": Decimal("41.6"), "self": 50, "expert": 36},
        "A2": {"max": 50, "score": Decimal("42.2"), "self": 50, "expert": 37},
    }
    # lost most first, in framework order on a tie: A1.1 and A2.2 4.8, A1.2 3.6, A2.1 3
    assert figures["lost"] == ["A1.1", "A2.2", "A1.2", "A2.1"]
    assert figures["vetoed_by"] == []
    assert built.recipient == "湖滨小学" and built.subtitle == ""
    assert built.date == long_date(timezone.localdate())
    text = docx_text(_download(client, world.admin, "target_report", round_.pk, hubin.pk))
    # the table per area: full marks, self, experts, score, rate; the total row
    for cells in (["A1", "50", "50", "36", "41.6", "83.2%"], ["83.8", "83.8%", "73", "100"]):
        for cell in cells:
            assert cell in text, cell
    # the annex: every indicator with each group's score (A1.2: self 20, experts 14)
    assert "16.4" in text and "35.2" in text and "14" in text
    assert COMMENT in text  # the experts' comment drafts the problems' narrative
    assert "上教督〔2026〕8号" in text


def test_a_vetoed_target_s_report_names_the_veto_and_the_deadline(world, published):
    round_, _hubin, xihu, _one = published
    built = exporter.build("evaluation_target_report", world.admin, xihu.pk, round_.pk)
    assert built.figures["total"] == Decimal("97.60")
    assert (built.figures["grade"], built.figures["vetoed"]) == ("不合格", True)
    assert built.figures["vetoed_by"] == ["V1"]
    by_heading = {section.heading: section.paragraphs for section in built.sections}
    problems = " ".join(by_heading[zh("4. Problems")])
    assert "V1" in problems and "2" in problems
    opinions = " ".join(by_heading[zh("5. Supervision opinions and rectification requirements")])
    deadline = timezone.localdate() + datetime.timedelta(days=30)
    assert long_date(deadline) in opinions


def test_round_summary_figures_match_the_hand_computed_sheet(world, client, published):
    """Ranking by grade then rate: 湖滨小学 1 (良好), 西湖小学 2 (vetoed, 不合格, though 97.6).
    Area averages A1 (41.6 + 48.8) / 2 = 45.2, A2 (42.2 + 48.8) / 2 = 45.5; lowest leaf rates
    A2.1 8.5/10 85 %, A1.1 27/30 90 %, A1.2 18.2/20 91 %, A2.2 37/40 92.5 %."""
    round_, *_rest = published
    built = exporter.build("evaluation_round_summary", world.admin, round_.pk)
    figures = built.figures
    assert figures["targets"] == 2 and figures["passed"] == 1
    assert figures["grades"] == {"优秀": 0, "良好": 1, "合格": 0, "不合格": 1}
    assert figures["ranking"] == [
        (1, "湖滨小学", Decimal("83.80"), "良好"),
        (2, "西湖小学", Decimal("97.60"), "不合格"),
    ]
    assert figures["vetoed"] == ["西湖小学"]
    assert figures["areas"] == {"A1": Decimal("45.20"), "A2": Decimal("45.50")}
    assert figures["lowest"] == ["A2.1", "A1.1", "A1.2", "A2.2"]
    text = docx_text(_download(client, world.admin, "round_report", round_.pk))
    for expected in ("50.0%", "85.0%", "45.2", "45.5", "83.8", "97.6", "expert1督学", COMMENT):
        assert expected in text, expected
    assert text.index("湖滨小学") < text.index("西湖小学")


def test_bulletin_holds_number_title_recipient_and_signature(world, client, published):
    round_, *_rest = published
    content = _download(
        client, world.admin, "round_bulletin", round_.pk, format="docx", number="上教督〔2026〕9号"
    )
    text = docx_text(content)
    assert "上教督〔2026〕9号" in text
    assert zh("Bulletin on the results of %(round)s", round=round_.title) in text
    assert zh("All schools and kindergartens") + "：" in text
    assert text.count(world.office.name) >= 2  # the masthead and the signature
    assert "expert1督学" not in text  # the experts are named in the office's report only
    # without a number: the round's legal basis
    text = docx_text(_download(client, world.admin, "round_bulletin", round_.pk))
    assert "上教督〔2026〕8号" in text


def test_results_workbook_reads_back(world, client, published):
    from openpyxl import load_workbook

    round_, *_rest = published
    content = _download(client, world.admin, "results_xlsx", round_.pk)
    book = load_workbook(io.BytesIO(content), read_only=True)
    ranking, matrix, groups, disagreements = (
        list(sheet.iter_rows(min_row=3, values_only=True)) for sheet in book.worksheets
    )
    assert [row[:4] for row in ranking] == [(1, "湖滨小学", 83.8, 100), (2, "西湖小学", 97.6, 100)]
    assert [row[5] for row in ranking] == ["良好", "不合格"]
    header = next(book.worksheets[1].iter_rows(min_row=2, max_row=2, values_only=True))
    hubin = dict(zip(header, matrix[0], strict=True))
    assert hubin["A1 办学方向"] == 41.6 and hubin["A1.1 党建工作"] == 25.2
    assert hubin["A2.1 制度公示"] == 7 and hubin["A2.2 安全管理"] == 35.2
    assert hubin["V1 未发生重大安全责任事故"] == zh("not vetoed")
    assert dict(zip(header, matrix[1], strict=True))["V1 未发生重大安全责任事故"] == zh("vetoed")
    # each group's scores: 湖滨小学 self 100 by one rater, experts 73 by two
    assert [row[:4] for row in groups[:2]] == [
        ("湖滨小学", zh("Self-assessment score"), 1, 100),
        ("湖滨小学", zh("Expert score"), 2, 73),
    ]
    # the raters disagreed on A1.1, A1.2 and A2.1 of 湖滨小学 (spread above 30 %)
    assert [row[1] for row in disagreements] == ["A1.1", "A1.2", "A2.1"]


def test_in_review_the_documents_are_drafts_with_the_engine_s_figures(world, in_review):
    round_, hubin, *_rest = in_review
    built = exporter.build("evaluation_target_report", world.admin, hubin.pk, round_.pk)
    assert built.figures["total"] == Decimal("83.80")
    assert built.subtitle == zh("(draft for review)")
    summary = exporter.build("evaluation_round_summary", world.admin, round_.pk)
    assert summary.subtitle and summary.figures["grades"]["不合格"] == 1


def test_own_indicators_are_in_the_target_s_report(world):
    """合格+订单: 湖滨小学 adds B1 (10 points); full self-assessment and B1 8: 108 of 110."""
    round_ = build_round(world, own_indicators=True, stage=Stage.SELF_ASSESSMENT)
    hubin = target_of(round_, world.school)
    round_services.set_own_indicators(
        world.school_user, hubin, [{"code": "B1", "title": "阅读特色", "max_score": "10"}]
    )
    score(world.school_user, hubin, "self", **FULL_SELF, B1="8")
    for action in ("start_scoring", "start_review"):
        round_ = round_services.take_action(world.admin, round_, action)
    built = exporter.build("evaluation_target_report", world.admin, hubin.pk, round_.pk)
    assert (built.figures["total"], built.figures["max"]) == (Decimal(108), Decimal(110))
    assert built.figures["areas"]["B1"]["score"] == Decimal(8)
    book = exporter.build("evaluation_results", world.admin, round_.pk)
    matrix = book.tables()[1]
    assert matrix.rows[0][-2:] == [Decimal("8.00"), Decimal("108.00")]


# ---- rendering -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("target_report", ("83.8", "41.6", "湖滨小学")),
        ("round_report", ("83.8", "97.6", "西湖小学", "50.0%")),
        ("round_bulletin", ("上教督〔2026〕8号", "83.8", "西湖小学")),
    ],
)
def test_documents_render_in_libreoffice(world, client, published, tmp_path, name, expected):
    from tests.libreoffice import rendered, squeezed

    round_, hubin, *_rest = published
    args = [round_.pk, hubin.pk] if name == "target_report" else [round_.pk]
    page = rendered(_download(client, world.admin, name, *args), tmp_path, name)
    assert page.is_a4_portrait
    text = squeezed(page.text)
    for value in (*expected, world.office.name, long_date(timezone.localdate())):
        assert squeezed(value) in text, value


@pytest.mark.parametrize("name", ["target_report", "round_report", "round_bulletin"])
def test_pdf_builds(world, client, published, name):
    round_, hubin, *_rest = published
    args = [round_.pk, hubin.pk] if name == "target_report" else [round_.pk]
    assert _download(client, world.admin, name, *args, format="pdf").startswith(b"%PDF")


# ---- who reads -----------------------------------------------------------------------------


def test_a_school_reads_its_own_report_once_published(world, client, in_review):
    round_, hubin, xihu, expert = in_review
    own = ("target_report", round_.pk, hubin.pk)
    assert _get(client, world.school_user, *own).status_code == 404  # review: not yet
    assert _get(client, world.admin, *own).status_code == 200
    assert _get(client, world.viewer, *own).status_code == 200
    round_services.take_action(world.admin, round_, "publish")
    assert _get(client, world.school_user, *own).status_code == 200
    assert _get(client, world.school_user, *own, format="pdf").status_code == 200
    # another school's report, the round's documents
    assert _get(client, world.school_user, "target_report", round_.pk, xihu.pk).status_code == 404
    for name in ("round_report", "round_bulletin", "results_xlsx"):
        assert _get(client, world.school_user, name, round_.pk).status_code == 403
    # the experts, the school's inspector, the other county
    for user in (expert, world.inspector_user, world.other_admin):
        assert _get(client, user, *own).status_code == 404, user
    assert _get(client, expert, "round_report", round_.pk).status_code == 403
    assert _get(client, world.other_admin, "round_report", round_.pk).status_code == 404
    # a target of another round under this round's number, an unknown format
    assert _get(client, world.admin, "target_report", round_.pk + 1, hubin.pk).status_code == 404
    assert _get(client, world.admin, *own, format="xlsx").status_code == 404


def test_no_documents_before_review(world, client):
    round_ = build_round(world, stage=Stage.EXPERT_SCORING)
    target = RoundTarget.objects.unscoped().filter(round=round_).first()
    assert _get(client, world.admin, "target_report", round_.pk, target.pk).status_code == 404
    for name in ("round_report", "round_bulletin", "results_xlsx", "report_text"):
        assert _get(client, world.admin, name, round_.pk).status_code == 404, name
    with pytest.raises(DomainError):
        report.save_report_text(world.admin, round_, Section.NEXT_STEPS, "x")
    assert not EvaluationReportText.objects.exists()


# ---- the office's own words ----------------------------------------------------------------


def test_edited_text_replaces_the_draft_and_emptied_brings_it_back(world, client, published):
    round_, hubin, xihu, _one = published
    drafted = exporter.build("evaluation_round_summary", world.admin, round_.pk)
    draft = drafted.figures["words"]["next_steps"]["draft"]
    assert "西湖小学" in draft  # the targets that did not pass
    report.save_report_text(world.admin, round_, Section.NEXT_STEPS, "各校要举一反三", 0)
    text = docx_text(_download(client, world.admin, "round_report", round_.pk))
    assert "各校要举一反三" in text and draft.splitlines()[0] not in text
    # a target's own words are that target's only
    report.save_report_text(world.admin, round_, Section.OPINIONS, "加强安全管理", target=hubin)
    mine = docx_text(_download(client, world.admin, "target_report", round_.pk, hubin.pk))
    other = docx_text(_download(client, world.admin, "target_report", round_.pk, xihu.pk))
    assert "加强安全管理" in mine and "加强安全管理" not in other
    # emptied through the page: the draft again
    client.force_login(world.admin)
    response = client.post(
        reverse("evaluations:report_text", args=[round_.pk]),
        {
            "section": "next_steps",
            "next_steps-section": "next_steps",
            "next_steps-text": "",
            "next_steps-version": 1,
        },
    )
    assert response.status_code == 302
    text = docx_text(_download(client, world.admin, "round_report", round_.pk))
    assert "各校要举一反三" not in text and draft.splitlines()[0] in text


def test_target_page_saves_and_refuses_a_stale_version(world, client, published):
    round_, hubin, *_rest = published
    client.force_login(world.admin)
    url = reverse("evaluations:target_report_text", args=[round_.pk, hubin.pk])
    page = client.get(url).content.decode()
    assert COMMENT in page  # the draft of the problems' narrative
    form = {"section": "opinions", "opinions-section": "opinions", "opinions-version": 0}
    assert client.post(url, form | {"opinions-text": "一、加强安全台账"}).status_code == 302
    row = EvaluationReportText.objects.get(target=hubin, section="opinions")
    assert (row.text, row.version, row.updated_by) == ("一、加强安全台账", 1, world.admin)
    # someone saved meanwhile: the stale form is shown again, nothing written
    response = client.post(url, form | {"opinions-text": "别的意见"})
    assert response.status_code == 200
    assert EvaluationReportText.objects.get(pk=row.pk).text == "一、加强安全台账"
    # a section the target's report does not have
    with pytest.raises(DomainError):
        report.save_report_text(world.admin, round_, Section.NEXT_STEPS, "x", target=hubin)


def test_save_checks_version_author_and_audits(world, published):
    round_, *_rest = published
    report.save_report_text(world.admin, round_, Section.PROBLEMS, "一", 0)
    with pytest.raises(StaleObject):
        report.save_report_text(world.admin, round_, Section.PROBLEMS, "二", 0)
    report.save_report_text(world.admin, round_, Section.PROBLEMS, "二", 1)
    report.save_report_text(world.admin, round_, Section.PROBLEMS, "二", 2)  # unchanged
    entries = AuditEntry.objects.unscoped().filter(target_type="evaluations.EvaluationReportText")
    assert entries.count() == 2
    for user in (world.viewer, world.inspector_user, world.school_user, world.other_admin):
        with pytest.raises(NotPermitted):
            report.save_report_text(user, round_, Section.PROBLEMS, "三")
    with pytest.raises(NotPermitted):
        report.save_report_text(world.superuser, round_, Section.PROBLEMS, "三")
    assert EvaluationReportText.objects.get(section="problems", target=None).text == "二"
    # a target of another round
    other = round_services.create_round(
        world.admin, world.office, framework=build_framework(), title="另一轮", year=2026
    )
    round_services.add_targets(world.admin, other, schools=[world.far_school])
    stray = RoundTarget.objects.unscoped().get(round=other)
    with pytest.raises(DomainError):
        report.save_report_text(world.admin, round_, Section.OPINIONS, "x", target=stray)
    assert not EvaluationReportText.objects.filter(target=stray).exists()


def test_pages_are_the_office_admin_s(world, client, published):
    round_, hubin, *_rest = published
    pages = [
        reverse("evaluations:report_text", args=[round_.pk]),
        reverse("evaluations:target_report_text", args=[round_.pk, hubin.pk]),
    ]
    for url in pages:
        client.force_login(world.admin)
        page = client.get(url)
        assert page.status_code == 200
        refused = ((world.viewer, 403), (world.school_user, 403), (world.other_admin, 404))
        for user, status in refused:
            client.force_login(user)
            assert client.get(url).status_code == status, (url, user)
    client.force_login(world.admin)
    page = client.get(pages[0]).content.decode()
    assert reverse("evaluations:target_report", args=[round_.pk, hubin.pk]) in page
    assert reverse("evaluations:results_xlsx", args=[round_.pk]) in page


def test_query_count_does_not_grow_with_targets(world, published):
    round_, *_rest = published

    def count():
        with CaptureQueriesContext(connection) as queries:
            exporter.build("evaluation_round_summary", world.admin, round_.pk)
        return len(queries)

    before = count()
    for position in range(3, 7):
        RoundTarget.objects.unscoped().create(
            round=round_,
            office=world.office,
            school=SchoolFactory(office=world.office),
            position=position,
        )
    assert count() == before <= 15
