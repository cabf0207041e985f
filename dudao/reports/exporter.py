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

import copy
import datetime
import io
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
                            "rows": [[cell_text(v) for v in row] for row in t.rows],
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
    return Export(content, safe_filename(report.filename, fmt), CONTENT_TYPES[fmt])


# --- renderers ------------------------------------------------------------------------------


def _width(value) -> int:
    text = cell_text(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def to_xlsx(report: Report) -> bytes:
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    from dudao.core.spreadsheets import (
        new_workbook,
        print_setup,
        protect_cell,
        put,
        workbook_bytes,
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
        # Every body cell has one of two styles: built once, then copied as openpyxl's own
        # copy_worksheet does. Setting border and alignment per cell hashed style objects
        # 400 000 times for a county's ledger (5.9 of its 7 s; docs/benchmarks.md).
        body_style = date_style = None
        for r, row in enumerate(table.rows, 3):
            for col, value in enumerate(row, 1):
                cell = put(sheet, r, col, value)
                is_date = isinstance(value, datetime.date)
                template = date_style if is_date else body_style
                if template is None:
                    cell.border = border
                    cell.alignment = wrap
                    if is_date:
                        cell.number_format = "yyyy-mm-dd"
                        date_style = copy.copy(cell._style)
                        date_style.quotePrefix = 0  # per cell, by protect_cell
                    else:
                        body_style = copy.copy(cell._style)
                        body_style.quotePrefix = 0
                else:
                    cell._style = copy.copy(template)
                protect_cell(cell)  # again: the copied style replaced its quote prefix
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
    document.render(report.context(), jinja_env=SandboxedEnvironment(autoescape=True))
    _docx_column_widths(document.docx, report)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _docx_column_widths(document, report: Report) -> None:
    """Give the Word tables the report's relative column widths (a template's table loop
    cannot): without them every column is as wide as the next, and a short "No." column
    squeezes the problem text into a narrow strip. Applied only when the template has one
    table for each of the report's tables."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    specs = [table for section in report.sections for table in section.tables]
    if len(specs) != len(document.tables):
        return
    page = document.sections[0]
    usable = page.page_width - page.left_margin - page.right_margin
    for spec, table in zip(specs, document.tables, strict=True):
        if not spec.widths or len(spec.widths) != len(table.columns):
            continue
        table.autofit = False
        layout = OxmlElement("w:tblLayout")
        layout.set(qn("w:type"), "fixed")
        table._tbl.tblPr.append(layout)
        total = sum(spec.widths)
        widths = [int(usable * w / total) for w in spec.widths]
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=False):
                cell.width = width


def render_html(report: Report) -> str:
    return render_to_string("reports/document.html", report.context())


def to_pdf(report: Report) -> bytes:
    from weasyprint import HTML

    from dudao.signboards.boards import ensure_cjk_font

    ensure_cjk_font()
    return HTML(string=render_html(report)).write_pdf()
