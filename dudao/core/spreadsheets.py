"""The one spreadsheet reader and writer of the project (docs/architecture.md, "the spreadsheet
pipeline"). Nothing here touches the database or needs Django settings to be imported, so the
offline `dudao monitoring` command can use it.

Reading — `read_table(source, headers)`:

- XLSX (lxml over the first sheet's XML, about twice as quick as openpyxl's read-only mode) and,
  where the caller allows it, CSV in UTF-8 (with or without BOM) or GB18030 (Excel on Chinese
  Windows), comma or tab separated;
- the header row is the first non-blank row; headers are matched whatever their order, with
  spaces, line breaks (Alt+Enter) and a BOM ignored; missing, unknown and repeated headers
  refuse the file with their names;
- rows come back as (row number as Excel shows it, {key: raw value}); blank rows are skipped;
- cells: shared and inline strings, rich text, numbers (whole numbers as int), booleans, dates
  (numbers in a date format become `datetime`), error cells as their text ("#DIV/0!");
  formulas give their cached value, or with `formulas="refuse"` refuse the file naming the
  cell.

Anything that makes the whole file unusable raises `SheetError` (a message for the user and a
code for programs).

Writing — `build_workbook(columns, rows, ...)` for templates and re-importable exports (headers,
drop-downs, text and date columns, a 填写说明 sheet, widths, frozen header, A4 print setup), and
the primitives it is made of (`style_header`, `set_widths`, `add_dropdown`,
`add_instructions_sheet`, `print_setup`) for other layouts (result tables, reports).

Headers, help texts and drop-down values written into a file are Chinese: they are the file
format, never translated.
"""

from __future__ import annotations

import csv
import datetime
import io
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HELP_SHEET = "填写说明"
LISTS_SHEET = "选项"
DROPDOWN_ERROR = "请从下拉列表中选择。"

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
PARSER_OPTIONS = {"huge_tree": True, "resolve_entities": False, "no_network": True}
HEADER_NOISE = re.compile(r"[\s\ufeff]+")


def _(message: str) -> str:
    """gettext when a message is made (never at import); untranslated without settings (the
    offline `dudao monitoring` command)."""
    from django.conf import settings

    if not settings.configured:
        return message
    from django.utils.translation import gettext

    return gettext(message)


class SheetError(Exception):
    """The whole file is refused; `message` is for the user, `code` for programs."""

    def __init__(self, message: str, code: str = "file"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class Column:
    """One column of a template: its Chinese header (row 1, the file format) and its key."""

    header: str
    key: str
    required: bool = False
    width: int = 14
    help: str = ""  # Chinese help for the 填写说明 sheet
    choices: list[str] | None = None  # drop-down values
    list_name: str = ""  # a drop-down filled from a list given at writing (the 选项 sheet)
    text: bool = False  # keep as text (codes, phone numbers)
    date: bool = False
    unit: str = ""


# ---- reading: XLSX ------------------------------------------------------------------------------


def _column_index(letters: str, cache={}) -> int:  # noqa: B006 - a deliberate memo
    index = cache.get(letters)
    if index is None:
        index = 0
        for ch in letters:
            index = index * 26 + (ord(ch) - 64)
        index -= 1
        cache[letters] = index
    return index


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _first_sheet(zf: zipfile.ZipFile) -> str:
    from lxml import etree

    workbook = etree.fromstring(zf.read("xl/workbook.xml"))
    sheet = workbook.find(f"{NS}sheets/{NS}sheet")
    if sheet is None:
        raise ValueError("no sheets")
    rid = sheet.get(f"{REL_NS}id")
    rels = etree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{PKG_NS}Relationship"):
        if rel.get("Id") == rid:
            target = rel.get("Target")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    raise ValueError("sheet relationship missing")


def _text_of(node) -> str:
    """The text of an <si> or <is>: its <t>, or the <t> of each rich-text run (<r>), skipping
    phonetic runs (<rPh>)."""
    parts = []
    for child in node:
        if child.tag == f"{NS}t":
            parts.append(child.text or "")
        elif child.tag == f"{NS}r":
            t = child.find(f"{NS}t")
            if t is not None:
                parts.append(t.text or "")
    return "".join(parts)


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    from lxml import etree

    if "xl/sharedStrings.xml" not in zf.namelist():
        return []
    strings = []
    with zf.open("xl/sharedStrings.xml") as stream:
        for _event, si in etree.iterparse(stream, tag=f"{NS}si", **PARSER_OPTIONS):
            strings.append(_text_of(si))
            si.clear()
    return strings


DATE_FORMAT_IDS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57}
DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)


