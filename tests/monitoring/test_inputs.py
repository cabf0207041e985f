"""Reading the template and CSV files, and every bad-input case: the right row and column,
all errors collected, and no result."""

import pytest

from dudao.monitoring.engine import evaluate
from dudao.monitoring.fields import HEADERS
from dudao.monitoring.inputs import (
    FileRefused,
    InputRefused,
    SchoolData,
    load_schools,
    read_input,
    write_template,
)
from dudao.monitoring.rules import variant

from .helpers import as_headers, school, write_csv, write_xlsx

GOOD = [
    school("3301000001", enrol_primary=100, floor_area=500, teachers_primary=6),
    school(
        "3301000002",
        "九年一贯制学校",
        enrol_primary=200,
        enrol_junior=100,
        floor_area=900,
        teachers_primary=12,
        teachers_junior=9,
    ),
]


def refused(records, ruleset="basic-2012"):
    with pytest.raises(InputRefused) as info:
        SchoolData.from_records(records, ruleset)
    return [(e.row, e.column, e.code) for e in info.value.errors]


def test_template_has_the_exact_headers_and_a_help_sheet(tmp_path):
    from openpyxl import load_workbook

    path = write_template(tmp_path / "t.xlsx")
    wb = load_workbook(path)
    assert [c.value for c in wb.worksheets[0][1]] == list(HEADERS)
    assert "填写说明" in wb.sheetnames
    assert len(HEADERS) == 22


@pytest.mark.parametrize("kind", ["xlsx", "csv-utf8", "csv-bom", "csv-gb18030"])
def test_every_file_kind_reads_the_same(tmp_path, kind):
    if kind == "xlsx":
        path = write_xlsx(tmp_path / "in.xlsx", GOOD)
    else:
        encoding = {"csv-utf8": "utf-8", "csv-bom": "utf-8-sig", "csv-gb18030": "gb18030"}[kind]
        path = write_csv(tmp_path / "in.csv", GOOD, encoding)
    data = load_schools(path, "basic-2012")
    assert data.codes == ["3301000001", "3301000002"]
    assert data.types == ["小学", "九年一贯制学校"]
    assert data.rows == [2, 3]
    assert data.column("floor_area").tolist() == [500, 900]


def test_headers_in_any_order(tmp_path):
    import csv

    path = tmp_path / "shuffled.csv"
    headers = list(reversed(HEADERS))
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        row = as_headers(GOOD[0])
        writer.writerow([row.get(h, "") for h in headers])
    assert load_schools(path).codes == ["3301000001"]


