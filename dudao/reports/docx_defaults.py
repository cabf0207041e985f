"""The bundled default Word templates (docxtpl), laid out per GB/T 9704-2012
(/work/shared/domain/DOCUMENTS.md): A4, margins 37/26/35/28 mm, 22 lines of 28 characters,
title 22 pt 方正小标宋简体, body 16 pt 仿宋_GB2312 with a two-character indent, "一、" headings
in 黑体, signature and date right-aligned four characters in, page numbers "— 1 —" in 14 pt,
odd pages right and even pages left.

One layout serves every report: the context is `exporter.Report.context()` (masthead, title,
number, recipient, sections with paragraphs and tables, signature lines, office, date).
Offices edit a copy (fonts, a masthead, wording around the tags) and upload it; the tags must
stay.

The same layout in Word, WPS and LibreOffice (docs/architecture.md §6):
- no character grid: the 22 lines come from the exact line spacing (225 mm / 22), the 28
  characters from the body style's character spacing (156 mm / 28 = 15.75 pt a character).
  LibreOffice lays a "linesAndChars" grid out at the line pitch (16 characters a line), and
  even a "lines" grid snaps table text to 28.95 pt lines;
- East-Asian language zh-CN (python-docx's default template says ja-JP, and LibreOffice then
  picks Japanese glyphs and line-breaking rules);
- the official fonts are named, with `w:altName` in the font table for Word and WPS on a PC
  without them (仿宋_GB2312 → 仿宋 …). LibreOffice ignores `w:altName` and asks fontconfig:
  `FONTCONFIG` (written to `docx_templates/fonts.conf`) maps the official names to the
  installed Noto CJK fonts (serif for 仿宋/楷体/小标宋, sans for 黑体);
- the signature block (signature lines, room for the seal, office, date) is kept on one
  page, and with the body's last paragraph (keep-with-next), so a page never opens with the
  落款 alone; table rows never split across pages and the header row repeats.

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
from docx.shared import Mm, Pt, RGBColor

TEMPLATE_DIR = Path(__file__).resolve().parent / "docx_templates"
FONTCONFIG_PATH = TEMPLATE_DIR / "fonts.conf"

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
KAI_FONT = "楷体_GB2312"  # "（一）" headings
PAGE_NUMBER_FONT = "宋体"
LATIN_FONT = "Times New Roman"
BODY_SIZE = Pt(16)  # 3号
TITLE_SIZE = Pt(22)  # 2号
MASTHEAD_SIZE = Pt(26)  # 一号: the issuing authority's name in the 版头
PAGE_NUMBER_SIZE = Pt(14)  # 4号
TABLE_SIZE = Pt(12)  # 小4号: tables are set smaller so their columns fit
TABLE_LINE = Pt(15)
LINE = Pt(28.95)  # 225 mm / 22 lines
TEXT_WIDTH = Mm(156)  # the text block of a portrait page
CHAR_SPACING = -5  # in 1/20 pt: 16 pt - 0.25 pt = 15.75 pt a character, 28 in 156 mm
CHAR = Pt(15.75)  # one character of body text, spacing included
RED = RGBColor(0xFF, 0x00, 0x00)
SEAL_LINES = 2  # empty lines above the office's name: the seal presses on name and date

# The official fonts, what Word and WPS use on a PC without them (the font table's
# w:altName), and what fontconfig (LibreOffice, WeasyPrint) is told to use instead, first
# found wins: the Windows fonts where a PC has them, then the Noto CJK fonts of Linux.
OFFICIAL_FONTS = {
    TITLE_FONT: {
        "alt": "宋体",
        "also": ("方正小标宋_GBK", "FZXiaoBiaoSong-B05S"),
        "fallbacks": ("Noto Serif CJK SC", "Source Han Serif SC", "SimSun"),
        "bold": True,  # GB/T 9704's own fallback for 小标宋 is 宋体 bold
        "family": "roman",
    },
    BODY_FONT: {
        "alt": "仿宋",
        "also": ("FangSong_GB2312",),
        "fallbacks": ("仿宋", "FangSong", "Noto Serif CJK SC", "Source Han Serif SC"),
        "family": "modern",
    },
    HEADING_FONT: {
        "alt": "SimHei",
        "also": ("SimHei",),
        "fallbacks": ("SimHei", "Noto Sans CJK SC", "Source Han Sans SC"),
        "family": "modern",
    },
    KAI_FONT: {
        "alt": "楷体",
        "also": ("楷体", "KaiTi", "KaiTi_GB2312"),
        "fallbacks": ("楷体", "KaiTi", "AR PL UKai CN", "Noto Serif CJK SC"),
        "family": "modern",
    },
    PAGE_NUMBER_FONT: {
        "alt": "SimSun",
        "also": ("SimSun",),
        "fallbacks": ("SimSun", "Noto Serif CJK SC", "Source Han Serif SC"),
        "family": "auto",
    },
}


def fontconfig_snippet() -> str:
    """fontconfig rules mapping the official font names to installed fonts, for a server or
    PC whose LibreOffice lacks them (copy to /etc/fonts/conf.d/64-dudao-official-fonts.conf;
    `check_system` says when). Without them fontconfig answers every Chinese font name with
    its default sans, so the body in 仿宋 came out in 黑体-like Noto Sans."""
    rules = []
    for name, spec in OFFICIAL_FONTS.items():
        prefer = "".join(f"<family>{family}</family>" for family in spec["fallbacks"])
        rules.append(
            f'  <alias binding="strong"><family>{name}</family><prefer>{prefer}</prefer></alias>'
        )
        if spec.get("bold"):
            rules.append(
                '  <match target="pattern">'
                f'<test name="family"><string>{name}</string></test>'
                '<edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>'
                "</match>"
            )
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<!-- Dudao: the GB/T 9704 fonts of its Word documents, where they are missing. -->\n"
        "<fontconfig>\n" + "\n".join(rules) + "\n</fontconfig>\n"
    )


def set_font(run_or_style, east_asian: str, size=None, bold=None, color=None):
    font = run_or_style.font
    font.name = LATIN_FONT
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    if color is not None:
        font.color.rgb = color
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
    doc,
    text,
    *,
    font=BODY_FONT,
    size=BODY_SIZE,
    bold=False,
    align=None,
    indent=0,
    right_indent=0,
    keep=False,
    keep_next=False,
    line=LINE,
    color=None,
):
    paragraph = doc.add_paragraph()
    _exact_spacing(paragraph.paragraph_format, line)
    if align is not None:
        paragraph.alignment = align
    paragraph.paragraph_format.first_line_indent = indent
    if right_indent:
        paragraph.paragraph_format.right_indent = right_indent
    if keep:
        paragraph.paragraph_format.keep_with_next = True
        paragraph.paragraph_format.keep_together = True
    elif keep_next:  # kept with the next paragraph, but itself free to break across pages
        paragraph.paragraph_format.keep_with_next = True
    run = paragraph.add_run(text)
    set_font(run, font, size, bold, color)
    return paragraph


def _tag(doc, text):
    """A paragraph holding only a docxtpl block tag ({%p ... %}); it disappears on render."""
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    set_font(run, BODY_FONT, BODY_SIZE)
    return paragraph


def _red_rule(paragraph):
    """The 版头's red line under the paragraph, as wide as the text block."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), "12")  # 1.5 pt
    bottom.set(qn("w:space"), "11")  # about 4 mm under the document number
    bottom.set(qn("w:color"), "FF0000")
    borders.append(bottom)
    paragraph.paragraph_format.element.get_or_add_pPr().append(borders)


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
    # No document grid at all (see the module's docstring): the 22 lines are the exact line
    # spacing, the 28 characters the body's character spacing.
    # A w:docGrid without w:type is no grid ("default"); its line pitch only records the
    # 22 lines for a reader that turns the grid on.
    grid = section._sectPr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        section._sectPr.append(grid)
    for name in ("w:type", "w:charSpace"):
        grid.attrib.pop(qn(name), None)
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