def _date_styles(zf: zipfile.ZipFile) -> set[int]:
    """The indexes of the cell formats (`s` attribute) that show a number as a date."""
    from lxml import etree

    if "xl/styles.xml" not in zf.namelist():
        return set()
    root = etree.fromstring(zf.read("xl/styles.xml"), etree.XMLParser(**PARSER_OPTIONS))
    custom = set()
    for fmt in root.iter(f"{NS}numFmt"):
        code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", fmt.get("formatCode") or "")
        if DATE_CODE.search(code) and "General" not in code:
            custom.add(int(fmt.get("numFmtId")))
    xfs = root.find(f"{NS}cellXfs")
    if xfs is None:
        return set()
    dates = set()
    for index, xf in enumerate(xfs.iter(f"{NS}xf")):
        fmt = int(xf.get("numFmtId") or 0)
        if fmt in DATE_FORMAT_IDS or fmt in custom:
            dates.add(index)
    return dates


def _number(text: str):
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def _excel_date(serial: float):
    value = datetime.datetime(1899, 12, 30) + datetime.timedelta(days=serial)  # noqa: DTZ001 - Excel dates are naive
    if serial < 61:  # Excel's 1900 leap-year bug
        value += datetime.timedelta(days=1)
    return value


def iter_rows(fileobj, *, formulas: str = "value") -> Iterator[tuple[int, list]]:
    """Yield (row number, [values]) for the first sheet of an .xlsx, in order; missing cells
    None. `formulas`: "value" gives the cached value (or the formula text "=…" when Excel
    stored none, so that it fails a number check instead of reading as blank); "refuse"
    raises SheetError naming the first cell with a formula."""
    with zipfile.ZipFile(fileobj) as zf:
        path = _first_sheet(zf)
        shared = _shared_strings(zf)
        dates = _date_styles(zf)
        xml = zf.read(path)
    yield from _iter_tree(xml, shared, dates, formulas)


def _iter_tree(xml: bytes, shared: list[str], dates: set[int], formulas: str):
    from lxml import etree

    root = etree.fromstring(xml, etree.XMLParser(**PARSER_OPTIONS))
    v_tag, f_tag, is_tag = f"{NS}v", f"{NS}f", f"{NS}is"
    expected = 0
    for row in root.iter(f"{NS}row"):
        number = int(row.get("r") or expected + 1)
        expected = number
        values = []
        for position, cell in enumerate(row):
            ref = cell.get("r")
            column = _column_index(ref.rstrip("0123456789")) if ref else position
            kind = cell.get("t")
            text = formula = inline = None
            for child in cell:
                tag = child.tag
                if tag == v_tag:
                    text = child.text
                elif tag == f_tag:
                    formula = child.text or ""
                elif tag == is_tag:
                    inline = child
            if formula is not None and formulas == "refuse":
                raise SheetError(
                    _(
                        "Cell %(cell)s holds a formula. Formulas are not imported: copy the "
                        "sheet and paste it as values (选择性粘贴 → 数值), then upload again."
                    )
                    % {"cell": ref or f"{_column_letters(column)}{number}"},
                    "formula",
                )
            if kind is None or kind == "n":
                value = _number(text) if text else None
                if value is not None and dates and int(cell.get("s") or 0) in dates:
                    value = _excel_date(value)
            elif kind == "s":
                value = shared[int(text)] if text is not None else None
            elif kind == "inlineStr":
                value = _text_of(inline) if inline is not None else None
            elif kind == "b":
                value = text == "1" if text is not None else None
            else:  # str, e (error), d (ISO date)
                value = text
            if value is None and formula is not None:
                value = "=" + formula
            if column >= len(values):
                values.extend([None] * (column - len(values) + 1))
            values[column] = value
        yield number, values


def estimate_rows(fileobj) -> int | None:
    """The data row count from the first sheet's stored dimension, cheaply; None when unknown,
    0 for a file that is not a workbook (checking it is quick: it is refused at once)."""
    from lxml import etree

    fileobj.seek(0)
    try:
        with zipfile.ZipFile(fileobj) as zf, zf.open(_first_sheet(zf)) as stream:
            for _event, node in etree.iterparse(stream, events=("start",), **PARSER_OPTIONS):
                if node.tag == f"{NS}dimension":
                    last = (node.get("ref") or "").rpartition(":")[2]
                    digits = last.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                    return max(0, int(digits) - 1) if digits.isdigit() else None
                if node.tag == f"{NS}sheetData":
                    return None
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError):
        return 0
    finally:
        fileobj.seek(0)
    return None


# ---- reading: CSV -------------------------------------------------------------------------------


