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

Uploads are hostile until read: `Limits` (Django settings IMPORT_MAX_BYTES and SPREADSHEET_*,
defaults without settings) bound what a file may be. An XLSX's zip directory is checked before
anything is unpacked (`check_archive`: entries, each part's and the total unpacked size, the
compression ratio); its parts are streamed through lxml parser targets, which build no tree,
and the reader stops at the first value beyond the rows or columns, a text longer than a cell
may hold, too many shared strings or too much text in all. It reads to the last row of data,
whatever the sheet's <dimension> says. `read_cost` and `estimate_rows` tell cheaply whether a
file is small enough to be read inside a request.

Writing — `build_workbook(columns, rows, ...)` for templates and re-importable exports (headers,
drop-downs, text and date columns, a 填写说明 sheet, widths, frozen header, A4 print setup), and
the primitives it is made of (`new_workbook`, `put`, `append`, `style_header`, `set_widths`,
`add_dropdown`, `add_instructions_sheet`, `print_setup`) for other layouts (result tables,
reports). Every workbook is made here and saved by its `save()` or `workbook_bytes()`, which
store every text as text (`protect`): a value such as =HYPERLINK(…) is never a formula.

Headers, help texts and drop-down values written into a file are Chinese: they are the file
format, never translated.
"""

from __future__ import annotations

import csv
import dataclasses
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
# Element names as the parser targets receive them (compared on every event).
TAG_SHEET = f"{NS}sheet"
TAG_T = f"{NS}t"
TAG_RPH = f"{NS}rPh"
TAG_SI = f"{NS}si"
TAG_NUMFMT = f"{NS}numFmt"
TAG_CELLXFS = f"{NS}cellXfs"
TAG_XF = f"{NS}xf"
TAG_C = f"{NS}c"
TAG_ROW = f"{NS}row"
TAG_V = f"{NS}v"
TAG_F = f"{NS}f"
TAG_IS = f"{NS}is"
TAG_SHEETDATA = f"{NS}sheetData"
# No huge_tree: libxml2 keeps its own limits (a text node of 10 MB, nesting 256 deep).
PARSER_OPTIONS = {"resolve_entities": False, "no_network": True}
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


# ---- limits -------------------------------------------------------------------------------------

MB = 1024 * 1024
CELL_MAX_CHARS = 32_767  # Excel's own limit for the text of a cell
RATIO_FLOOR = 1 * MB  # parts smaller than this are not checked for their compression ratio


@dataclass(frozen=True)
class Limits:
    """What an uploaded spreadsheet may be (docs/deployment.md, "Upload limits"). Each field is
    a Django setting (`SETTINGS`); without settings (the offline command) the defaults hold."""

    file_bytes: int = 10 * MB  # the upload itself (IMPORT_MAX_BYTES)
    uncompressed_bytes: int = 100 * MB  # all the parts of an XLSX, unpacked
    ratio: int = 100  # unpacked / packed size of any part of 1 MB or more
    entries: int = 200  # files inside an XLSX
    sheet_bytes: int = 50 * MB  # one worksheet, unpacked
    part_bytes: int = 20 * MB  # any other part (shared strings, styles, ...), unpacked
    rows: int = 100_000  # the last row with data (and the number of rows with data)
    columns: int = 200  # the last column with data
    shared_strings: int = 1_000_000  # distinct texts of an XLSX
    text_chars: int = 50_000_000  # characters of text in all the cells read, repeats counted


SETTINGS = {
    "file_bytes": "IMPORT_MAX_BYTES",
    "uncompressed_bytes": "SPREADSHEET_MAX_UNCOMPRESSED_BYTES",
    "ratio": "SPREADSHEET_MAX_RATIO",
    "entries": "SPREADSHEET_MAX_ENTRIES",
    "sheet_bytes": "SPREADSHEET_MAX_SHEET_BYTES",
    "part_bytes": "SPREADSHEET_MAX_PART_BYTES",
    "rows": "SPREADSHEET_MAX_ROWS",
    "columns": "SPREADSHEET_MAX_COLUMNS",
    "shared_strings": "SPREADSHEET_MAX_SHARED_STRINGS",
    "text_chars": "SPREADSHEET_MAX_TEXT_CHARS",
}


def limits() -> Limits:
    """The limits in force: the Django settings where they are configured, else the defaults."""
    from django.conf import settings

    if not settings.configured:
        return Limits()
    defaults = Limits()
    return Limits(
        **{
            field: getattr(settings, name, getattr(defaults, field))
            for field, name in SETTINGS.items()
        }
    )


def _mb(size: int) -> str:
    return f"{size / MB:.1f}"


def file_too_large(size: int, limit: int) -> SheetError:
    return SheetError(
        _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.")
        % {"size": _mb(size), "limit": f"{limit / MB:.0f}"},
        "size",
    )


def _split_files() -> str:
    return _("Split the data into smaller files.")


# ---- reading: XLSX ------------------------------------------------------------------------------


BEYOND = 16_384  # the column index of a reference no sheet can have (Excel stops at XFD)


def _column_index(letters: str, cache={}) -> int:  # noqa: B006 - a deliberate memo
    """The 0-based column of a reference's letters ("A" → 0); BEYOND for more than three
    letters or anything else than A-Z."""
    index = cache.get(letters)
    if index is None:
        if len(letters) > 3 or not (letters.isascii() and letters.isalpha()):
            return BEYOND
        index = 0
        for ch in letters.upper():
            index = index * 26 + (ord(ch) - 64)
        index -= 1
        if len(cache) < 20_000:
            cache[letters] = index
    return index


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _is_worksheet(name: str) -> bool:
    return name.startswith("xl/worksheets/") and name.endswith(".xml")


def check_archive(zf: zipfile.ZipFile, lim: Limits | None = None) -> int:
    """Refuse a workbook before anything in it is unpacked: too many entries, an entry or all of
    them unpacking beyond the limits, a part compressed beyond the ratio (zip bombs). The sizes
    are the archive's own; Python's zipfile never unpacks more than an entry declares. Returns
    the unpacked size of all the entries."""
    lim = lim or limits()
    infos = zf.infolist()
    if len(infos) > lim.entries:
        raise SheetError(
            _(
                "The workbook holds %(count)s files inside; the limit is %(limit)s. Copy the "
                "data into a new workbook (the template) and upload that."
            )
            % {"count": len(infos), "limit": lim.entries},
            "entries",
        )
    total = 0
    for info in infos:
        size = info.file_size
        limit = lim.sheet_bytes if _is_worksheet(info.filename) else lim.part_bytes
        if size > limit:
            raise SheetError(
                _(
                    "The workbook's part %(part)s unpacks to %(size)s MB; the limit is "
                    "%(limit)s MB. %(advice)s"
                )
                % {
                    "part": info.filename,
                    "size": _mb(size),
                    "limit": f"{limit / MB:.0f}",
                    "advice": _split_files(),
                },
                "part_size",
            )
        if size >= RATIO_FLOOR and size > lim.ratio * max(info.compress_size, 1):
            raise SheetError(
                _(
                    "The workbook's part %(part)s is compressed %(ratio)s times; the limit is "
                    "%(limit)s. Excel does not make such files: copy the data into a new "
                    "workbook (the template) and upload that."
                )
                % {
                    "part": info.filename,
                    "ratio": size // max(info.compress_size, 1),
                    "limit": lim.ratio,
                },
                "ratio",
            )
        total += size
    if total > lim.uncompressed_bytes:
        raise SheetError(
            _("The workbook unpacks to %(size)s MB; the limit is %(limit)s MB. %(advice)s")
            % {
                "size": _mb(total),
                "limit": f"{lim.uncompressed_bytes / MB:.0f}",
                "advice": _split_files(),
            },
            "uncompressed_size",
        )
    return total


# The parts are parsed with lxml parser targets (SAX-like callbacks): no tree is ever built, so
# the memory a part takes does not depend on what its XML holds (many elements, deep nesting);
# only what is kept (shared strings, the rows read) counts, and that is bounded by the limits.

CHUNK = 64 * 1024


class _Stop(Exception):
    """A target has what it needs: the rest of the part is not parsed."""


def _parse(stream, target):
    """Feed a part to `target` in chunks; yield what `target.take()` returns after each (the
    rows finished so far, for the sheet)."""
    from lxml import etree

    parser = etree.XMLParser(target=target, **PARSER_OPTIONS)
    try:
        while chunk := stream.read(CHUNK):
            parser.feed(chunk)
            yield from target.take()
        parser.close()
    except _Stop:
        pass
    yield from target.take()


def _run(stream, target):
    for _item in _parse(stream, target):
        pass
    return target


class _Target:
    def start(self, tag, attrib):
        pass

    def end(self, tag):
        pass

    def data(self, text):
        pass

    def close(self):
        return None

    def take(self):
        return ()


class _FirstSheet(_Target):
    rid = None

    def start(self, tag, attrib):
        if tag == TAG_SHEET:
            self.rid = attrib.get(f"{REL_NS}id")
            raise _Stop


class _SheetNames(_Target):
    def __init__(self):
        self.names = []

    def start(self, tag, attrib):
        if tag == TAG_SHEET:
            self.names.append(attrib.get("name") or "")


def sheet_names(source) -> list[str]:
    """The sheet names of an .xlsx in tab order: `read_table` reads the first. [] for a CSV
    or a file that is not a readable workbook (reading it says why). Only the checked zip
    directory and xl/workbook.xml are read."""
    lim = limits()
    try:
        raw = _raw(source, lim)
        if not zipfile.is_zipfile(io.BytesIO(raw)):
            return []
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            check_archive(zf, lim)
            with zf.open("xl/workbook.xml") as stream:
                return _run(stream, _SheetNames()).names
    except (SheetError, zipfile.BadZipFile, KeyError, ValueError, SyntaxError):
        return []


class _Relationship(_Target):
    def __init__(self, rid):
        self.rid, self.target = rid, None

    def start(self, tag, attrib):
        if tag == f"{PKG_NS}Relationship" and attrib.get("Id") == self.rid:
            self.target = attrib.get("Target") or ""
            raise _Stop


def _first_sheet(zf: zipfile.ZipFile) -> str:
    with zf.open("xl/workbook.xml") as stream:
        rid = _run(stream, _FirstSheet()).rid
    if rid is None:
        raise ValueError("no sheets")
    with zf.open("xl/_rels/workbook.xml.rels") as stream:
        target = _run(stream, _Relationship(rid)).target
    if target is None:
        raise ValueError("sheet relationship missing")
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join("xl", target))


def _too_long(where: str, length: int) -> SheetError:
    return SheetError(
        _("%(cell)s holds %(count)s characters; a cell may hold at most %(limit)s.")
        % {"cell": where, "count": f"{length:,}", "limit": f"{CELL_MAX_CHARS:,}"},
        "cell_size",
    )


class _Text:
    """The text of an <si> or <is>: its <t>, or the <t> of each rich-text run (<r>), skipping
    phonetic runs (<rPh>); refused beyond what a cell may hold while it is read."""

    def __init__(self, where):
        self.where, self.parts, self.length, self.phonetic, self.collecting = where, [], 0, 0, 0

    def start(self, tag):
        if tag == TAG_T and not self.phonetic:
            self.collecting += 1
        elif tag == TAG_RPH:
            self.phonetic += 1

    def end(self, tag):
        if tag == TAG_T and self.collecting:
            self.collecting -= 1
        elif tag == TAG_RPH:
            self.phonetic -= 1

    def data(self, text):
        if self.collecting:
            self.length += len(text)
            if self.length > CELL_MAX_CHARS:
                raise _too_long(self.where(), self.length)
            self.parts.append(text)

    def value(self) -> str:
        return "".join(self.parts)


class _SharedStrings(_Target):
    """The texts of sharedStrings.xml as `_Text` reads one, inlined: this runs per string."""

    def __init__(self, lim: Limits):
        self.lim, self.strings, self.parts = lim, [], None
        self.length = self.phonetic = self.collecting = 0

    def start(self, tag, attrib):
        if tag == TAG_T:
            if self.parts is not None and not self.phonetic:
                self.collecting += 1
        elif tag == TAG_SI:
            self.parts, self.length, self.phonetic, self.collecting = [], 0, 0, 0
        elif tag == TAG_RPH:
            self.phonetic += 1

    def data(self, text):
        if self.collecting:
            self.length += len(text)
            if self.length > CELL_MAX_CHARS:
                where = _("Shared text %(number)s") % {"number": len(self.strings)}
                raise _too_long(where, self.length)
            self.parts.append(text)

    def end(self, tag):
        if tag == TAG_T:
            if self.collecting:
                self.collecting -= 1
        elif tag == TAG_SI:
            parts = self.parts or ()
            self.strings.append(parts[0] if len(parts) == 1 else "".join(parts))
            self.parts, self.collecting = None, 0
            if len(self.strings) > self.lim.shared_strings:
                raise SheetError(
                    _("The workbook holds more than %(limit)s different texts. %(advice)s")
                    % {"limit": f"{self.lim.shared_strings:,}", "advice": _split_files()},
                    "shared_strings",
                )
        elif tag == TAG_RPH:
            self.phonetic -= 1


def _shared_strings(zf: zipfile.ZipFile, lim: Limits) -> list[str]:
    """The shared strings, streamed: at most `lim.shared_strings` of them, none longer than a
    cell may be; the part itself is bounded by the archive check."""
    if "xl/sharedStrings.xml" not in zf.namelist():
        return []
    with zf.open("xl/sharedStrings.xml") as stream:
        return _run(stream, _SharedStrings(lim)).strings


DATE_FORMAT_IDS = {14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 30, 36, 45, 46, 47, 50, 57}
DATE_CODE = re.compile(r"[dmyhs]", re.IGNORECASE)


class _Styles(_Target):
    def __init__(self):
        self.custom, self.formats, self.depth = set(), [], 0

    def start(self, tag, attrib):
        if tag == TAG_NUMFMT:
            code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", attrib.get("formatCode") or "")
            if DATE_CODE.search(code) and "General" not in code:
                self.custom.add(int(attrib.get("numFmtId")))
        elif tag == TAG_CELLXFS:
            self.depth = 1
        elif self.depth:
            self.depth += 1
            if tag == TAG_XF and self.depth == 2:
                self.formats.append(int(attrib.get("numFmtId") or 0))

    def end(self, tag):
        if self.depth:
            self.depth -= 1


def _date_styles(zf: zipfile.ZipFile) -> set[int]:
    """The indexes of the cell formats (`s` attribute) that show a number as a date."""
    if "xl/styles.xml" not in zf.namelist():
        return set()
    with zf.open("xl/styles.xml") as stream:
        styles = _run(stream, _Styles())
    return {
        i for i, fmt in enumerate(styles.formats) if fmt in DATE_FORMAT_IDS or fmt in styles.custom
    }


def _number(text: str):
    value = float(text)
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def _excel_date(serial: float):
    value = datetime.datetime(1899, 12, 30) + datetime.timedelta(days=serial)  # noqa: DTZ001 - Excel dates are naive
    if serial < 61:  # Excel's 1900 leap-year bug
        value += datetime.timedelta(days=1)
    return value


def _beyond_rows(row: int, lim: Limits) -> SheetError:
    return SheetError(
        _("Row %(row)s is beyond the limit of %(limit)s rows. %(advice)s")
        % {"row": f"{row:,}", "limit": f"{lim.rows:,}", "advice": _split_files()},
        "rows",
    )


def _beyond_columns(cell: str, lim: Limits) -> SheetError:
    return SheetError(
        _(
            "Cell %(cell)s is beyond the limit of %(limit)s columns (the last is column "
            "%(last)s). Delete the columns to the right of the data and upload again."
        )
        % {"cell": cell, "limit": lim.columns, "last": _column_letters(lim.columns - 1)},
        "columns",
    )


def _too_much_text(lim: Limits) -> SheetError:
    return SheetError(
        _("The sheet holds more than %(limit)s characters of text in all. %(advice)s")
        % {"limit": f"{lim.text_chars:,}", "advice": _split_files()},
        "text_size",
    )


def iter_rows(fileobj, *, formulas: str = "value", lim: Limits | None = None):
    """Yield (row number, [values]) for the first sheet of an .xlsx, in order, to the last row
    of data whatever its <dimension> says; missing cells None. The archive is checked first
    (`check_archive`), then the shared strings, styles and the sheet are streamed: a value
    beyond `lim.rows` or `lim.columns`, a text longer than a cell may hold or more text in all
    than `lim.text_chars` raises SheetError as soon as it is met. `formulas`: "value" gives
    the cached value (or the formula text "=…" when Excel stored none, so that it fails a
    number check instead of reading as blank); "refuse" raises SheetError naming the first
    cell with a formula."""
    lim = lim or limits()
    with zipfile.ZipFile(fileobj) as zf:
        check_archive(zf, lim)
        path = _first_sheet(zf)
        shared = _shared_strings(zf, lim)
        dates = _date_styles(zf)
        with zf.open(path) as stream:
            yield from _parse(stream, _Sheet(shared, dates, formulas, lim))


class _Sheet(_Target):
    """The rows of a worksheet as they are parsed (`take()` hands over the finished ones)."""

    def __init__(self, shared: list[str], dates: set[int], formulas: str, lim: Limits):
        self.shared, self.dates, self.formulas, self.lim = shared, dates, formulas, lim
        self.number = self.expected = self.filled = self.chars = self.position = 0
        self.values: list = []
        self.ready: list = []
        self.cell = None  # (ref, type, style) of the cell being read
        self.buffer = None  # the text of the <v> or <f> being read
        self.length = 0
        self.text = self.formula = self.inline = None

    def take(self):
        ready, self.ready = self.ready, []
        return ready

    def _where(self):
        ref = self.cell[0] if self.cell else None
        return ref or f"{_column_letters(min(self.position, 16383))}{self.number}"

    def start(self, tag, attrib):
        if tag == TAG_C:
            self.cell = (attrib.get("r"), attrib.get("t"), attrib.get("s"))
            self.text = self.formula = self.inline = None
        elif self.cell is None:
            if tag == TAG_ROW:
                r = attrib.get("r")
                if r and r.isdigit():
                    self.number = int(r) if len(r) < 16 else 10**15
                else:
                    self.number = self.expected + 1
                self.values, self.position = [], 0
        elif self.inline is not None:
            self.inline.start(tag)
        elif tag in (TAG_V, TAG_F):
            self.buffer, self.length = [], 0
        elif tag == TAG_IS:
            self.inline = _Text(lambda: _("Cell %(cell)s") % {"cell": self._where()})

    def data(self, text):
        if self.buffer is not None:
            self.length += len(text)
            if self.length > CELL_MAX_CHARS:
                raise _too_long(_("Cell %(cell)s") % {"cell": self._where()}, self.length)
            self.buffer.append(text)
        elif self.inline is not None:
            self.inline.data(text)

    def end(self, tag):
        if tag == TAG_C:
            self._cell()
            self.cell = None
        elif self.cell is not None:
            if tag == TAG_V:
                self.text, self.buffer = "".join(self.buffer or ()), None
            elif tag == TAG_F:
                self.formula, self.buffer = "".join(self.buffer or ()), None
            elif self.inline is not None and tag != TAG_IS:
                self.inline.end(tag)
        elif tag == TAG_ROW:
            self.expected = self.number
            if self.values:
                self.filled += 1
                if self.filled > self.lim.rows:
                    raise _beyond_rows(self.number, self.lim)
            self.ready.append((self.number, self.values))
            self.values = []
        elif tag == TAG_SHEETDATA:
            raise _Stop

    def _cell(self):
        ref, kind, style = self.cell
        lim, number = self.lim, self.number
        letters = ref.rstrip("0123456789") if ref else ""
        column = _column_index(letters) if letters else self.position
        self.position = column + 1
        text, formula = self.text, self.formula
        where = ref or f"{_column_letters(min(column, BEYOND - 1))}{number}"
        if formula is not None and self.formulas == "refuse":
            raise SheetError(
                _(
                    "Cell %(cell)s holds a formula. Formulas are not imported: copy the "
                    "sheet and paste it as values (选择性粘贴 → 数值), then upload again."
                )
                % {"cell": where},
                "formula",
            )
        if kind is None or kind == "n":
            value = _number(text) if text else None
            if value is not None and self.dates and int(style or 0) in self.dates:
                value = _excel_date(value)
        elif kind == "s":
            value = self.shared[int(text)] if text else None
        elif kind == "inlineStr":
            value = self.inline.value() if self.inline is not None else None
        elif kind == "b":
            value = text == "1" if text is not None else None
        else:  # str, e (error), d (ISO date)
            value = text
        if value is None and formula is not None:
            value = "=" + formula
        self.inline = None
        if value is None or value == "":
            return  # an empty (styled) cell, wherever it is, holds no data
        if column >= lim.columns:
            raise _beyond_columns(where, lim)
        if number > lim.rows:
            raise _beyond_rows(number, lim)
        if isinstance(value, str):
            if len(value) > CELL_MAX_CHARS:
                raise _too_long(_("Cell %(cell)s") % {"cell": where}, len(value))
            self.chars += len(value)
            if self.chars > lim.text_chars:
                raise _too_much_text(lim)
        values = self.values
        if column >= len(values):
            values.extend([None] * (column - len(values) + 1))
        values[column] = value


def _xlsx_parts(zf: zipfile.ZipFile) -> int:
    """The unpacked bytes a full read parses: the first sheet, shared strings and styles."""
    names = {"xl/workbook.xml", "xl/sharedStrings.xml", "xl/styles.xml", _first_sheet(zf)}
    return sum(info.file_size for info in zf.infolist() if info.filename in names)


def read_cost(source) -> int:
    """What reading the whole file costs, cheaply (the archive's directory only): the unpacked
    bytes of the parts to parse for an XLSX, the size of any other file. The archive is
    checked first (SheetError). For deciding whether a file may be read inside a request."""
    raw = _raw(source, limits())
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        return len(raw)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            check_archive(zf)
            return _xlsx_parts(zf)
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError):
        return 0  # refused at once when it is read


class _RowCount(_Target):
    def __init__(self):
        self.count, self.counted = 0, True

    def start(self, tag, attrib):
        if tag == TAG_ROW:
            self.counted = False
        elif tag == TAG_C and not self.counted:
            self.count += 1
            self.counted = True

    def end(self, tag):
        if tag == TAG_SHEETDATA:
            raise _Stop


def estimate_rows(source) -> int:
    """The number of rows after the header, counted without reading any value (call it only
    for a file whose `read_cost` is small): the rows with cells of an XLSX, whatever its
    <dimension> says, or the lines of any other file; 0 for a file that cannot be a workbook
    (refused at once when it is read)."""
    raw = _raw(source, limits())
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        lines = raw.count(b"\n") + (0 if raw.endswith(b"\n") or not raw else 1)
        return max(0, lines - 1)
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            check_archive(zf)
            with zf.open(_first_sheet(zf)) as stream:
                count = _run(stream, _RowCount()).count
    except (zipfile.BadZipFile, KeyError, ValueError, SyntaxError):
        return 0
    return max(0, count - 1)


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


def iter_csv_rows(raw: bytes, lim: Limits | None = None) -> Iterator[tuple[int, list]]:
    """(row number, values) of a CSV file; records are numbered as Excel shows them. Refused:
    a file over `lim.file_bytes` (before decoding), a NUL character (not text: UTF-16), a
    record beyond `lim.rows` or with data beyond `lim.columns`, a field longer than a cell may
    hold, more text in all than `lim.text_chars`."""
    lim = lim or limits()
    if len(raw) > lim.file_bytes:
        raise file_too_large(len(raw), lim.file_bytes)
    text = decode_csv(raw)
    nul = text.find("\x00")
    if nul >= 0:
        raise SheetError(
            _(
                "Line %(line)s holds a NUL character: this is not a CSV text file (a "
                "“Unicode text” file is UTF-16). Save it as “CSV UTF-8” and upload it again."
            )
            % {"line": text.count("\n", 0, nul) + 1},
            "encoding",
        )
    sample = text[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    del text
    return _csv_records(reader, lim)


def _csv_records(reader, lim: Limits):
    chars = number = 0
    try:
        for number, record in enumerate(reader, start=1):
            width = len(record)
            while width and not record[width - 1]:
                width -= 1
            if not width:
                yield number, []
                continue
            if width > lim.columns:
                raise SheetError(
                    _(
                        "Row %(row)s has data in %(count)s columns; the limit is %(limit)s. "
                        "Delete the columns to the right of the data and upload again."
                    )
                    % {"row": number, "count": width, "limit": lim.columns},
                    "columns",
                )
            if number > lim.rows:
                raise _beyond_rows(number, lim)
            for i in range(width):
                length = len(record[i])
                if length > CELL_MAX_CHARS:
                    raise _too_long(
                        _("Cell %(cell)s") % {"cell": f"{_column_letters(i)}{number}"}, length
                    )
                chars += length
            if chars > lim.text_chars:
                raise _too_much_text(lim)
            yield number, record[:width]
    except csv.Error as exc:
        raise SheetError(
            _("Row %(row)s could not be read as CSV (%(error)s).")
            % {"row": number + 1, "error": exc},
            "csv",
        ) from exc


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
    # Short texts repeat (types, yes/no, small figures in a CSV): one object for each, which
    # keeps a large table's memory near the size of its distinct values.
    seen: dict[str, str] = {}
    for number, values in iterator:
        width = len(values)
        record = {}
        blank = True
        for key, i in index:
            value = values[i] if i < width else None
            if type(value) is str and len(value) <= 32 and len(seen) < 200_000:
                value = seen.setdefault(value, value)
            record[key] = value
            if blank and not is_blank(value):
                blank = False
        if not blank:
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


def _raw(source, lim: Limits) -> bytes:
    """The bytes of a path, bytes or a binary file object, refused over `lim.file_bytes`
    before they are read."""
    if isinstance(source, (str, Path)):
        path = Path(source)
        try:
            size = path.stat().st_size
            if size > lim.file_bytes:
                raise file_too_large(size, lim.file_bytes)
            return path.read_bytes()
        except OSError as exc:
            raise SheetError(
                _("Cannot read %(name)s (%(error)s).") % {"name": path, "error": exc.strerror},
                "unreadable",
            ) from exc
    if isinstance(source, bytes):
        raw = source
    else:
        source.seek(0)
        raw = source.read(lim.file_bytes + 1)
        if len(raw) > lim.file_bytes:
            source.seek(0, io.SEEK_END)
            raise file_too_large(source.tell(), lim.file_bytes)
        source.seek(0)
    if len(raw) > lim.file_bytes:
        raise file_too_large(len(raw), lim.file_bytes)
    return raw


def read_table(
    source,
    headers: Sequence[str],
    *,
    keys: Sequence[str] | None = None,
    filename: str | None = None,
    allow_csv: bool = False,
    formulas: str = "value",
    max_rows: int | None = None,
) -> list[tuple[int, dict]]:
    """The data rows of an XLSX (or, with `allow_csv`, CSV) file: [(row number, {key: raw})].
    `source` is a path, bytes or a binary file object (give `filename` for the type then).
    Every limit of `limits()` applies (SheetError naming it); `max_rows` lowers the row limit
    for this table."""
    lim = limits()
    if max_rows is not None and max_rows < lim.rows:
        lim = dataclasses.replace(lim, rows=max_rows)
    if isinstance(source, (str, Path)):
        filename = filename or Path(source).name
    raw = _raw(source, lim)
    name = (filename or "").lower()
    if zipfile.is_zipfile(io.BytesIO(raw)):
        try:
            return rows_from_matrix(
                iter_rows(io.BytesIO(raw), formulas=formulas, lim=lim), headers, keys
            )
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
    return rows_from_matrix(iter_csv_rows(raw, lim), headers, keys)


# ---- writing ------------------------------------------------------------------------------------
# Every workbook the project writes is made by `new_workbook()` (or `build_workbook`) and saved
# by its `save()` or `workbook_bytes()`: saving stores every text as text (`protect`), so a
# value from the database such as =HYPERLINK(…) is never a formula in Excel, WPS or
# LibreOffice, and reads back as the same text. `put` and `append` write values with the
# characters XML cannot hold removed (openpyxl refuses them).

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
LEADING_SPACE = " \u00a0\u3000\n"
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010\013\014\016-\037]")


def looks_like_formula(text: str) -> bool:
    """A text a spreadsheet program may take for a formula when it is typed or opened: it
    begins, after any spaces, with = + - @, a tab or a carriage return."""
    return text[:1] in ("\t", "\r") or text.lstrip(LEADING_SPACE)[:1] in FORMULA_STARTS


def clean(value):
    """A value as a cell may hold it: texts without the control characters XML cannot hold."""
    if isinstance(value, str) and ILLEGAL_CHARACTERS.search(value):
        return ILLEGAL_CHARACTERS.sub("", value)
    return value


def protect_cell(cell) -> None:
    """A text stays text: never a formula or an error cell; one that looks like a formula is
    stored as a string with the quote prefix (as if typed with a leading apostrophe, which is
    not part of the text), so Excel, WPS and LibreOffice show it and keep it as it is."""
    value = cell._value
    if not isinstance(value, str):
        return
    if cell.data_type in ("f", "e"):
        cell.data_type = "s"
    if cell.data_type == "s" and looks_like_formula(value):
        cell.quotePrefix = True


def protect(wb) -> None:
    for ws in wb.worksheets:
        for cell in ws._cells.values():
            protect_cell(cell)


def put(ws, row: int, column: int, value=None):
    """Write one cell (text stays text); returns the cell."""
    cell = ws.cell(row=row, column=column)
    cell.value = clean(value)
    protect_cell(cell)
    return cell


def append(ws, values: Iterable) -> None:
    """Write a row after the last one (text stays text)."""
    row = [clean(value) for value in values]
    ws.append(row)
    number = ws._current_row
    for column in range(1, len(row) + 1):
        cell = ws._cells.get((number, column))
        if cell is not None:
            protect_cell(cell)


def write_rows(ws, first_row: int, rows: Iterable[Sequence], style_for) -> None:
    """Write `rows` from `first_row` down, as `put` writes each cell (text stays text, the
    characters XML cannot hold removed), each cell with a copy of the openpyxl `StyleArray`
    that `style_for(value)` gives. The way for long tables: a county's ledger export is
    140 000 cells, and `put` (find or make the cell, bind the value, look at it twice) cost
    twice as much (issue 10; docs/benchmarks.md)."""
    import copy

    from openpyxl.cell.cell import Cell

    cells = ws._cells
    for number, row in enumerate(rows, first_row):
        for column, value in enumerate(row, 1):
            style = copy.copy(style_for(value))
            if isinstance(value, str):
                text = clean(value)[:32767]  # Excel's longest text, as openpyxl cuts it
                cell = Cell(ws, row=number, column=column, style_array=style)
                cell._value = text
                cell.data_type = "s"  # never a formula or an error cell
                style.quotePrefix = 1 if looks_like_formula(text) else 0
            else:
                cell = Cell(ws, row=number, column=column, value=value, style_array=style)
            cells[(number, column)] = cell


def _workbook_class():
    from openpyxl import Workbook

    class SafeWorkbook(Workbook):
        """A workbook whose every save stores texts as texts (`protect`)."""

        def save(self, filename):
            protect(self)
            super().save(filename)

    return SafeWorkbook


def new_workbook(*, empty: bool = False):
    """The project's workbook (openpyxl's, saved safely); `empty`: without the default sheet."""
    wb = _workbook_class()()
    if empty:
        wb.remove(wb.active)
    return wb


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
        append(ws, [line])
    if intro:
        append(ws, [])
    append(ws, ["列名", "是否必填", "单位", "说明"])
    header_row = ws.max_row
    style_header(ws, header_row, 4)
    for col in columns:
        append(ws, [col.header, "必填" if col.required else "选填", col.unit, col.help])
    if notes:
        append(ws, [])
    for note in notes:
        append(ws, [note])
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
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lists = lists or {}
    wb = new_workbook()
    ws = wb.active
    ws.title = title
    append(ws, [c.header for c in columns])
    style_header(ws, 1, len(columns), required={i for i, c in enumerate(columns, 1) if c.required})
    set_widths(ws, [c.width for c in columns])
    last_row = 1
    for values in rows:
        append(ws, values)
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
            put(list_ws, 1, list_col, col.header)
            for r, value in enumerate(values, start=2):
                put(list_ws, r, list_col, value)
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
    """The .xlsx file of `wb`, every text stored as text (`protect`)."""
    protect(wb)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
