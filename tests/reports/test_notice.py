import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, RGBColor

from dudao.rectification.models import Notice
from dudao.signboards import boards

from .helpers import body, docx_tables, docx_text, make_notice


@pytest.fixture
def notice(world):
    return make_notice(world, descriptions=("消防通道堆放杂物", "食堂留样记录不全"))


def download(client, name, notice):
    response = client.get(reverse(name, args=[notice.pk]))
    assert response.status_code == 200, response.status_code
    return response, body(response)


def test_docx_names_school_items_deadline_inspector_office(world, client, notice):
    client.force_login(world.admin)
    response, content = download(client, "reports:notice_docx", notice)
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="report-')
    assert quote("湖滨小学") in disposition.split("filename*=UTF-8''")[1]
    text = docx_text(content)
    assert notice.number in text
    assert "〔" in notice.number  # hexagonal brackets from the numbering rule
    assert "湖滨小学：" in text  # the recipient line ends with a full-width colon
    assert "张督学" in text  # the issuing inspector
    assert world.office.name in text
    deadline = notice.deadline
    assert f"{deadline.year}" in text and f"{deadline.month}" in text
    table = docx_tables(content)[0]
    assert len(table) == 3  # header + two items
    assert table[1][2] == "消防通道堆放杂物"
    assert table[2][2] == "食堂留样记录不全"
    assert table[1][3] == "立即清理：消防通道堆放杂物"
    assert table[1][1] == "校园及周边安全、学生交通安全"  # the official wording of item 6
    # two signature lines (inspector and school head), each with a date blank
    assert "督学签字" in text and "学校负责人签字" in text
    assert text.count("日期：　　年　月　日") == 2


def test_docx_layout_follows_gb_t_9704(world, client, notice):
    client.force_login(world.admin)
    _response, content = download(client, "reports:notice_docx", notice)
    document = Document(io.BytesIO(content))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1)
    assert abs(section.page_height - Mm(297)) < Mm(1)
    assert abs(section.top_margin - Mm(37)) < Mm(1)
    assert abs(section.left_margin - Mm(28)) < Mm(1)
    assert abs(section.right_margin - Mm(26)) < Mm(1)
    assert abs(section.bottom_margin - Mm(35)) < Mm(1)
    texts = [p.text for p in document.paragraphs]
    masthead = document.paragraphs[texts.index(world.office.name)]
    title = document.paragraphs[texts.index("整改通知书")]
    assert masthead.text == world.office.name  # the 版头, in red
    assert masthead.runs[0].font.color.rgb == RGBColor(0xFF, 0, 0)
    assert title.runs[0].font.size.pt == 22
    assert title.alignment == 1  # centred
    xml = document.element.xml
    assert "仿宋_GB2312" in xml and "黑体" in xml
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml and "—" in footer_xml
    assert document.settings.odd_and_even_pages_header_footer
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:linePitch")) == "579"  # 22 lines a page
    assert grid.get(qn("w:type")) is None  # no grid: LibreOffice put 14-16 characters a line


def test_pdf(world, client, notice):
    client.force_login(world.school_user)
    response, content = download(client, "reports:notice_pdf", notice)
    assert response["Content-Type"] == "application/pdf"
    assert content.startswith(b"%PDF")
    assert len(content) > 5000  # the CJK font is embedded


def test_pdf_html_carries_the_same_content(world, notice):
    from dudao.reports import exporter

    html = exporter.render_html(exporter.build("notice", world.admin, notice))
    assert "湖滨小学" in html and notice.number in html and "消防通道堆放杂物" in html


def test_pdf_without_chinese_font_answers_503(world, client, notice, monkeypatch):
    from dudao.core import system

    monkeypatch.setattr(system, "cjk_font_available", lambda: False)
    boards.reset_font_check()
    client.force_login(world.admin)
    response = client.get(reverse("reports:notice_pdf", args=[notice.pk]))
    assert response.status_code == 503
    assert "fonts-noto-cjk" in response.content.decode()


def test_school_downloads_its_own_notice_only(world, client, notice):
    other = make_notice(world, actor=world.admin, school=world.zone_school)
    client.force_login(world.school_user)
    assert client.get(reverse("reports:notice_docx", args=[notice.pk])).status_code == 200
    assert client.get(reverse("reports:notice_docx", args=[other.pk])).status_code == 404
    assert client.get(reverse("reports:notice_pdf", args=[other.pk])).status_code == 404


def test_other_county_gets_404(world, client, notice):
    client.force_login(world.other_admin)
    assert client.get(reverse("reports:notice_docx", args=[notice.pk])).status_code == 404
    assert Notice.all_objects.count() == 1


def test_special_characters_are_escaped(world, client):
    notice = make_notice(world, descriptions=("门卫室<值班>记录 & 签到",))
    client.force_login(world.admin)
    _response, content = download(client, "reports:notice_docx", notice)
    assert "门卫室<值班>记录 & 签到" in docx_text(content)


def test_notice_renders_in_libreoffice_on_one_a4_page(world, client, notice, tmp_path):
    """The 整改通知书 as a reader shows it: one A4 page with the number, the school, both
    problems and the signature lines."""
    from tests.libreoffice import rendered, squeezed

    client.force_login(world.admin)
    _, content = download(client, "reports:notice_docx", notice)
    page = rendered(content, tmp_path, "notice")
    assert page.is_a4_portrait
    assert page.pages == 1
    text = squeezed(page.text)
    for expected in (notice.number, "湖滨小学", "消防通道堆放杂物", "食堂留样记录不全"):
        assert squeezed(expected) in text, expected