def decode_csv(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetError(
        _("The CSV file is neither UTF-8 nor GB18030 (Excel on Chinese Windows) text."),
        "encoding",
    )


def iter_csv_rows(raw: bytes) -> Iterator[tuple[int, list]]:
    """(row number, values) of a CSV file; records are numbered as Excel shows them."""
    text = decode_csv(raw)
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return enumerate(reader, start=1)


# ---- reading: tables ----------------------------------------------------------------------------


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def is_blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def normalise_header(value) -> str:
    return HEADER_NOISE.sub("", cell_text(value))


def rows_from_matrix(numbered, headers: Sequence[str], keys: Sequence[str] | None = None):
    """(row number, {key: raw}) for each non-blank data row of `numbered` (row number, values),
    after checking the header row against `headers` (any order). `keys` name the values
    (default: the headers themselves)."""
    keys = list(keys or headers)
    iterator = iter(numbered)
    header_values = None
    for _number, values in iterator:
        if any(cell_text(v) for v in values):
            header_values = values
            break
    found = [normalise_header(v) for v in header_values or ()]
    positions: dict[str, int] = {}
    repeated, unknown = [], []
    for i, header in enumerate(found):
        if not header:
            continue
        if header in positions:
            repeated.append(header)
            continue
        positions[header] = i
        if header not in headers:
            unknown.append(header)
    if repeated:
        raise SheetError(
            _("These column headers appear more than once: %(headers)s.")
            % {"headers": "、".join(sorted(set(repeated)))},
            "duplicate_header",
        )
    missing = [h for h in headers if h not in positions]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("missing: %(headers)s") % {"headers": "、".join(missing)})
        if unknown:
            parts.append(_("unknown: %(headers)s") % {"headers": "、".join(unknown)})
        raise SheetError(
            _(
                "The first row must hold the template's column headers (%(problems)s). "
                "Download the template and copy your data into it."
            )
            % {"problems": "; ".join(parts)},
            "headers" if header_values is not None else "empty",
        )
    index = [(key, positions[h]) for h, key in zip(headers, keys, strict=True)]
    rows = []
    for number, values in iterator:
        width = len(values)
        record = {key: (values[i] if i < width else None) for key, i in index}
        if all(is_blank(v) for v in record.values()):
            continue
        rows.append((number, record))
    if not rows:
        raise SheetError(_("The sheet has headers but no data rows."), "no_rows")
    return rows


def _not_xlsx() -> SheetError:
    return SheetError(
        _(
            "This is not an Excel .xlsx file. Save it in Excel as "
            "“Excel Workbook (*.xlsx)” and upload it again."
        ),
        "not_xlsx",
    )


def read_table(
    source,
    headers: Sequence[str],
    *,
    keys: Sequence[str] | None = None,
    filename: str | None = None,
    allow_csv: bool = False,
    formulas: str = "value",
) -> list[tuple[int, dict]]:
    """The data rows of an XLSX (or, with `allow_csv`, CSV) file: [(row number, {key: raw})].
    `source` is a path, bytes or a binary file object (give `filename` for the type then)."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        filename = filename or path.name
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise SheetError(
                _("Cannot read %(name)s (%(error)s).") % {"name": path, "error": exc.strerror},
                "unreadable",
            ) from exc
    elif isinstance(source, bytes):
        raw = source
    else:
        source.seek(0)
        raw = source.read()
    name = (filename or "").lower()
    if zipfile.is_zipfile(io.BytesIO(raw)):
        try:
            return rows_from_matrix(iter_rows(io.BytesIO(raw), formulas=formulas), headers, keys)
        except (zipfile.BadZipFile, KeyError, IndexError, ValueError, SyntaxError) as exc:
            raise SheetError(
                _(
                    "The file could not be read as an Excel workbook (%(error)s). Save it in "
                    "Excel as “Excel Workbook (*.xlsx)” and upload it again."
                )
                % {"error": exc.__class__.__name__},
                "unreadable",
            ) from exc
    if name.endswith(".xls"):
        raise SheetError(
            _("Old .xls files cannot be read. Save it in Excel as “Excel Workbook (*.xlsx)”."),
            "xls",
        )
    if not allow_csv or name.endswith((".xlsx", ".xlsm")):
        raise _not_xlsx()
    return rows_from_matrix(iter_csv_rows(raw), headers, keys)


# ---- writing ------------------------------------------------------------------------------------


def _styles():
    from openpyxl.styles import Font, PatternFill

    return {
        "font": Font(bold=True, color="FFFFFF"),
        "fill": PatternFill("solid", fgColor="1F5A96"),
        "required": PatternFill("solid", fgColor="B23B2E"),
    }


def style_header(ws, row: int = 1, columns: int | None = None, *, plain=False, required=()):
    """Bold, centred, wrapped headers with a thin border. `plain`: black on light blue (result
    tables, reports); otherwise white on blue, with the `required` column numbers in red."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    styles = _styles()
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    columns = columns or ws.max_column
    for col in range(1, columns + 1):
        cell = ws.cell(row=row, column=col)
        if plain:
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDEBF7")
        else:
            cell.font = styles["font"]
            cell.fill = styles["required"] if col in required else styles["fill"]
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        cell.border = border