def _language(doc):
    """Chinese (zh-CN) as the East-Asian language of every run and of the theme."""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    theme_lang = doc.settings.element.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:eastAsia"), "zh-CN")


def _font_table(doc):
    """The official fonts in the font table, each with the w:altName Word and WPS use when
    the PC lacks it, and the GB2312 character set (86)."""
    part = next(
        rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable")
    )
    entries = "".join(
        f'<w:font w:name="{name}"><w:altName w:val="{spec["alt"]}"/>'
        f'<w:charset w:val="86"/><w:family w:val="{spec["family"]}"/>'
        '<w:pitch w:val="variable"/></w:font>'
        for name, spec in OFFICIAL_FONTS.items()
    )
    xml = part.blob.decode("utf-8")
    part._blob = xml.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")


def _styles(doc):
    normal = doc.styles["Normal"]
    set_font(normal, BODY_FONT, BODY_SIZE)
    _exact_spacing(normal.paragraph_format)
    # 28 characters of 16 pt in 156 mm (442.2 pt): each 0.25 pt condensed (w:spacing is in
    # 1/20 pt), 28 × 15.75 = 441 pt. 0.2 pt made it 442.4 pt, a hair over, and Word put 27.
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(CHAR_SPACING))
    normal.element.get_or_add_rPr().append(spacing)
    # Widow and orphan control off: GB/T 9704 pages are a fixed 22 lines.
    normal.paragraph_format.widow_control = False


def table_paragraph(paragraph, *, header=False):
    """A table cell's paragraph: smaller, at an exact 15 pt (1.25 lines: "single" is 17.4 pt
    with the Noto CJK fonts LibreOffice falls back to and less in Word, so the same table took
    more pages in LibreOffice), a point of air above and below, off the page's 28.95 pt
    line grid (which made every table line a full body line)."""
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = TABLE_LINE
    fmt.first_line_indent = 0
    fmt.left_indent = 0
    fmt.right_indent = 0
    fmt.space_before = Pt(1)
    fmt.space_after = Pt(1)
    if header:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    ppr = paragraph._p.get_or_add_pPr()
    if ppr.find(qn("w:snapToGrid")) is None:
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        ppr.append(snap)


