"""`dudao monitoring …` end to end through `call_command` (the manage.py path): JSON and XLSX,
CSV in GB18030, refusals. The console command in a bare shell: test_cli_offline.py."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from .helpers import school, write_csv, write_xlsx

RECORDS = [
    school(
        "3301000001",
        enrol_primary=100,
        floor_area=500,
        sports_area=800,
        equipment_value=200_000,
        computers=10,
        books=3000,
        teachers_primary=6,
        qualified_primary=5,
        senior_title_primary=3,
        backbone_primary=1,
        pe_arts_primary=1,
        multimedia_rooms=3,
    ),
    school(
        "3301000002",
        enrol_primary=300,
        floor_area=1200,
        sports_area=1800,
        equipment_value=450_000,
        computers=24,
        books=6000,
        teachers_primary=15,
        qualified_primary=12,
        senior_title_primary=6,
        backbone_primary=3,
        pe_arts_primary=2,
        multimedia_rooms=6,
    ),
    school(
        "3301000003",
        "初中",
        enrol_junior=500,
        floor_area=3000,
        sports_area=5000,
        equipment_value=1_300_000,
        computers=60,
        books=15000,
        teachers_junior=40,
        qualified_junior=30,
        senior_title_junior=20,
        backbone_junior=6,
        pe_arts_junior=5,
        multimedia_rooms=12,
    ),
]


def run(*args):
    return call_command("monitoring", *args)


def test_evaluate_json_from_a_gb18030_csv(tmp_path):
    source = write_csv(tmp_path / "学校.csv", RECORDS, "gb18030")
    out = tmp_path / "result.json"
    run("evaluate", "--input", str(source), "--year", "2025", "--output", str(out))
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["year"] == 2025 and doc["rule_set"]["name"] == "basic-2012"
    primary = doc["levels"]["primary"]
    floor = next(i for i in primary["indicators"] if i["key"] == "floor_area")
    assert floor["mean"] == pytest.approx(1700 / 400)
    assert primary["schools"][0]["name"] == "学校3301000001"
    assert doc["levels"]["junior"]["school_count"] == 1
    assert isinstance(doc["conclusion"]["passed"], bool)


def test_evaluate_quality_xlsx_in_the_official_layout(tmp_path):
    source = write_xlsx(tmp_path / "in.xlsx", RECORDS)
    out = tmp_path / "table.xlsx"
    run(
        "evaluate",
        "--input",
        str(source),
        "--year",
        "2025",
        "--rules",
        "quality-2017",
        "--format",
        "xlsx",
        "--output",
        str(out),
    )
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "校际差异系数表",
        "小学学校明细",
        "初中学校明细",
        "排除学校",
        "规则说明",
    ]
    rules = {r[0]: r[1] for r in wb["规则说明"].iter_rows(values_only=True) if r[0]}
    assert rules["规则集"] == "quality-2017" and rules["版本"] == "2017.1"
    assert rules["其余指标不低于标准的比例"] == 0.85
    ws = wb["校际差异系数表"]
    rows = list(ws.iter_rows(values_only=True))
    assert "2025年" in rows[0][0]
    header = next(r for r in rows if r[0] == "学段")
    assert header[2].startswith("每百名学生拥有高于规定学历教师数")
    labels = [(r[1]) for r in rows if r[1] in ("平均值", "差异系数", "标准值")]
    assert labels.count("差异系数") == 2
    schools = list(wb["小学学校明细"].iter_rows(values_only=True))
    assert schools[0][:2] == ("学校标识码", "学校名称")
    assert [r[0] for r in schools[1:]] == ["3301000001", "3301000002"]


def test_basic_xlsx_has_the_composite(tmp_path):
    source = write_csv(tmp_path / "in.csv", RECORDS)
    out = tmp_path / "table.xlsx"
    run(
        "evaluate",
        "--input",
        str(source),
        "--year",
        "2024",
        "--format",
        "xlsx",
        "--output",
        str(out),
    )
    rows = list(load_workbook(out)["校际差异系数表"].iter_rows(values_only=True))
    header = next(r for r in rows if r[0] == "学段")
    assert "综合差异系数" in header


def test_bad_input_exits_with_every_error(tmp_path, capsys):
    bad = [*RECORDS, school("3301000001", enrol_primary=0), school("X", enrol_primary="多")]
    source = write_csv(tmp_path / "bad.csv", bad)
    out = tmp_path / "never.json"
    with pytest.raises(CommandError) as info:
        run(
            "evaluate",
            "--input",
            str(source),
            "--year",
            "2025",
            "--output",
            str(out),
            "--lang",
            "en",
        )
    assert not out.exists()
    errors = info.value.errors
    assert any(e.startswith("Row 2, column “学校标识码”") for e in errors)
    assert any(e.startswith("Row 5, column “小学在校生数”") for e in errors)
    assert any(e.startswith("Row 6, column “小学在校生数”") for e in errors)
    assert "Row 6" in capsys.readouterr().err


def test_rules_path_and_bad_rules(tmp_path):
    from dudao.monitoring.rules import variant

    rules = tmp_path / "mine.json"
    rules.write_text(
        variant("basic-2012", {"name": "mine", "version": "7"}).to_json(), encoding="utf-8"
    )
    source = write_csv(tmp_path / "in.csv", RECORDS)
    out = tmp_path / "r.json"
    run(
        "evaluate",
        "--input",
        str(source),
        "--year",
        "2025",
        "--rules",
        str(rules),
        "--output",
        str(out),
    )
    assert json.loads(out.read_text(encoding="utf-8"))["rule_set"]["version"] == "7"
    with pytest.raises(CommandError):
        run("evaluate", "--input", str(source), "--year", "2025", "--rules", "nope")
    with pytest.raises(CommandError):
        run("evaluate", "--input", str(tmp_path / "missing.csv"), "--year", "2025")


def test_template_and_rules_subcommands(tmp_path, capsys):
    out = tmp_path / "t.xlsx"
    run("template", "--output", str(out))
    assert load_workbook(out).sheetnames == ["学校资源数据", "填写说明"]
    capsys.readouterr()
    run("rules", "quality-2017")
    assert json.loads(capsys.readouterr().out)["name"] == "quality-2017"
