import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from dudao.rectification.models import FindingStatus
from dudao.reports import exporter
from tests.factories_supervision import FindingFactory, VisitFactory, at

from .helpers import body, docx_tables, docx_text


def last_month() -> datetime.date:
    """The first day of the last complete month under the pinned clock (the month reported
    on; called from fixtures and tests, never at import)."""
    return (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)


def day(n):
    return last_month().replace(day=n)


def period():
    first = last_month()
    return first.year, first.month


@pytest.fixture
def october(world):
    """The month reported on (the last complete one, October under the default clock): three
    visits by 张督学 to 湖滨小学 on two days, one by 赵督学 to 西湖小学, and noise that must
    not count (a draft, a visit the month after, another county)."""
    first = last_month()
    next_month = (first + datetime.timedelta(days=40)).replace(day=2)
    month_before = (first - datetime.timedelta(days=1)).replace(day=20)
    for n, hour in ((5, 9), (5, 14), (12, 9)):
        VisitFactory(
            school=world.school,
            inspector=world.inspector,
            created_by=world.inspector_user,
            visited_at=at(day(n), hour),
        )
    VisitFactory(
        school=world.zone_school,
        inspector=world.other_inspector,
        created_by=world.admin,
        visited_at=at(day(20)),
    )
    VisitFactory(
        school=world.school,
        inspector=world.inspector,
        created_by=world.inspector_user,
        visited_at=at(day(21)),
        status="draft",
    )
    VisitFactory(
        school=world.school,
        inspector=world.inspector,
        created_by=world.inspector_user,
        visited_at=at(next_month),
    )
    VisitFactory(
        school=world.foreign_school,
        inspector=world.foreign_inspector,
        created_by=world.other_admin,
        visited_at=at(day(6)),
    )
    mine = {"school": world.school, "inspector": world.inspector}
    FindingFactory(**mine, found_on=day(5), area=6, description="消防通道堆放杂物")
    FindingFactory(
        **mine,
        found_on=day(5),
        area=6,
        description="灭火器过期",
        status=FindingStatus.CLOSED,
        closed_at=at(day(20)),
    )
    FindingFactory(
        **mine,
        found_on=day(12),
        area=7,
        description="食堂留样不全",
        is_overdue=True,
        deadline=day(19),
    )
    FindingFactory(**mine, found_on=month_before, area=3, description="九月问题")
    FindingFactory(school=world.foreign_school, found_on=day(6), area=1, description="外县问题")


def headings() -> list[str]:
    """The four sections of both monthly reports (docs/rules.md §14), in the documents'
    language: 一、基本情况, 二、工作亮点, 三、存在问题, 四、督导建议."""
    with translation.override(exporter.DOCUMENT_LANGUAGE):
        return [
            _("1. Basic information"),
            _("2. Highlights"),
            _("3. Problems"),
            _("4. Supervision suggestions"),
        ]


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return body(response)


def inspector_url(world, fmt="docx", inspector=None):
    return reverse(
        "reports:inspector_monthly", args=[(inspector or world.inspector).pk, *period(), fmt]
    )


def office_url(fmt="docx"):
    return reverse("reports:office_monthly", args=[*period(), fmt])


def test_inspector_figures(world, october):
    report = exporter.build("inspector_monthly", world.admin, world.inspector, *period())
    figures = report.figures
    assert figures["schools_responsible"] == 1
    assert figures["schools_visited"] == 1
    assert figures["visits"] == 3
    assert figures["days_in_field"] == 2
    assert figures["findings"] == 3
    assert figures["by_area"] == {6: 2, 7: 1}
    assert figures["closed"] == 1
    assert figures["overdue"] == 1
    assert figures["open"] == 3  # including September's, still open


def test_inspector_docx(world, client, october):
    client.force_login(world.inspector_user)
    content = get(client, inspector_url(world))
    tables = docx_tables(content)
    # held, visited, visits, days, letters, found, rectified, overdue, unannounced (and
    # their share), notices, urgings, escalations
    assert [row[1] for row in tables[0][1:]] == [
        *("1", "1", "3", "2", "0", "3", "1", "1"),
        *("3", "100%", "0", "0", "0"),
    ]
    assert ["湖滨小学", "3"] in tables[1]  # visits per school
    assert len(tables[2]) == 7  # the six minimums
    assert ["6", "校园及周边安全、学生交通安全", "2"] in tables[3]  # problems by item
    text = docx_text(content)
    assert "张督学" in text
    assert "消防通道堆放杂物" in text and "食堂留样不全" in text
    assert "外县问题" not in text
    # the four sections, in order
    lines = text.splitlines()
    assert [line for line in lines if line in headings()] == headings()
    assert headings()[0] == "一、基本情况" and headings()[2] == "三、存在问题"


