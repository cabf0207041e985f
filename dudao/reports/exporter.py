"""One row generator per report, rendered to XLSX, DOCX or PDF behind one exporter.

A report is a function registered here that turns records into a plain `Report` (title,
number, recipient, sections of paragraphs and tables, signature lines, office and date). It
never renders anything. A report registered `for_user` (every report of `builders`) is built
for a reader, passed first: it fetches what it shows through that reader's scope
(`dudao.accounts.scoping`), and `build` refuses to call it without one. The renderers only
read the `Report`:

- `to_xlsx`: each table on a sheet, with a title row, a frozen header and print setup;
- `to_docx`: docxtpl from the office's uploaded template, else the bundled default
  (GB/T 9704 layout, `docx_defaults`);
- `to_pdf`: WeasyPrint from `reports/document.html` with the same context.

Reports are official Chinese documents: they are built and rendered in Chinese whatever the
UI language (like the signboards).
"""

import datetime
import io
import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .docx_defaults import TEMPLATE_DIR

DOCUMENT_LANGUAGE = "zh-hans"

XLSX = "xlsx"
DOCX = "docx"
PDF = "pdf"
CONTENT_TYPES = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    PDF: "application/pdf",
}


@dataclass
class Table:
    columns: list[str]
    rows: list[list]
    title: str = ""
    widths: list[int] | None = None  # spreadsheet column widths, in characters


@dataclass
class Section:
    heading: str = ""
    paragraphs: list[str] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)


@dataclass
class Report:
    title: str
    filename: str  # without extension
    sections: list[Section] = field(default_factory=list)
    subtitle: str = ""
    masthead: str = ""  # the issuing authority's name in the red 版头 (notices, bulletins)
    number: str = ""
    recipient: str = ""
    signatures: list[str] = field(default_factory=list)
    office: str = ""
    date: str = ""
    landscape: bool = False
    figures: dict = field(default_factory=dict)  # machine-readable numbers (tests, callers)
    office_id: int | None = None  # whose uploaded Word template renders it

    def tables(self) -> list[Table]:
        return [table for section in self.sections for table in section.tables]

    def context(self) -> dict:
        """Plain strings only: what a template (Word or HTML) may use."""
        return {
            "masthead": self.masthead,
            "title": self.title,
            "subtitle": self.subtitle,
            "number": self.number,
            "recipient": self.recipient,
            "office": self.office,
            "date": self.date,
            "signatures": list(self.signatures),
            "landscape": self.landscape,
            "sections": [
                {
                    "heading": s.heading,
                    "paragraphs": list(s.paragraphs),
                    "tables": [
                        {
                            "title": t.title,
                            "columns": [cell_text(c) for c in t.columns],
                            "rows": [[document_cell(v) for v in row] for row in t.rows],
                        }
                        for t in s.tables
                    ],
                }
                for s in self.sections
            ],
        }


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def document_cell(value) -> str:
    """A table cell of a document: dates written as in the text (2026年12月3日)."""
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return long_date(value)
    return cell_text(value)


def long_date(day: datetime.date | None) -> str:
    """2026年11月22日 (Arabic numerals, as GB/T 9704 asks)."""
    if day is None:
        return ""
    return _("%(year)s/%(month)s/%(day)s") % {"year": day.year, "month": day.month, "day": day.day}


def content_disposition(filename: str) -> str:
    """attachment with an ASCII fallback name and the real (Chinese) name as RFC 5987
    `filename*=UTF-8''…`, which every current browser uses."""
    stem, _dot, extension = filename.rpartition(".")
    ascii_stem = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-")
    fallback = f"report-{ascii_stem}" if ascii_stem else "report"
    return f"attachment; filename=\"{fallback}.{extension}\"; filename*=UTF-8''{quote(filename)}"


def safe_filename(name: str, extension: str) -> str:
    safe = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", name).strip(" ._") or "report"
    return f"{safe}.{extension}"


