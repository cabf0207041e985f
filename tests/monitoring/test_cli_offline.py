"""The `dudao monitoring …` subcommands offline: the real console command, in a bare shell.

Each run is a subprocess with no SECRET_KEY, no DJANGO_SETTINGS_MODULE, no DATABASE_URL (nor
DEBUG / DUDAO_DEMO, which would let the project's settings load), in an empty working
directory. `DUDAO_VAR_DIR` points into the test's directory: the project's settings create it
on import, so its absence afterwards proves they were never loaded (and no SQLite file
written)."""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from dudao.monitoring.fields import HEADERS
from dudao.monitoring.rules import BUILTIN

from .helpers import school, write_csv, write_xlsx

ROOT = Path(__file__).resolve().parents[2]

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
    ),
    school("3301000003", "初中", enrol_junior=500, floor_area=3000, teachers_junior=40),
    school("3301000009", "教学点", enrol_primary=20),
]

STRIPPED = ("SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DEBUG", "DUDAO_DEMO")


def dudao_command(style="script"):
    """The console script installed with the project, or the module run by the interpreter."""
    script = Path(sys.executable).parent / "dudao"
    if style == "script" and script.exists():
        return [str(script)]
    return [sys.executable, "-m", "dudao.cli"]


class Bare:
    """A temporary working directory and a stripped environment to run `dudao` in."""

    def __init__(self, tmp_path):
        self.cwd = tmp_path / "work"
        self.cwd.mkdir()
        self.var = tmp_path / "var"
        self.env = {k: v for k, v in os.environ.items() if k not in STRIPPED}
        # The working tree's code, whichever way the project is installed.
        self.env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p
        )
        self.env["DUDAO_VAR_DIR"] = str(self.var)

    def run(self, *args, style="script", offline=True):
        done = subprocess.run(  # noqa: S603 - our own console command
            [*dudao_command(style), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=self.env,
            cwd=self.cwd,
            timeout=120,
            check=False,
        )
        if offline:
            self.assert_offline()
        return done

    def assert_offline(self):
        assert not self.var.exists(), "the project's settings were loaded"
        assert not list(self.cwd.rglob("*.sqlite3*")), "a database file was created"


@pytest.fixture
def bare(tmp_path):
    return Bare(tmp_path)


def year():
    return timezone.localdate().year - 1


def test_evaluate_a_csv_to_json_on_standard_output(bare):
    source = write_csv(bare.cwd / "学校.csv", RECORDS, "gb18030")
    done = bare.run("monitoring", "evaluate", "--input", "学校.csv", "--year", str(year()))
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["year"] == year() and doc["rule_set"]["name"] == "basic-2012"
    primary = doc["levels"]["primary"]
    assert primary["school_count"] == 2
    assert [s["code"] for s in primary["schools"]] == ["3301000001", "3301000002"]
    floor = next(i for i in primary["indicators"] if i["key"] == "floor_area")
    assert floor["mean"] == pytest.approx(1700 / 400)
    assert doc["levels"]["junior"]["school_count"] == 1
    assert [e["code"] for e in doc["excluded"]] == ["3301000009"]
    # The exclusion is reported on standard error, in Chinese by default.
    assert "已排除：第5行，3301000009" in done.stderr
    assert source.exists() and sorted(p.name for p in bare.cwd.iterdir()) == ["学校.csv"]

    # The manage.py path (the project's settings) runs the same command: the same output.
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "monitoring",
        "evaluate",
        "--input",
        str(source),
        "--year",
        str(year()),
        stdout=out,
        stderr=err,
    )
    assert (out.getvalue(), err.getvalue()) == (done.stdout, done.stderr)