def test_wrong_headers_are_refused_with_the_names(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(",".join([*HEADERS[:-1], "备注"]) + "\n1,2\n", encoding="utf-8")
    with pytest.raises(FileRefused) as info:
        read_input(path)
    text = str(info.value)
    assert "初中体育艺术专任教师数" in text and "备注" in text


def test_not_a_file_we_can_read(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"not a zip")
    with pytest.raises(FileRefused):
        read_input(path)
    empty = tmp_path / "e.csv"
    empty.write_text(",".join(HEADERS) + "\n", encoding="utf-8")
    with pytest.raises(FileRefused):
        read_input(empty)


def test_a_zip_that_is_not_a_workbook(tmp_path):
    import zipfile

    path = tmp_path / "other.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(FileRefused) as info:
        read_input(path)
    assert info.value.errors[0].code == "unreadable"


def test_xlsx_formula_without_value_is_an_error_not_blank(tmp_path):
    from openpyxl import load_workbook

    path = write_xlsx(tmp_path / "f.xlsx", GOOD)
    wb = load_workbook(path)
    wb.worksheets[0]["G2"] = "=1+1"  # 教学及辅助用房面积, no cached value
    wb.save(path)
    with pytest.raises(InputRefused) as info:
        load_schools(path)
    assert [(e.row, e.column, e.code) for e in info.value.errors] == [
        (2, "教学及辅助用房面积", "text")
    ]


def test_missing_zero_and_negative_enrolment():
    errors = refused(
        [
            school("A", enrol_primary=None),
            school("B", enrol_primary=0),
            school("C", enrol_primary=-5),
            school("D", "九年一贯制学校", enrol_primary=100, enrol_junior=None),
        ]
    )
    assert errors == [
        (2, "小学在校生数", "enrolment_missing"),
        (3, "小学在校生数", "enrolment_zero"),
        (4, "小学在校生数", "negative"),
        (5, "初中在校生数", "enrolment_missing"),
    ]


def test_negative_areas_and_counts_and_text_in_number_cells():
    errors = refused(
        [
            school("A", enrol_primary=100, floor_area=-1, computers="十台"),
            school("B", enrol_primary="1,200", sports_area="abc", books=12.5),
        ]
    )
    assert errors == [
        (2, "教学及辅助用房面积", "negative"),
        (2, "计算机台数", "text"),
        (3, "体育运动场馆面积", "text"),
        (3, "图书册数", "decimal"),
    ]


def test_duplicate_codes_mark_every_row():
    errors = refused(
        [school("A", enrol_primary=10), school("A", enrol_primary=20), school("B", enrol_primary=5)]
    )
    assert errors == [(2, "学校标识码", "duplicate"), (3, "学校标识码", "duplicate")]


def test_unknown_school_type_and_required_text():
    errors = refused(
        [school("A", enrol_primary=10, school_type="幼儿园"), {"code": "", "name": ""}]
    )
    assert (2, "学校类型", "unknown_type") in errors
    assert (3, "学校标识码", "required") in errors
    assert (3, "学校名称", "required") in errors
    assert (3, "学校类型", "required") in errors


def test_enrolment_without_teachers_and_too_many_subcounts():
    errors = refused(
        [
            school("A", enrol_primary=100, teachers_primary=0),
            school("B", "九年一贯制学校", enrol_primary=100, enrol_junior=50, teachers_junior=None),
            school("C", enrol_primary=100, teachers_primary=5, qualified_primary=6),
        ]
    )
    assert errors == [
        (2, "小学专任教师数", "no_teachers"),
        (3, "初中专任教师数", "no_teachers"),
        (4, "小学高于规定学历教师数", "more_than_teachers"),
    ]


def test_figures_for_a_level_the_school_type_does_not_have():
    errors = refused([school("A", enrol_primary=100, enrol_junior=30, teachers_junior=2)])
    assert errors == [
        (2, "初中在校生数", "level_not_in_type"),
        (2, "初中专任教师数", "level_not_in_type"),
    ]


def test_all_errors_are_collected_and_messages_name_row_and_column(settings):
    with pytest.raises(InputRefused) as info:
        SchoolData.from_records(
            [school("A", enrol_primary="x", floor_area=-2), school("B", enrol_primary=0)]
        )
    assert len(info.value.errors) == 3
    from django.utils import translation

    with translation.override("en"):
        text = str(info.value.errors[0])
    assert text.startswith("Row 2, column “小学在校生数”")


def test_exclude_policy_lists_bad_rows_and_computes_from_the_rest():
    rules = variant("basic-2012", {"name": "lenient", "on_bad_row": "exclude"})
    data = SchoolData.from_records(
        [
            school("A", enrol_primary=100, floor_area=500),
            school("B", enrol_primary=0, floor_area=100),
            school("C", enrol_primary=300, floor_area=900),
            school("C", enrol_primary=300, floor_area=600),
        ],
        rules,
    )
    assert data.codes == ["A"]
    reasons = {(e.row, e.code): e for e in data.excluded}
    assert set(reasons) == {(3, "B"), (4, "C"), (5, "C")}
    assert reasons[(3, "B")].reason_code == "bad_row"
    assert reasons[(3, "B")].errors[0].column == "小学在校生数"
    result = evaluate(data, rules)
    assert result.levels["primary"].indicator("floor_area").mean == 5
    assert len(result.to_dict()["excluded"]) == 3


def test_refuse_policy_gives_no_data_even_with_one_bad_row(tmp_path):
    path = write_csv(tmp_path / "in.csv", [*GOOD, school("X", enrol_primary=-1)])
    with pytest.raises(InputRefused) as info:
        load_schools(path)
    assert [(e.row, e.column) for e in info.value.errors] == [(4, "小学在校生数")]


def test_blank_rows_are_skipped_and_row_numbers_are_the_files(tmp_path):
    path = tmp_path / "gaps.csv"
    lines = [",".join(HEADERS), ",".join([""] * 22)]
    row = as_headers(school("A", enrol_primary=-3))
    lines.append(",".join(str(row.get(h, "")) for h in HEADERS))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputRefused) as info:
        load_schools(path)
    assert info.value.errors[0].row == 3


def test_minimum_enrolment_never_hides_a_missing_enrolment():
    rules = variant(
        "basic-2012",
        {"name": "min50", "exclusions": {"school_types": [], "min_enrolment": 50}},
    )
    errors = refused([school("A", enrol_primary=None)], rules)
    assert errors == [(2, "小学在校生数", "enrolment_missing")]


def test_header_with_a_line_break_and_records_with_their_own_row(tmp_path):
    import csv

    path = tmp_path / "wrapped.csv"
    headers = [h if h != "小学专任教师数" else "小学专任\n教师数" for h in HEADERS]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(headers)
        row = as_headers(GOOD[0])
        writer.writerow([row.get(h, "") for h in HEADERS])
    data = load_schools(path)
    assert data.rows == [2]  # numbered as Excel shows the rows, not by physical line
    data = SchoolData.from_records([{**GOOD[0], "_row": 41}])
    assert data.rows == [41]


