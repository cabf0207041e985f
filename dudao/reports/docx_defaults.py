"""The bundled default Word templates (docxtpl), laid out per GB/T 9704-2012
(/work/shared/domain/DOCUMENTS.md): A4, margins 37/26/35/28 mm, 22 lines of 28 characters,
title 22 pt 方正小标宋简体, body 16 pt 仿宋_GB2312 with a two-character indent, "一、" headings
in 黑体, signature and date right-aligned four characters in, page numbers "— 1 —" in 14 pt,
odd pages right and even pages left.

One layout serves every report: the context is `exporter.Report.context()` (title, number,
recipient, sections with paragraphs and tables, signature lines, office, date). Offices edit
a copy (fonts, a masthead, wording around the tags) and upload it; the tags must stay.

Regenerate the bundled files after changing this module:
    DEBUG=1 .venv/bin/python -c "import django; django.setup(); \
from dudao.reports import docx_defaults; docx_defaults.write_all()"
(or simply `python -m dudao.reports.docx_defaults` with DJANGO_SETTINGS_MODULE set).
"""

from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TEMPLATE_DIR = Path(__file__).resolve().parent / "docx_templates"

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
TABLE_SIZE = Pt(12)  # 小4号: tables are set smaller so their columns fit
LINE = Pt(28.95)  # 225 mm / 22 lines
CHAR = Pt(16)  # one character of body text


def set_font(run_or_style, east_asian: str, size=None, bold=None):
    font = run_or_style.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asian)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)


def _exact_spacing(paragraph_format, line=LINE):
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph_format.line_spacing = line
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)


def _paragraph(
    doc, text, *, font=BODY_FONT, size=BODY_SIZE, bold=False, align=None, indent=0, right_indent=0
):
    paragraph = doc.add_paragraph()
    _exact_spacing(paragraph.paragraph_format)
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.first_line_indent = indent
    if right_indent:
        paragraph.paragraph_format.right_indent = right_indent
    run = paragraph.add_run(text)
    set_font(run, font, size, bold)
    return paragraph


def _tag(doc, text):
    """A paragraph holding only a docxtpl block tag ({%p ... %}); it disappears on render."""
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    set_font(run, BODY_FONT, BODY_SIZE)
    return paragraph


def _page_number_field(paragraph):
    """`— PAGE —` as a field, so Word and WPS number the pages themselves."""

    def text_run(text):
        run = paragraph.add_run(text)
        set_font(run, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)

    text_run("— ")
    run = paragraph.add_run()
    set_font(run, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)
    for kind, instr in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            code = OxmlElement("w:instrText")
            code.set(qn("xml:space"), "preserve")
            code.text = instr
            run._r.append(code)
    text_run(" —")


def _page_setup(doc, landscape=False):
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin = Mm(37)
    section.bottom_margin = Mm(35)
    section.left_margin = Mm(28)
    section.right_margin = Mm(26)
    section.footer_distance = Mm(25)  # the page number sits about 7 mm under the text block
    # The grid: 22 lines (line pitch 28.95 pt). The 28 characters a line come from the body
    # style's character spacing (156 mm / 28 = 15.8 pt a character, see _styles), not from a
    # character grid: LibreOffice lays a "linesAndChars" grid out at the line pitch, which
    # gave 16 characters a line and notices two pages long.
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), "579")
    # Page numbers: odd pages right, even pages left, one character in from the edge.
    doc.settings.odd_and_even_pages_header_footer = True
    odd = section.footer.paragraphs[0]
    odd.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    odd.paragraph_format.right_indent = Pt(14)
    _page_number_field(odd)
    even = section.even_page_footer.paragraphs[0]
    even.alignment = WD_ALIGN_PARAGRAPH.LEFT
    even.paragraph_format.left_indent = Pt(14)
    _page_number_field(even)


def _styles(doc):
    normal = doc.styles["Normal"]
    set_font(normal, BODY_FONT, BODY_SIZE)
    _exact_spacing(normal.paragraph_format)
    # 28 characters of 16 pt in 156 mm: each 0.2 pt condensed (w:spacing is in 1/20 pt).
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), "-4")
    normal.element.get_or_add_rPr().append(spacing)


def _table(doc):
    """A bordered table whose columns and rows come from a `t` of the context
    (t.columns: header cells, t.rows: lists of cells)."""
    table = doc.add_table(rows=4, cols=3)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = [
        ("{%tc for c in t.columns %}", "{{ c }}", "{%tc endfor %}"),
        ("{%tr for row in t.rows %}", "", ""),
        ("{%tc for v in row %}", "{{ v }}", "{%tc endfor %}"),
        ("{%tr endfor %}", "", ""),
    ]
    for r, texts in enumerate(cells):
        for c, text in enumerate(texts):
            paragraph = table.cell(r, c).paragraphs[0]
            paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
            paragraph.paragraph_format.first_line_indent = 0
            # Table text is smaller and single-spaced: it must not snap to the page's 28.95 pt
            # line grid (which made every table line a full body line).
            snap = OxmlElement("w:snapToGrid")
            snap.set(qn("w:val"), "0")
            paragraph._p.get_or_add_pPr().append(snap)
            if text:
                run = paragraph.add_run(text)
                set_font(run, HEADING_FONT if r == 0 else BODY_FONT, TABLE_SIZE)
    return table


def build_document() -> Document:
    """The default template: the same layout for notices and monthly reports."""
    doc = Document()
    _page_setup(doc)
    _styles(doc)
    _paragraph(
        doc, "{{ title }}", font=TITLE_FONT, size=TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    _tag(doc, "{%p if subtitle %}")
    _paragraph(doc, "{{ subtitle }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if number %}")
    _paragraph(doc, "{{ number }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _tag(doc, "{%p endif %}")
    _paragraph(doc, "")
    _tag(doc, "{%p if recipient %}")
    _paragraph(doc, "{{ recipient }}：")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p for s in sections %}")
    _tag(doc, "{%p if s.heading %}")
    _paragraph(doc, "{{ s.heading }}", font=HEADING_FONT, indent=2 * CHAR)
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p for para in s.paragraphs %}")
    _paragraph(doc, "{{ para }}", indent=2 * CHAR)
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p for t in s.tables %}")
    _tag(doc, "{%p if t.title %}")
    _paragraph(doc, "{{ t.title }}", font=HEADING_FONT, align=WD_ALIGN_PARAGRAPH.CENTER)
    _tag(doc, "{%p endif %}")
    _table(doc)
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endfor %}")
    _paragraph(doc, "")
    _tag(doc, "{%p for line in signatures %}")
    _paragraph(doc, "{{ line }}", indent=2 * CHAR)
    _tag(doc, "{%p endfor %}")
    _paragraph(doc, "")
    _paragraph(doc, "{{ office }}", align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=4 * CHAR)
    _paragraph(doc, "{{ date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=4 * CHAR)
    return doc


def write_all() -> list[Path]:
    from .models import ReportKind

    TEMPLATE_DIR.mkdir(exist_ok=True)
    written = []
    for kind in ReportKind.values:
        path = TEMPLATE_DIR / f"{kind}.docx"
        build_document().save(path)
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover
    import django

    django.setup()
    print(*write_all(), sep="\n")