def set_widths(ws, widths: Iterable[float], start: int = 1) -> None:
    from openpyxl.utils import get_column_letter

    for col, width in enumerate(widths, start=start):
        if width:
            ws.column_dimensions[get_column_letter(col)].width = width


def add_dropdown(ws, ref: str, *, values: Sequence[str] = (), formula: str = "") -> None:
    """A list drop-down on `ref` ("C2:C2000"): `values` written into the rule (short lists)
    or `formula` pointing at a range (e.g. on the 选项 sheet)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    formula = formula or '"' + ",".join(values) + '"'
    dv = DataValidation(type="list", formula1=formula, allow_blank=True)
    dv.error = DROPDOWN_ERROR
    dv.showErrorMessage = True
    dv.add(ref)
    ws.add_data_validation(dv)


def print_setup(ws, *, landscape: bool = False, header_rows: str = "1:1", freeze: str = "A2"):
    """A4, fitted to the page width, the header rows repeated on every printed page."""
    from openpyxl.worksheet.page import PageMargins

    if freeze:
        ws.freeze_panes = freeze
    if header_rows:
        ws.print_title_rows = header_rows
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.print_options.horizontalCentered = True


def add_instructions_sheet(wb, columns: Sequence[Column], notes: Sequence[str] = (), *, intro=()):
    """The 填写说明 sheet, second in the workbook: `intro` lines, then one row per column
    (header, required or not, unit, help), then `notes`."""
    ws = wb.create_sheet(HELP_SHEET, 1)
    for line in intro:
        ws.append([line])
    if intro:
        ws.append([])
    ws.append(["列名", "是否必填", "单位", "说明"])
    header_row = ws.max_row
    style_header(ws, header_row, 4)
    for col in columns:
        ws.append([col.header, "必填" if col.required else "选填", col.unit, col.help])
    if notes:
        ws.append([])
    for note in notes:
        ws.append([note])
    set_widths(ws, [30, 10, 10, 90])
    print_setup(ws, header_rows=f"{header_row}:{header_row}", freeze=f"A{header_row + 1}")
    return ws


def build_workbook(
    columns: Sequence[Column],
    rows: Iterable[Sequence] = (),
    *,
    title: str = "数据",
    lists: dict[str, list[str]] | None = None,
    notes: Sequence[str] = (),
    intro: Sequence[str] = (),
    landscape: bool = True,
    spare_rows: int = 1000,
):
    """The template layout, also used by exports (so they can be imported again): headers,
    frozen first row, widths, drop-downs, text and date columns, the 填写说明 sheet, (hidden)
    the 选项 sheet with `lists`, and the print setup. Returns the openpyxl Workbook."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = lists or {}
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append([c.header for c in columns])
    style_header(ws, 1, len(columns), required={i for i, c in enumerate(columns, 1) if c.required})
    set_widths(ws, [c.width for c in columns])
    last_row = 1
    for values in rows:
        ws.append(list(values))
        last_row += 1
    max_row = max(last_row, spare_rows) + spare_rows
    list_ws = None
    for i, col in enumerate(columns, start=1):
        letter = get_column_letter(i)
        ref = f"{letter}2:{letter}{max_row}"
        if col.text or col.date:
            fmt = "@" if col.text else "yyyy-mm-dd"
            for (cell,) in ws.iter_rows(min_row=2, max_row=last_row, min_col=i, max_col=i):
                cell.number_format = fmt
            if col.text:
                ws.column_dimensions[letter].number_format = "@"
        if col.choices:
            add_dropdown(ws, ref, values=col.choices)
        elif col.list_name and lists.get(col.list_name):
            if list_ws is None:
                list_ws = wb.create_sheet(LISTS_SHEET)
                list_ws.sheet_state = "hidden"
            list_col = list(lists).index(col.list_name) + 1
            list_letter = get_column_letter(list_col)
            values = lists[col.list_name]
            list_ws.cell(row=1, column=list_col, value=col.header)
            for r, value in enumerate(values, start=2):
                list_ws.cell(row=r, column=list_col, value=value)
            add_dropdown(
                ws,
                ref,
                formula=f"'{LISTS_SHEET}'!${list_letter}$2:${list_letter}${len(values) + 1}",
            )
        elif col.date:
            dv = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
            dv.add(ref)
            ws.add_data_validation(dv)
    print_setup(ws, landscape=landscape)
    add_instructions_sheet(wb, columns, notes, intro=intro)
    return wb


def workbook_bytes(wb) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
