"""Every Word document the app makes, as LibreOffice lays it out (issue 11 part 5): the
rectification notice, the inspector's monthly report, the office's monthly summary and the
monitoring report are each rendered once (headless LibreOffice, ~3 s each) and read back
with poppler.

- A4 portrait;
- the body runs about 28 characters a line (GB/T 9704: 3号 text, 156 mm text block). The
  old document grid made LibreOffice put 14-16. Counted on the lines of 16 pt text that
  reach the right margin (wrapped lines): Chinese characters and full-width punctuation
  count one, Latin letters and digits half. Accepted: 26 to 29.5 a line and a median of at
  least 26.5: a line may end a character early or late where Chinese line-breaking rules
  keep punctuation off a line's start (行首禁则), digits are not exactly half a character
  and Latin next to Chinese is spaced apart by a quarter character;
- the 落款 (office and date, with the notice's signature lines) on one page, "日期：" never
  split from its line, and the dates of tables on one line;
- LibreOffice given the fonts.conf fallback (as check_system tells a server to install)
  uses serif Noto CJK for 仿宋/小标宋, not the sans it picks for an unknown name.

The Word-level rules need no rendering: every table row cannot split, the header repeats,
and the document's East-Asian language is Chinese.
"""

import datetime
import io
import os
import re
import statistics
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn

from dudao.core import system
from dudao.monitoring import services as monitoring_services
from dudao.reports import exporter
from dudao.reports.docx_defaults import FONTCONFIG_PATH
from tests.libreoffice import PDFINFO, PDFTOTEXT, SOFFICE, convert_to_pdf
from tests.monitoring.webdata import seed

from .helpers import body, make_notice
from .test_monthly import get, inspector_url, october, office_url  # noqa: F401 (fixture)

BODY_HEIGHT = (19, 23)  # pt: a line box of 16 pt Noto CJK text (12 pt tables are ~16 pt)
TEXT_LEFT = 79.4  # pt: 28 mm
TEXT_RIGHT = 521.6  # pt: 28 mm + 156 mm
CHAR_PT = 15.75  # a body character, its spacing included