# --- the registry ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    name: str
    build: Callable[..., Report]
    formats: tuple[str, ...]
    template_kind: str | None = None  # ReportKind of the replaceable Word template
    for_user: bool = False  # built for a reader (the first argument), within their scope


REGISTRY: dict[str, Entry] = {}


def register(name: str, formats=(XLSX,), template_kind=None, *, for_user=False):
    def decorator(function):
        REGISTRY[name] = Entry(name, function, tuple(formats), template_kind, for_user)
        return function

    return decorator


def _is_user(value) -> bool:
    from django.contrib.auth import get_user_model

    return isinstance(value, get_user_model())


def build(name: str, *args, **kwargs) -> Report:
    entry = REGISTRY[name]
    if entry.for_user and not (args and _is_user(args[0])):
        raise TypeError(f"The report {name!r} is built for a user: pass the reader first.")
    with translation.override(DOCUMENT_LANGUAGE):
        return entry.build(*args, **kwargs)


@dataclass
class Export:
    content: bytes
    filename: str
    content_type: str
    rows: int = 0  # the report's table rows (a background export records them)


def export(name: str, fmt: str, *args, office_id=None, **kwargs) -> Export:
    """Build report `name` and render it to `fmt`. `office_id` (default: the report's own)
    chooses the office's Word template when it uploaded one. PDF raises
    MissingSystemPackage without a CJK font."""
    entry = REGISTRY[name]
    if fmt not in entry.formats:
        raise ValueError(f"{name} cannot be rendered to {fmt}")
    report = build(name, *args, **kwargs)
    with translation.override(DOCUMENT_LANGUAGE):
        if fmt == XLSX:
            content = to_xlsx(report)
        elif fmt == DOCX:
            office_id = report.office_id if office_id is None else office_id
            content = to_docx(report, template_for(office_id, entry.template_kind))
        else:
            content = to_pdf(report)
    rows = sum(len(table.rows) for table in report.tables())
    return Export(content, safe_filename(report.filename, fmt), CONTENT_TYPES[fmt], rows)


# --- renderers ------------------------------------------------------------------------------


def _width(value) -> int:
    text = cell_text(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def to_xlsx(report: Report) -> bytes:
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    from dudao.core.spreadsheets import (
        new_workbook,
        print_setup,
        put,
        workbook_bytes,
        write_rows,
    )

    workbook = new_workbook(empty=True)
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    tables = report.tables() or [Table(columns=[""], rows=[])]
    for index, table in enumerate(tables, 1):
        name = re.sub(r"[\[\]:*?/\\]", "", table.title or report.title)[:28] or "Sheet"
        sheet = workbook.create_sheet(name if len(tables) == 1 else f"{index}{name}"[:31])
        columns = len(table.columns)
        put(sheet, 1, 1, table.title or report.title)
        sheet.cell(row=1, column=1).font = Font(bold=True, size=16)
        sheet.cell(row=1, column=1).alignment = Alignment(horizontal="center")
        if columns > 1:
            sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=columns)
        sheet.row_dimensions[1].height = 30
        for col, label in enumerate(table.columns, 1):
            cell = put(sheet, 2, col, cell_text(label))
            cell.font = Font(bold=True)
            cell.border = border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        # Every body cell has one of two styles, built once on a cell outside the sheet and
        # copied as openpyxl's own copy_worksheet does. Setting border and alignment per cell
        # hashed style objects 400 000 times for a county's ledger (docs/benchmarks.md).
        styles = {}

        def style_for(value, sheet=sheet, styles=styles):
            is_date = isinstance(value, datetime.date)
            if is_date not in styles:
                scratch = Cell(sheet)
                scratch.border = border
                scratch.alignment = wrap
                if is_date:
                    scratch.number_format = "yyyy-mm-dd"
                styles[is_date] = scratch._style
            return styles[is_date]

        write_rows(sheet, 3, table.rows, style_for)
        for col in range(1, columns + 1):
            if table.widths:
                width = table.widths[col - 1]
            else:
                seen = [_width(table.columns[col - 1])] + [
                    _width(row[col - 1]) for row in table.rows
                ]
                width = min(max(seen) + 2, 50)
            sheet.column_dimensions[get_column_letter(col)].width = width
        print_setup(sheet, landscape=True, header_rows="1:2", freeze="A3")
    return workbook_bytes(workbook)