def test_evaluate_an_xlsx_to_json_and_to_the_xlsx_table(bare):
    write_xlsx(bare.cwd / "in.xlsx", RECORDS)
    done = bare.run(
        "monitoring",
        "evaluate",
        "--input",
        "in.xlsx",
        "--year",
        str(year()),
        "--rules",
        "quality-2017",
        "--output",
        "result.json",
        "--lang",
        "en",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Wrote result.json."
    doc = json.loads((bare.cwd / "result.json").read_text(encoding="utf-8"))
    assert doc["rule_set"]["name"] == "quality-2017" and doc["regime"] == "quality"
    assert doc["levels"]["primary"]["school_count"] == 2
    qualified = next(
        i
        for i in doc["levels"]["primary"]["indicators"]
        if i["key"] == "qualified_teachers_per_100"
    )
    assert qualified["mean"] == pytest.approx(17 * 100 / 400)

    done = bare.run(
        "monitoring", "evaluate", "--input", "in.xlsx", "--year", str(year()), "--format", "xlsx"
    )
    assert done.returncode == 0, done.stderr
    table = bare.cwd / f"monitoring-{year()}-basic-2012.xlsx"
    assert done.stdout.strip() == f"已写入{table.name}。"
    assert load_workbook(table).sheetnames[0] == "校际差异系数表"


def test_template_writes_the_xlsx_template(bare):
    done = bare.run("monitoring", "template", style="module")
    assert done.returncode == 0, done.stderr
    path = bare.cwd / "均衡发展监测模板.xlsx"
    assert done.stdout.strip() == f"模板已写入{path.name}。"
    wb = load_workbook(path)
    assert wb.sheetnames == ["学校资源数据", "填写说明"]
    assert [c.value for c in wb["学校资源数据"][1]] == list(HEADERS)


def test_rules_prints_each_rule_set_and_names_them_all(bare):
    for name in BUILTIN:
        done = bare.run("monitoring", "rules", name)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["name"] == name
    done = bare.run("monitoring", "rules")
    assert json.loads(done.stdout)["name"] == "basic-2012"
    done = bare.run("monitoring", "rules", "nope", "--lang", "en")
    assert done.returncode == 1 and done.stdout == ""
    assert all(name in done.stderr for name in BUILTIN)
    assert "MonitoringError: The rule set cannot be used." in done.stderr


def test_bad_input_gives_row_and_column_and_a_failing_exit(bare):
    bad = [*RECORDS, school("3301000001", enrol_primary=0), school("X", enrol_primary="多")]
    write_csv(bare.cwd / "bad.csv", bad)
    args = ("monitoring", "evaluate", "--input", "bad.csv", "--year", str(year()))
    done = bare.run(*args, "--output", "never.json")
    assert done.returncode == 1
    assert done.stdout == ""
    assert not (bare.cwd / "never.json").exists()
    lines = done.stderr.splitlines()
    assert any(line.startswith("第2行“学校标识码”列") for line in lines)
    assert any(line.startswith("第7行“小学在校生数”列") for line in lines)
    assert lines[-1].startswith("MonitoringError: 输入数据有") and "未进行计算" in lines[-1]

    done = bare.run(*args, "--lang", "en")
    assert done.returncode == 1 and done.stdout == ""
    assert "Row 7, column “小学在校生数”" in done.stderr

    done = bare.run("monitoring", "evaluate", "--input", "missing.csv", "--year", str(year()))
    assert done.returncode == 1
    assert done.stderr.strip() == "MonitoringError: 文件不存在：missing.csv"


def test_other_subcommands_still_need_the_settings(bare):
    done = bare.run("check", offline=False)
    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr
    assert bare.var.is_dir()  # made by the settings on import: the offline check is sound


def test_the_offline_settings_match_the_project_settings():
    from dudao.monitoring import cli

    assert cli.LANGUAGE_CODE == settings.LANGUAGE_CODE
    assert cli.LANGUAGES == settings.LANGUAGES
    assert [Path(p) for p in cli.LOCALE_PATHS] == [Path(p) for p in settings.LOCALE_PATHS]
    offline = cli.offline_settings()
    assert offline["DATABASES"] == {} and offline["INSTALLED_APPS"] == []
    assert offline["SECRET_KEY"] != cli.offline_settings()["SECRET_KEY"]


def test_the_dispatch(monkeypatch):
    import django.core.management

    from dudao import cli
    from dudao.monitoring import cli as offline

    calls = []
    monkeypatch.setattr(offline, "main", lambda argv: calls.append(("offline", argv)))
    monkeypatch.setattr(
        django.core.management,
        "execute_from_command_line",
        lambda argv: calls.append(("django", argv)),
    )
    cli.main(["monitoring", "rules"])
    cli.main(["migrate"])
    cli.main([])
    assert calls == [
        ("offline", ["dudao", "monitoring", "rules"]),
        ("django", ["dudao", "migrate"]),
        ("django", ["dudao"]),
    ]