def render(content: bytes, tmp_path: Path, name: str) -> dict:
    """LibreOffice → PDF with the shipped font fallback, then poppler: pages (count, size),
    the lines of every page (text, box), the fonts embedded."""
    if SOFFICE is None or PDFINFO is None or PDFTOTEXT is None:
        pytest.skip("rendering DOCX needs LibreOffice and poppler (CI installs them)")
    source = tmp_path / f"{name}.docx"
    source.write_bytes(content)
    fonts_conf = tmp_path / "fonts.conf"
    fonts_conf.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">'
        '<fontconfig><include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
        f'<include ignore_missing="yes">{FONTCONFIG_PATH}</include></fontconfig>'
    )
    env = {**os.environ, "FONTCONFIG_FILE": str(fonts_conf)}
    pdf = convert_to_pdf(source, tmp_path, env)
    bbox = subprocess.run(  # noqa: S603
        [PDFTOTEXT, "-bbox-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = []
    for page in re.findall(r"<page (.*?)</page>", bbox, re.S):
        size = tuple(
            float(v) for v in re.search(r'width="([\d.]+)" height="([\d.]+)"', page).groups()
        )
        lines = []
        for attrs, inner in re.findall(r"<line ([^>]*)>(.*?)</line>", page, re.S):
            box = {k: float(v) for k, v in re.findall(r'(\w+)="([\d.]+)"', attrs)}
            words = re.findall(r">([^<]*)</word>", inner)
            lines.append({"text": "".join(words), **box})
        pages.append({"size": size, "lines": lines})
    fonts = subprocess.run(  # noqa: S603
        ["pdffonts", str(pdf)],  # noqa: S607 (poppler, as pdftotext)
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return {"pages": pages, "fonts": fonts}


def chars(text: str) -> float:
    return sum(1 if ord(ch) > 0x2E7F else 0.5 for ch in text if not ch.isspace())


def chinese(text: str) -> bool:
    """Mostly Chinese (a sentence whose translation is still missing reads in English)."""
    text = re.sub(r"\s+", "", text)
    return bool(text) and sum(ord(ch) > 0x2E7F for ch in text) >= 0.7 * len(text)


def body_lines(rendered) -> list[dict]:
    return [
        line
        for page in rendered["pages"]
        for line in page["lines"]
        if BODY_HEIGHT[0] <= line["yMax"] - line["yMin"] <= BODY_HEIGHT[1]
    ]


def assert_layout(rendered, *, office: str, date: str, signatures=()):
    pages = rendered["pages"]
    for page in pages:
        width, height = page["size"]
        assert abs(width - 595.3) < 2 and abs(height - 841.9) < 2, page["size"]  # A4
    # About 28 characters a line: the body lines reaching the right margin (wrapped), their
    # two-character indent counted.
    full = [
        (round((line["xMin"] - TEXT_LEFT) / CHAR_PT + chars(line["text"]), 1), line["text"])
        for line in body_lines(rendered)
        if line["xMax"] > TEXT_RIGHT - 20
        and line["xMin"] < TEXT_LEFT + 3 * CHAR_PT
        and chinese(line["text"])
    ]
    widths = [width for width, _text in full]
    assert widths, "no body line reaches the right margin"
    assert min(widths) >= 25 and max(widths) <= 29.5, full
    assert statistics.median(widths) >= 26.5, full
    # The 落款 whole on one page: the office and the date together, after the signatures.
    where = {}
    for number, page in enumerate(pages):
        for line in page["lines"]:
            where.setdefault(re.sub(r"\s+", "", line["text"]), []).append(number)
    squeezed_date = re.sub(r"\s+", "", date)
    assert squeezed_date in where, f"the date {date} is split across lines"
    last_office = max(where[office])
    assert max(where[squeezed_date]) == last_office
    page_text = re.sub(r"\s+", "", "".join(line["text"] for line in pages[last_office]["lines"]))
    for line in signatures:
        assert re.sub(r"\s+", "", line) in page_text, line
    # "日期：" never alone at a line start or end.
    for page in pages:
        for line in page["lines"]:
            text = line["text"]
            if "日期" in text:
                assert "日期：" in text, text


def assert_serif_fallback(rendered):
    """仿宋/小标宋 fell back to the serif Noto CJK (fonts.conf), not to the sans."""
    assert "NotoSerifCJK" in rendered["fonts"], rendered["fonts"]


def assert_word_rules(content: bytes):
    document = Document(io.BytesIO(content))
    for table in document.tables:
        for index, row in enumerate(table.rows):
            trpr = row._tr.trPr
            assert trpr is not None and trpr.find(qn("w:cantSplit")) is not None
            if index == 0:
                assert trpr.find(qn("w:tblHeader")) is not None
        assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    grid = document.sections[0]._sectPr.find(qn("w:docGrid"))
    assert grid is None or grid.get(qn("w:type")) is None  # no character or line grid
    styles = document.styles.element
    lang = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert lang.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"


@pytest.fixture
def notice(world):
    return make_notice(
        world,
        descriptions=(
            "消防通道堆放杂物，安全出口指示灯损坏两处，需要立即更换",
            "食堂留样记录不全",
        ),
    )


def test_notice(world, client, notice, tmp_path):
    client.force_login(world.admin)
    content = body(client.get(reverse("reports:notice_docx", args=[notice.pk])))
    assert_word_rules(content)
    rendered = render(content, tmp_path, "notice")
    assert len(rendered["pages"]) == 1
    issued = exporter.long_date(notice.issued_at.date())
    assert_layout(
        rendered,
        office=world.office.name,
        date=issued,
        signatures=("督学签字：", "学校负责人签字："),
    )
    assert_serif_fallback(rendered)
    lines = [re.sub(r"\s+", "", line["text"]) for line in rendered["pages"][0]["lines"]]
    # The 版头 opens the page: the issuing office, then the number, then the title.
    assert lines[0] == world.office.name
    assert lines.index(world.office.name) < lines.index("整改通知书")
    assert "湖滨小学：" in lines
    # The deadline of each row on one line of its cell.
    deadline = re.sub(r"\s+", "", exporter.long_date(notice.deadline))
    assert sum(deadline in line for line in lines) >= 1 + 2  # the text, then both rows


def test_inspector_monthly(world, client, october, tmp_path):  # noqa: F811
    client.force_login(world.admin)
    content = get(client, inspector_url(world))
    assert_word_rules(content)
    rendered = render(content, tmp_path, "inspector")
    assert_layout(rendered, office=world.office.name, date=_today_long())


def test_office_monthly(world, client, october, tmp_path):  # noqa: F811
    client.force_login(world.admin)
    content = get(client, office_url())
    assert_word_rules(content)
    rendered = render(content, tmp_path, "office")
    assert_layout(rendered, office=world.office.name, date=_today_long())
    lines = {re.sub(r"\s+", "", line["text"]) for p in rendered["pages"] for line in p["lines"]}
    assert any(line.startswith("第一责任区") for line in lines)  # a zone's name not wrapped


@pytest.mark.django_db
def test_monitoring(world, client, tmp_path):
    seed(world)
    ruleset = monitoring_services.default_ruleset(world.office, "quality")
    client.force_login(world.admin)
    content = client.get(f"/monitoring/2025/rules/{ruleset.pk}/report.docx").content
    assert_word_rules(content)
    rendered = render(content, tmp_path, "monitoring")
    assert_layout(rendered, office=world.office.name, date=_today_long())
    text = "".join(line["text"] for p in rendered["pages"] for line in p["lines"])
    assert ruleset.name not in text  # quality-2017: an internal name


def _today_long() -> str:
    from django.utils import timezone

    return exporter.long_date(timezone.localdate())


# --- the fonts, as check_system and the reports page tell them ------------------------------


def fake_fc(installed: str, match: str = "Noto Sans CJK SC"):
    def run(*args):
        if args[0] == "fc-list":
            return installed
        return match

    return run


def test_official_fonts_missing_and_their_fallback(monkeypatch):
    monkeypatch.setattr(
        system, "_fc", fake_fc("Noto Serif CJK SC,Noto Serif CJK SC Bold\n黑体,SimHei\n")
    )
    fonts = {font["name"]: font for font in system.official_fonts()}
    assert fonts["黑体"]["installed"] and not fonts["黑体"]["used_instead"]
    assert not fonts["仿宋_GB2312"]["installed"]
    assert fonts["仿宋_GB2312"]["used_instead"] == "Noto Sans CJK SC"
    assert not fonts["方正小标宋简体"]["installed"]


def test_fzxiaobiaosong_counts_by_its_postscript_name(monkeypatch):
    monkeypatch.setattr(system, "_fc", fake_fc("FZXiaoBiaoSong-B05S\n仿宋_GB2312\n"))
    fonts = {font["name"]: font["installed"] for font in system.official_fonts()}
    assert fonts["方正小标宋简体"] and fonts["仿宋_GB2312"] and not fonts["楷体_GB2312"]


def test_check_system_names_missing_fonts(monkeypatch, capsys):
    from django.core.management import call_command

    monkeypatch.setattr(system, "_fc", fake_fc("Noto Sans CJK SC\n"))
    call_command("check_system")
    out = capsys.readouterr().out
    assert "仿宋_GB2312" in out and "方正小标宋简体" in out and "Noto Sans CJK SC" in out
    assert "fonts.conf" in out


def test_reports_page_names_missing_fonts(world, client, monkeypatch):
    missing = {"name": "仿宋_GB2312", "role": "正文", "installed": False, "used_instead": "X"}
    monkeypatch.setattr(system, "official_fonts_cached", lambda: (missing,))
    client.force_login(world.admin)
    page = client.get(reverse("reports:index")).content.decode()
    assert 'id="fonts"' in page and "仿宋_GB2312" in page and "X" in page
    monkeypatch.setattr(system, "official_fonts_cached", lambda: ())
    assert 'id="fonts"' not in client.get(reverse("reports:index")).content.decode()


def test_document_cells_write_dates_as_the_text_does():
    assert exporter.document_cell(datetime.date(2026, 12, 3)) == "2026年12月3日"
    widths = exporter.column_widths(
        ["序号", "学校", "问题"], [["1", "湖滨小学", "消防通道堆放杂物" * 4]], 442
    )
    # The short columns keep their text on one line; the problem takes the rest.
    assert widths[0] >= 2 * 12 + 12 and widths[1] >= 4 * 12 + 12
    assert abs(sum(widths) - 442) < 1


# --- the 落款 never opens a page alone -----------------------------------------------------


def _bulletin(count: int) -> exporter.Report:
    """A 通报 with `count` one-line paragraphs ("第07段…", 21 characters with the indent)
    under its 版头, no table."""
    paragraphs = [f"第{n:02d}段：各学校要对照问题立即整改。" for n in range(1, count + 1)]
    return exporter.Report(
        title="关于开学工作专项督导情况的通报",
        filename="bulletin",
        masthead="上城区人民政府教育督导室",
        number="上教督通〔2026〕3号",
        recipient="各中小学校、幼儿园",
        sections=[exporter.Section("", paragraphs)],
        office="上城区人民政府教育督导室",
        date="2026年11月23日",
    )


def _pages_of(rendered, text: str) -> list[int]:
    return [
        number
        for number, page in enumerate(rendered["pages"])
        for line in page["lines"]
        if text in re.sub(r"\s+", "", line["text"])
    ]


def test_the_signature_block_never_opens_a_page_alone(tmp_path):
    """A body that exactly fills the first page: its last paragraph goes over with the 落款
    (keep-with-next), rather than the office and the date opening page 2 alone. The first
    rendering finds how many one-line paragraphs page 1 holds under the 版头 and the title
    (the fonts decide it), the second has exactly that many."""
    template = exporter.template_for(None, "notice")
    probe = render(exporter.to_docx(_bulletin(40), template), tmp_path, "probe")
    on_first = [
        int(match.group(1))
        for line in probe["pages"][0]["lines"]
        if (match := re.search(r"第(\d\d)段", line["text"]))
    ]
    assert on_first and len(probe["pages"]) >= 2, "the probe fills more than a page"
    full = max(on_first)  # the paragraphs page 1 holds

    content = exporter.to_docx(_bulletin(full), exporter.template_for(None, "notice"))
    rendered = render(content, tmp_path, "full")
    assert len(rendered["pages"]) == 2
    last = f"第{full:02d}段"
    office, date = (
        _pages_of(rendered, "上城区人民政府教育督导室"),
        _pages_of(rendered, "2026年11月23日"),
    )
    assert _pages_of(rendered, last) == [1], "the last paragraph went over with the 落款"
    assert max(office) == 1 and date == [1]
    assert _pages_of(rendered, f"第{full - 1:02d}段") == [0]  # only the last one moved
    first_line = re.sub(r"\s+", "", rendered["pages"][1]["lines"][0]["text"])
    assert first_line.startswith(last), first_line  # page 2 opens with text of the body


def test_only_the_last_paragraph_is_kept_with_the_signature():
    """Word level: keep-with-next on the body's last paragraph and the signature block, not
    on the others (they break freely), and not on a paragraph followed by a table."""
    report = _bulletin(5)
    content = exporter.to_docx(report, exporter.template_for(None, "notice"))
    paragraphs = Document(io.BytesIO(content)).paragraphs
    kept = {p.text: p.paragraph_format.keep_with_next for p in paragraphs if "段" in p.text}
    assert [kept[text] for text in report.sections[0].paragraphs] == [None] * 4 + [True]
    office = next(p for p in paragraphs if p.text == report.office)
    assert office.paragraph_format.keep_with_next

    table = exporter.Table(["序号", "学校"], [[1, "湖滨小学"]])
    report.sections[0].tables = [table]
    content = exporter.to_docx(report, exporter.template_for(None, "notice"))
    paragraphs = Document(io.BytesIO(content)).paragraphs
    assert not any(p.paragraph_format.keep_with_next for p in paragraphs if "段" in p.text)