def default_template_path(kind: str):
    return TEMPLATE_DIR / f"{kind}.docx"


def template_for(office_id, kind):
    """The office's uploaded Word template for `kind`, else the bundled default (a path or
    an open file)."""
    if kind is None:
        return default_template_path("notice")
    if office_id:
        from .models import ReportTemplate

        custom = ReportTemplate.objects.filter(office_id=office_id, kind=kind).first()
        if custom is not None and custom.file:
            try:
                with custom.file.open("rb") as stored:
                    return io.BytesIO(stored.read())
            except OSError:
                pass  # a lost file falls back to the default rather than failing the download
    return default_template_path(kind)


def to_docx(report: Report, template) -> bytes:
    from docxtpl import DocxTemplate
    from jinja2.sandbox import SandboxedEnvironment

    # Offices upload their own templates: render them sandboxed, so a tag can read the
    # report's values but never reach Python internals.
    document = DocxTemplate(template)
    context = report.context()
    document.render(context, jinja_env=SandboxedEnvironment(autoescape=True))
    _docx_tables(document.docx, context)
    _docx_signature(document.docx, report)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def text_width(text: str) -> float:
    """The width of text in a document, in characters of its size: Chinese characters and
    full-width punctuation one, Latin letters and digits (Times New Roman) about half, and a
    quarter more where Latin meets Chinese (Word and LibreOffice space them apart:
    "2026年12月3日" is 6.5 characters of glyphs and about 8 on the page)."""
    width = 0.0
    previous = None
    for ch in text:
        wide = ord(ch) > 0x2E7F
        width += 1 if wide else 0.5
        if previous is not None and wide != previous and not ch.isspace():
            width += 0.25
        previous = wide
    return width


TABLE_CHAR_PT = 12  # 小4号, docx_defaults.TABLE_SIZE
CELL_PADDING_PT = 12  # Word's default cell margins (2 × 5.4 pt) and a little air
SHORT_COLUMN = 10  # characters: a column this narrow (names, dates, counts) never wraps


