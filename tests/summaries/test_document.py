"""The summary as a Word draft and a spreadsheet of its figures, through the one exporter
(`work_summary`): the five sections in the offices' shape, the office's words, the figures;
rendered by LibreOffice headless."""

import io
import re

import pytest
from openpyxl import load_workbook

from dudao.reports import exporter
from dudao.summaries import figures, periods, services
from tests.reports.helpers import body, docx_tables, docx_text

from .helpers import build_year

pytestmark = pytest.mark.django_db

HEADINGS = (
    r"一、基本情况|1\. Basic information",
    r"二、主要做法|2\. Main practices",
    r"三、工作成效|3\. Results of the work",
    r"四、存在问题|4\. Problems",
    r"五、下一步打算|5\. Next steps",
)
QUERY = "subject=office&period=year&year=2026"


def download(client, fmt, query=QUERY):
    response = client.get(f"/summaries/summary.{fmt}?{query}")
    assert response.status_code == 200, response.status_code
    return body(response)


def test_the_word_draft_has_the_five_sections_and_the_figures(world, login):
    build_year(world)
    office = figures.subject_for(world.admin, "office")
    services.save_summary_text(
        world.admin, office, periods.whole_year(2026), "practices", "一是坚持挂牌督导。", 0
    )
    content = download(login(world.admin), "docx")
    text = docx_text(content)
    for heading in HEADINGS:
        assert re.search(heading, text), heading
    positions = [re.search(heading, text).start() for heading in HEADINGS]
    assert positions == sorted(positions)
    assert "一是坚持挂牌督导。" in text  # the office's words
    assert "66.7%" in text  # the unannounced share
    figures_table = docx_tables(content)[0]
    assert (
        ["School visits", "6"] in figures_table
        or ["学校随访", "6"] in figures_table
        or any(row[-1] == "6" for row in figures_table)
    )


def test_the_spreadsheet_holds_the_figures(world, login):
    build_year(world)
    content = download(login(world.admin), "xlsx")
    book = load_workbook(io.BytesIO(content))
    values = [cell for sheet in book for row in sheet.iter_rows(values_only=True) for cell in row]
    assert 6 in values or "6" in values  # school visits
    assert len(book.sheetnames) >= 2  # the figures and the problems by item


def test_the_report_is_registered_with_a_template():
    entry = exporter.REGISTRY["work_summary"]
    assert entry.for_user and entry.template_kind == "work_summary"
    assert exporter.default_template_path("work_summary").exists()


def test_a_zone_summary_for_its_leader(world, login):
    build_year(world)
    content = download(
        login(world.zone_leader), "docx", f"subject=zone-{world.zone.pk}&period=h1&year=2026"
    )
    text = docx_text(content)
    assert world.zone.name in text
    assert not re.search(r"专项督导|Special campaigns held", text)


def test_the_word_draft_renders_in_libreoffice(world, login, tmp_path):
    from tests.libreoffice import rendered, squeezed

    build_year(world)
    page = rendered(download(login(world.admin), "docx"), tmp_path, "work_summary")
    assert page.is_a4_portrait
    text = squeezed(page.text)
    for heading in HEADINGS:
        assert re.search(heading.replace(" ", ""), text), heading
    # The signature block (the office's name over the date) is on one page: the last.
    last_page = squeezed(page.text.split("\f")[page.pages - 1])
    assert squeezed(world.office.name) in last_page
    assert re.search(r"2026年11月23日|2026-11-23", last_page)