def test_compare_rounded_is_a_rule_set_choice():
    # two schools of 1000 pupils, 1 and 3.0032 m² each: CV = |x1 − x2| / (x1 + x2)
    # = 2.0032 / 4.0032 = 0.50040 → 0.500 rounded. Unrounded (default) it fails the 0.50 limit.
    records = [
        school("A", enrol_primary=1000, floor_area=1000),
        school("B", enrol_primary=1000, floor_area=3003.2),
    ]
    data = SchoolData.from_records(records, "quality-2017")
    strict = evaluate(data, "quality-2017").levels["primary"].indicator("floor_area")
    assert strict.cv == pytest.approx(2.0032 / 4.0032)
    assert strict.cv_rounded == 0.5
    assert strict.passed is False
    lenient_rules = variant("quality-2017", {"name": "rounded", "compare_rounded": True})
    lenient = evaluate(data, lenient_rules).levels["primary"].indicator("floor_area")
    assert lenient.passed is True


def _handmade_xlsx(path, sheet_xml: str, shared_xml: str | None = None):
    """A minimal workbook written by hand, the way Excel lays it out (shared strings)."""
    import zipfile

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            f'<sheet name="数据" sheetId="1" r:id="rId7"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId7" Type="{rel}/worksheet" Target="worksheets/data.xml"/>'
            "</Relationships>",
        )
        zf.writestr("xl/worksheets/data.xml", f'<worksheet xmlns="{main}">{sheet_xml}</worksheet>')
        if shared_xml is not None:
            zf.writestr("xl/sharedStrings.xml", f'<sst xmlns="{main}">{shared_xml}</sst>')
    return path


def test_excel_style_workbook_with_shared_strings_rich_text_and_formulas(tmp_path):
    from dudao.core.spreadsheets import iter_rows

    shared = (
        "<si><t>学校标识码</t></si>"
        "<si><r><t>学校</t></r><r><t>名称</t></r><rPh><t>がっこう</t></rPh></si>"
        "<si><t>A&amp;B</t></si>"
    )
    sheet = (
        "<sheetData>"
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="C1" t="s"><v>1</v></c></row>'
        '<row r="4"><c r="A4" t="s"><v>2</v></c><c r="B4"><v>12.5</v></c>'
        '<c r="C4"><f>SUM(B4:B4)</f><v>12.5</v></c><c r="D4"><f>1+1</f></c>'
        '<c r="E4" t="e"><v>#DIV/0!</v></c><c r="F4" t="b"><v>1</v></c>'
        '<c r="G4" t="inlineStr"><is><t>内联</t></is></c></row>'
        "</sheetData>"
    )
    path = _handmade_xlsx(tmp_path / "excel.xlsx", sheet, shared)
    rows = list(iter_rows(path))
    assert rows[0] == (1, ["学校标识码", None, "学校名称"])
    assert rows[1] == (4, ["A&B", 12.5, 12.5, "=1+1", "#DIV/0!", True, "内联"])


def test_excel_style_file_reads_through_to_schools(tmp_path):
    from openpyxl.utils import get_column_letter

    header = "".join(
        f'<c r="{get_column_letter(i)}1" t="inlineStr"><is><t>{h}</t></is></c>'
        for i, h in enumerate(HEADERS, start=1)
    )
    values = {
        "学校标识码": "S1",
        "学校名称": "一小",
        "学校类型": "小学",
        "小学在校生数": 120,
        "小学专任教师数": "<f>2*4</f><v>8</v>",
        "教学及辅助用房面积": "#N/A",
    }
    cells = []
    for i, h in enumerate(HEADERS, start=1):
        value = values.get(h)
        ref = f"{get_column_letter(i)}2"
        if value is None:
            continue
        if isinstance(value, int):
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        elif value.startswith("<f>"):
            cells.append(f'<c r="{ref}">{value}</c>')
        elif value.startswith("#"):
            cells.append(f'<c r="{ref}" t="e"><v>{value}</v></c>')
        else:
            cells.append(f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>')
    sheet = f'<sheetData><row r="1">{header}</row><row r="2">{"".join(cells)}</row></sheetData>'
    path = _handmade_xlsx(tmp_path / "one.xlsx", sheet)
    with pytest.raises(InputRefused) as info:
        load_schools(path)
    assert [(e.row, e.column, e.code) for e in info.value.errors] == [
        (2, "教学及辅助用房面积", "text")
    ]