def row_properties(row, *, header=False):
    """A table row never splits across pages; the header row repeats on every page."""
    trpr = row._tr.get_or_add_trPr()
    tags = ["w:cantSplit"] + (["w:tblHeader"] if header else [])
    for tag in tags:
        if trpr.find(qn(tag)) is None:
            trpr.append(OxmlElement(tag))


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
        row_properties(table.rows[r], header=r == 0)
        for c, text in enumerate(texts):
            paragraph = table.cell(r, c).paragraphs[0]
            table_paragraph(paragraph, header=r == 0)
            if text:
                run = paragraph.add_run(text)
                set_font(run, HEADING_FONT if r == 0 else BODY_FONT, TABLE_SIZE)
    return table


def build_document() -> Document:
    """The default template: the same layout for notices and monthly reports. A report with
    a masthead (a notice) opens with the 版头: the issuing authority's name in red, the
    document number and the red line; the others open with the title."""
    doc = Document()
    _language(doc)
    _font_table(doc)
    _page_setup(doc)
    _styles(doc)
    _tag(doc, "{%p if masthead %}")
    _paragraph(
        doc,
        "{{ masthead }}",
        font=TITLE_FONT,
        size=MASTHEAD_SIZE,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        line=Pt(40),
        color=RED,
        keep=True,
    )
    rule = _paragraph(doc, "{{ number }}", align=WD_ALIGN_PARAGRAPH.CENTER, keep=True)
    _red_rule(rule)
    _paragraph(doc, "")
    _tag(doc, "{%p endif %}")
    _paragraph(
        doc, "{{ title }}", font=TITLE_FONT, size=TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    _tag(doc, "{%p if subtitle %}")
    _paragraph(doc, "{{ subtitle }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p if number and not masthead %}")
    _paragraph(doc, "{{ number }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _tag(doc, "{%p endif %}")
    _paragraph(doc, "")
    _tag(doc, "{%p if recipient %}")
    _paragraph(doc, "{{ recipient }}：")
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p for s in sections %}")
    _tag(doc, "{%p set closing = loop.last and not s.tables %}")
    _tag(doc, "{%p if s.heading %}")
    _paragraph(doc, "{{ s.heading }}", font=HEADING_FONT, indent=2 * CHAR, keep=True)
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p for para in s.paragraphs %}")
    # The body's last paragraph is kept with the signature block below it, so that a page
    # never opens with the 落款 alone (the seal and the date share a page with text of the
    # body); every other paragraph breaks freely.
    _tag(doc, "{%p if closing and loop.last %}")
    _paragraph(doc, "{{ para }}", indent=2 * CHAR, keep_next=True)
    _tag(doc, "{%p else %}")
    _paragraph(doc, "{{ para }}", indent=2 * CHAR)
    _tag(doc, "{%p endif %}")
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p for t in s.tables %}")
    _tag(doc, "{%p if t.title %}")
    _paragraph(doc, "{{ t.title }}", font=HEADING_FONT, align=WD_ALIGN_PARAGRAPH.CENTER, keep=True)
    _tag(doc, "{%p endif %}")
    _table(doc)
    _tag(doc, "{%p endfor %}")
    _tag(doc, "{%p endfor %}")
    # The signature block, kept on one page: the signature lines, room for the seal (it
    # presses on the office's name and the date, its top within a line of the text above),
    # the office's name centred over the date, the date four characters in from the right.
    _tag(doc, "{%p for line in signatures %}")
    _paragraph(doc, "{{ line }}", indent=2 * CHAR, keep=True)
    _tag(doc, "{%p endfor %}")
    for _line in range(SEAL_LINES):
        _paragraph(doc, "", keep=True)
    _paragraph(
        doc, "{{ office }}", align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=4 * CHAR, keep=True
    )
    _paragraph(doc, "{{ date }}", align=WD_ALIGN_PARAGRAPH.RIGHT, right_indent=4 * CHAR)
    return doc


def write_all() -> list[Path]:
    """Every bundled template (one per `ReportKind`) and the fontconfig snippet. The feedback
    letter's keeps its signature block on one page (`feedback.build_template`)."""
    from . import feedback
    from .models import ReportKind

    builders = {ReportKind.VISIT_FEEDBACK: feedback.build_template}
    TEMPLATE_DIR.mkdir(exist_ok=True)
    written = []
    for kind in ReportKind.values:
        path = TEMPLATE_DIR / f"{kind}.docx"
        builders.get(kind, build_document)().save(path)
        written.append(path)
    FONTCONFIG_PATH.write_text(fontconfig_snippet(), encoding="utf-8")
    written.append(FONTCONFIG_PATH)
    return written


if __name__ == "__main__":  # pragma: no cover
    import django

    django.setup()
    print(*write_all(), sep="\n")
