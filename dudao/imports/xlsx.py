"""Reading and writing the import workbooks. Nothing here touches the database."""

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HELP_SHEET = "填写说明"
LISTS_SHEET = "选项"


class FileError(Exception):
    """The whole file is refused (nothing is read further)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Column:
    header: str  # the Chinese header in row 1 (the file format; not translated)
    key: str
    required: bool = False
    width: int = 14
    help: str = ""  # Chinese help for the 填写说明 sheet
    choices: list[str] | None = None  # drop-down values (labels)
    list_name: str = ""  # a drop-down filled from the office's data (the 选项 sheet)
    text: bool = False  # keep as text (codes, phone numbers)
    date: bool = False


@dataclass
class Sheet:
    """The data rows of an uploaded file: {key: raw value} per row with its Excel row number."""

    rows: list[tuple[int, dict]] = field(default_factory=list)


def check_size(size: int | None) -> None:
    limit = settings.IMPORT_MAX_BYTES
    if size is not None and size > limit:
        raise FileError(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.")
            % {"size": f"{size / 1024 / 1024:.1f}", "limit": f"{limit / 1024 / 1024:.0f}"}
        )


def _open(fileobj):
    fileobj.seek(0)
    if not zipfile.is_zipfile(fileobj):
        raise FileError(
            _(
                "This is not an Excel .xlsx file. Save it in Excel as "
                "“Excel Workbook (*.xlsx)” and upload it again."
            )
        )
    fileobj.seek(0)
    try:
        return load_workbook(fileobj, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged or foreign zip
        raise FileError(
            _(
                "The file could not be read as an Excel workbook (%(error)s). Save it in Excel "
                "as “Excel Workbook (*.xlsx)” and upload it again."
            )
            % {"error": exc.__class__.__name__}
        ) from exc


def estimate_rows(fileobj) -> int | None:
    """The data row count from the sheet's stored dimension, cheaply; None when unknown.
    0 for a file that cannot be opened (checking it is quick: it is refused at once)."""
    try:
        wb = _open(fileobj)
    except FileError:
        return 0
    try:
        ws = wb.worksheets[0]
        return max(0, ws.max_row - 1) if ws.max_row else None
    except Exception:
        return None
    finally:
        wb.close()


def _is_formula(value) -> bool:
    if isinstance(value, str):
        return value.startswith("=")
    return value is not None and "Formula" in type(value).__name__


def read_sheet(
    fileobj, columns: list[Column], progress: Callable[[int], None] | None = None
) -> Sheet:
    """Check and read the first sheet. Raises FileError for anything that makes the whole file
    unusable: not an xlsx, wrong headers, formulas, no data rows."""
    wb = _open(fileobj)
    try:
        if not wb.worksheets:
            raise FileError(_("The workbook has no sheets."))
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        header_row = next(rows, None) or ()
        headers = [str(v).strip() if v is not None else "" for v in header_row]
        while headers and not headers[-1]:
            headers.pop()
        expected = [c.header for c in columns]
        missing = [h for h in expected if h not in headers]
        unknown = [h for h in headers if h not in expected]
        if missing or unknown or not headers:
            parts = []
            if missing:
                parts.append(_("missing: %(headers)s") % {"headers": "、".join(missing)})
            if unknown:
                parts.append(
                    _("unknown: %(headers)s")
                    % {"headers": "、".join(h or "(blank)" for h in unknown)}
                )
            raise FileError(
                _(
                    "The first row must hold the template's column headers (%(problems)s). "
                    "Download the template and copy your data into it."
                )
                % {"problems": "; ".join(parts) or _("missing: all")}
            )
        dupes = sorted({h for h in headers if headers.count(h) > 1})
        if dupes:
            raise FileError(
                _("These column headers appear more than once: %(headers)s.")
                % {"headers": "、".join(dupes)}
            )
        index = [(i, c.key) for c in columns for i, h in enumerate(headers) if h == c.header]
        sheet = Sheet()
        for number, values in enumerate(rows, start=2):
            if not values or all(
                v is None or (isinstance(v, str) and not v.strip()) for v in values
            ):
                continue
            for col, value in enumerate(values):
                if _is_formula(value):
                    raise FileError(
                        _(
                            "Cell %(cell)s holds a formula. Formulas are not imported: copy the "
                            "sheet and paste it as values (选择性粘贴 → 数值), then upload again."
                        )
                        % {"cell": f"{get_column_letter(col + 1)}{number}"}
                    )
            n = len(values)
            sheet.rows.append((number, {key: values[i] if i < n else None for i, key in index}))
            if progress and len(sheet.rows) % 1000 == 0:
                progress(len(sheet.rows))
        if not sheet.rows:
            raise FileError(_("The sheet has headers but no data rows."))
        return sheet
    finally:
        wb.close()


# ---- writing ---------------------------------------------------------------------------------

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F5A96")
REQUIRED_FILL = PatternFill("solid", fgColor="B23B2E")


def build_workbook(
    columns: list[Column],
    rows: Iterable[list],
    *,
    lists: dict[str, list[str]] | None = None,
    notes: list[str] = (),
) -> bytes:
    """The template layout: headers, frozen first row, widths, drop-downs, text columns, a
    填写说明 sheet and (hidden) an 选项 sheet with the office's lists. Exports use it too."""
    lists = lists or {}
    wb = Workbook()
    ws = wb.active
    ws.title = "数据"
    ws.freeze_panes = "A2"
    for i, col in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.font = HEADER_FONT
        cell.fill = REQUIRED_FILL if col.required else HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.column_dimensions[get_column_letter(i)].width = col.width
    last_row = 1
    for values in rows:
        ws.append(values)
        last_row += 1
    max_row = max(last_row, 1000) + 1000
    list_ws = None
    for i, col in enumerate(columns, start=1):
        letter = get_column_letter(i)
        ref = f"{letter}2:{letter}{max_row}"
        if col.text:
            for (cell,) in ws.iter_rows(min_row=2, max_row=last_row, min_col=i, max_col=i):
                cell.number_format = "@"
            ws.column_dimensions[letter].number_format = "@"
        if col.date:
            for (cell,) in ws.iter_rows(min_row=2, max_row=last_row, min_col=i, max_col=i):
                cell.number_format = "yyyy-mm-dd"
        formula = None
        if col.choices:
            formula = '"' + ",".join(col.choices) + '"'
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
            formula = f"'{LISTS_SHEET}'!${list_letter}$2:${list_letter}${len(values) + 1}"
        if formula:
            dv = DataValidation(type="list", formula1=formula, allow_blank=True)
            dv.error = _("Choose a value from the list.")
            dv.showErrorMessage = True
            dv.add(ref)
            ws.add_data_validation(dv)
        elif col.date:
            dv = DataValidation(type="date", operator="greaterThan", formula1="1", allow_blank=True)
            dv.add(ref)
            ws.add_data_validation(dv)
    help_ws = wb.create_sheet(HELP_SHEET, 1)
    help_ws.append(["列名", "是否必填", "说明"])
    for cell in help_ws[1]:
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
    for col in columns:
        help_ws.append([col.header, "必填" if col.required else "选填", col.help])
    help_ws.append([])
    for note in notes:
        help_ws.append([note])
    help_ws.column_dimensions["A"].width = 20
    help_ws.column_dimensions["B"].width = 10
    help_ws.column_dimensions["C"].width = 90
    help_ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def iter_chunks(items: list, size: int = 500) -> Iterator[list]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