def column_widths(columns: list[str], rows: list[list[str]], usable_pt: float) -> list[float]:
    """Column widths (pt) from the content, for a table as wide as the text block.

    A short column (every cell at most SHORT_COLUMN characters: a name, a date, a count)
    starts as wide as its longest cell, so it never wraps; a long-text column starts at four
    characters. The width left is then handed out a character at a time to the column where
    it saves the most lines over the whole table (header included), and what saves nothing
    goes to the columns by their length. When even the starting widths do not fit (many
    columns), the columns are scaled by their length."""
    count = len(columns)
    table = [list(columns), *(list(row) for row in rows[:60])]
    widths_of = [[text_width(row[i]) if i < len(row) else 0 for i in range(count)] for row in table]
    longest = [max((w[i] for w in widths_of[1:]), default=0) for i in range(count)]
    natural = [max(longest[i], widths_of[0][i], 1) for i in range(count)]
    short = [longest[i] <= SHORT_COLUMN for i in range(count)]
    start = [math.ceil(max(longest[i], 2)) if short[i] else 4 for i in range(count)]

    def to_pt(chars):
        return chars * TABLE_CHAR_PT + CELL_PADDING_PT

    def lines(widths):
        return sum(
            max(math.ceil(w[i] / widths[i] - 1e-9) if w[i] else 1 for i in range(count))
            for w in widths_of
        )

    spare = int((usable_pt - sum(to_pt(c) for c in start)) // TABLE_CHAR_PT)
    if spare < 0:
        total = sum(to_pt(n) for n in natural)
        return [to_pt(n) * usable_pt / total for n in natural]
    widths = list(start)
    cost = lines(widths)
    while spare > 0:
        best = None  # (lines saved per character, characters, column)
        for i in range(count):
            if widths[i] >= math.ceil(natural[i]):
                continue
            for extra in range(1, min(spare, math.ceil(natural[i]) - widths[i]) + 1):
                trial = widths.copy()
                trial[i] += extra
                saved = cost - lines(trial)
                if saved > 0:
                    if best is None or saved / extra > best[0]:
                        best = (saved / extra, extra, i)
                    break
        if best is None:
            break
        _rate, extra, i = best
        widths[i] += extra
        spare -= extra
        cost = lines(widths)
    points = [to_pt(w) for w in widths]
    left = usable_pt - sum(points)
    receivers = [i for i in range(count) if not short[i]] or list(range(count))
    weight = sum(natural[i] for i in receivers)
    for i in receivers:
        points[i] += left * natural[i] / weight
    return points


def _is_figure(text: str) -> bool:
    return bool(re.fullmatch(r"[\d.,%≤≥<>=()（）\s—-]+", text or ""))


def _docx_tables(document, context: dict) -> None:
    """Every Word table's rows never split across pages and its header row repeats; the
    tables rendered from the report get column widths from their content (a template's
    table loop cannot: without them every column is as wide as the next, names and dates
    wrap and a short "No." column is a narrow strip), their header centred, figures
    centred. Widths are applied only when the template has one table for each of the
    report's tables."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    from .docx_defaults import row_properties

    for table in document.tables:
        for index, row in enumerate(table.rows):
            row_properties(row, header=index == 0)
    specs = [t for section in context["sections"] for t in section["tables"]]
    if len(specs) != len(document.tables):
        return
    page = document.sections[0]
    usable = (page.page_width - page.left_margin - page.right_margin) / 12700  # EMU → pt
    for spec, table in zip(specs, document.tables, strict=True):
        if len(spec["columns"]) != len(table.columns):
            continue
        widths = [Pt(w) for w in column_widths(spec["columns"], spec["rows"], usable)]
        table.autofit = False
        tbl_pr = table._tbl.tblPr
        layout = tbl_pr.find(qn("w:tblLayout"))
        if layout is None:
            layout = OxmlElement("w:tblLayout")
            tbl_pr.append(layout)
        layout.set(qn("w:type"), "fixed")
        tbl_w = tbl_pr.find(qn("w:tblW"))
        if tbl_w is None:
            tbl_w = OxmlElement("w:tblW")
            tbl_pr.append(tbl_w)
        tbl_w.set(qn("w:type"), "dxa")
        tbl_w.set(qn("w:w"), str(int(sum(widths) / 635)))  # EMU → twentieths of a point
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        for index, row in enumerate(table.rows):
            for cell, width in zip(row.cells, widths, strict=False):
                cell.width = width
                if index and _is_figure(cell.text):
                    for paragraph in cell.paragraphs:
                        paragraph.alignment = 1  # centred


def _docx_signature(document, report: Report) -> None:
    """GB/T 9704 with a seal: the date four characters in from the right, the office's name
    centred over the date (the template cannot know how long either is). Only a right-aligned
    paragraph holding exactly the office's name, followed by one holding the date, moves."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    from .docx_defaults import CHAR

    if not report.office or not report.date:
        return
    paragraphs = document.paragraphs
    for name, date in itertools.pairwise(paragraphs):
        if (
            name.text.strip() == report.office
            and date.text.strip() == report.date
            and name.alignment == WD_ALIGN_PARAGRAPH.RIGHT
            and date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
        ):
            date_indent = date.paragraph_format.right_indent or 0
            shift = (text_width(report.date) - text_width(report.office)) / 2
            name.paragraph_format.right_indent = max(0, int(date_indent + shift * CHAR))
            return


def render_html(report: Report) -> str:
    return render_to_string("reports/document.html", report.context())


def to_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    from dudao.signboards.boards import ensure_cjk_font

    ensure_cjk_font()
    return HTML(string=render_html(report)).write_pdf()