def test_inspector_plan_lists_unvisited_schools_and_open_findings(world, client, october):
    # A second school of 张督学's that was not visited in October.
    from tests.factories import AssignmentFactory, SchoolFactory

    quiet = SchoolFactory(office=world.office, name="柳浪小学", zone=world.zone)
    AssignmentFactory(
        inspector=world.inspector, school=quiet, start_date=world.assignment.start_date
    )
    report = exporter.build("inspector_monthly", world.admin, world.inspector, *period())
    plan = "\n".join(report.sections[3].paragraphs)
    assert "柳浪小学" in plan
    assert "湖滨小学" in plan  # open findings to follow up
    assert report.figures["schools_responsible"] == 2


def test_inspector_pdf(world, client, october):
    client.force_login(world.admin)
    content = get(client, inspector_url(world, "pdf"))
    assert content.startswith(b"%PDF") and len(content) > 5000


def test_inspector_scope(world, client, october):
    client.force_login(world.inspector_user)
    assert client.get(inspector_url(world, inspector=world.other_inspector)).status_code == 404
    client.force_login(world.zone_leader)
    assert client.get(inspector_url(world, inspector=world.other_inspector)).status_code == 200
    client.force_login(world.other_admin)
    assert client.get(inspector_url(world)).status_code == 404
    client.force_login(world.school_user)
    assert client.get(inspector_url(world)).status_code == 403


def test_bad_format_or_month_is_404(world, client):
    client.force_login(world.admin)
    assert client.get(inspector_url(world, "odt")).status_code == 404
    url = reverse("reports:inspector_monthly", args=[world.inspector.pk, 2026, 13, "docx"])
    assert client.get(url).status_code == 404


def test_office_summary(world, client, october):
    client.force_login(world.admin)
    content = get(client, office_url())
    tables = docx_tables(content)
    figures = [row[1] for row in tables[0][1:]]
    # schools, visited, visits, days in the field, feedback letters, found, closed, overdue,
    # unannounced (and their share), notices, urgings, escalations, cases started and closed
    assert figures == [
        *("3", "2", "4", "3", "0", "3", "1", "1"),
        *("4", "100%", "0", "0", "0", "0", "0"),
    ]
    zones = {row[0]: row[1:] for row in tables[1][1:]}
    assert zones["第一责任区"] == ["2", "2", "4", "3", "1", "1"]
    assert [v for k, v in zones.items() if k != "第一责任区"] == [["1", "0", "0", "0", "0", "0"]]
    inspectors = {row[0]: row[1:] for row in tables[2][1:]}
    # ... and the schools with the six minimums complete of those held
    assert inspectors["张督学"] == ["1", "1", "3", "2", "3", "1", "1", "0/1"]
    assert inspectors["赵督学"] == ["1", "1", "1", "1", "0", "0", "0", "0/1"]
    assert "钱督学" not in inspectors
    text = docx_text(content)
    assert "城东中学" in text  # not visited in October: next month's plan
    assert "外县问题" not in text and "玄武小学" not in text


def test_office_summary_xlsx_and_pdf(world, client, october):
    client.force_login(world.admin)
    sheets = load_workbook(io.BytesIO(get(client, office_url("xlsx")))).worksheets
    assert len(sheets) >= 3
    pdf = get(client, office_url("pdf"))
    assert pdf.startswith(b"%PDF")


def test_viewer_picks_an_office_in_scope(world, client, october):
    client.force_login(world.viewer)
    text = docx_text(get(client, office_url() + f"?office={world.office.pk}"))
    assert world.office.name in text
    assert client.get(office_url() + f"?office={world.other_office.pk}").status_code == 404
    for user in (world.inspector_user, world.zone_leader, world.school_user):
        client.force_login(user)
        assert client.get(office_url()).status_code == 403


def test_other_county_sees_its_own_office(world, client, october):
    client.force_login(world.other_admin)
    text = docx_text(get(client, office_url()))
    assert world.other_office.name in text
    assert "张督学" not in text


@pytest.mark.parametrize(
    ("which", "school"),
    [("inspector", "湖滨小学"), ("office", "城东中学")],  # visited; left for next month
)
def test_monthly_reports_render_in_libreoffice(world, client, october, tmp_path, which, school):
    """The 督学月报 and the office's summary open in a real reader: A4 pages with the four
    sections and the month's problems."""
    from tests.libreoffice import rendered, squeezed

    client.force_login(world.admin)
    url = inspector_url(world) if which == "inspector" else office_url()
    page = rendered(get(client, url), tmp_path, which)
    assert page.is_a4_portrait
    assert 1 <= page.pages <= 4
    text = squeezed(page.text)
    for heading in headings():
        assert squeezed(heading) in text
    assert school in text
