"""`dudao campaigns draw …` offline (docs/rules.md §21): the console command in a bare shell.

Each subprocess runs with no SECRET_KEY, DJANGO_SETTINGS_MODULE, DATABASE_URL, DEBUG or
DUDAO_DEMO, in an empty working directory; `DUDAO_VAR_DIR` points into the test's directory,
and the project's settings create it on import, so its absence proves they were never loaded.
The output must be the library's result; a refused run exits with 2, its messages on stderr,
never a traceback. The row-by-row messages are checked in-process (quicker), in English."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dudao.campaigns.cli import main
from dudao.campaigns.draw import InspectorRow, SchoolRow, draw

ROOT = Path(__file__).resolve().parents[2]
STRIPPED = ("SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DEBUG", "DUDAO_DEMO")

SCHOOLS = [
    ("3301000001", "城关一小", "小学", "城区", "D2"),
    ("3301000002", "城关二小", "小学", "城区", "D3"),
    ("3301000003", "城关中学", "初中", "城区", ""),
    ("3301000004", "实验中学", "初中", "城区", "D1"),
    ("3301000005", "石桥小学", "小学", "乡镇", ""),
    ("3301000006", "石桥中学", "初中", "乡镇", "D2"),
    ("3301000007", "东岭小学", "小学", "乡镇", "D4"),
]
INSPECTORS = [("D1", "张老师", "3301000003"), ("D2", "李老师", ""), ("D3", "王老师", "")]
INSPECTORS += [("D4", "赵老师", ""), ("D5", "刘老师", "3301000007")]
CONFLICTS = [("D3", "3301000005"), ("D4", "3301000001")]


def write_csv(path, header, rows, encoding="utf-8-sig"):
    lines = [",".join(header), *(",".join(row) for row in rows)]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(encoding))
    return path


def dudao_command(style):
    script = Path(sys.executable).parent / "dudao"
    if style == "script" and script.exists():
        return [str(script)]
    return [sys.executable, "-m", "dudao.cli"]


class Bare:
    def __init__(self, tmp_path):
        self.cwd = tmp_path / "work"
        self.cwd.mkdir()
        self.var = tmp_path / "var"
        self.env = {k: v for k, v in os.environ.items() if k not in STRIPPED}
        self.env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p
        )
        self.env["DUDAO_VAR_DIR"] = str(self.var)
        write_csv(self.cwd / "schools.csv", SCHOOL_HEADER, SCHOOLS)
        write_csv(self.cwd / "inspectors.csv", INSPECTOR_HEADER, INSPECTORS)
        write_csv(self.cwd / "conflicts.csv", CONFLICT_HEADER, CONFLICTS)

    def run(self, *args, style="script"):
        done = subprocess.run(  # noqa: S603 - our own console command
            [*dudao_command(style), "campaigns", *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=self.env,
            cwd=self.cwd,
            timeout=120,
            check=False,
        )
        assert not self.var.exists(), "the project's settings were loaded"
        assert not list(self.cwd.rglob("*.sqlite3*")), "a database file was created"
        assert "Traceback" not in done.stderr, done.stderr
        return done


SCHOOL_HEADER = ("code", "name", "type", "zone", "responsible_inspector")
INSPECTOR_HEADER = ("id", "name", "employer_school_code")
CONFLICT_HEADER = ("inspector_id", "school_code")
FILES = ("draw", "--schools", "schools.csv", "--inspectors", "inspectors.csv")


@pytest.fixture
def bare(tmp_path):
    return Bare(tmp_path)


def library(conflicts=CONFLICTS, **params):
    return draw(
        [SchoolRow(*row) for row in SCHOOLS],
        [InspectorRow(*row) for row in INSPECTORS],
        set(conflicts),
        **params,
    ).to_dict()


def test_the_command_gives_the_librarys_draw(bare):
    done = bare.run(
        *FILES,
        "--conflicts",
        "conflicts.csv",
        "--count",
        "4",
        "--strata",
        "zone",
        "--team-size",
        "2",
        "--exclude-own",
        "--seed",
        "临教督〔2026〕3号",
        "--format",
        "json",
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    doc = json.loads(done.stdout)
    assert doc == library(
        seed="临教督〔2026〕3号", count=4, strata="zone", team_size=2, exclude_own=True
    )
    assert list(doc) == ["seed", "targets"] and len(doc["targets"]) == 4
    assert all(len(t["inspectors"]) == 2 for t in doc["targets"])

    # The module run by the interpreter, a percentage, strata by type, no conflicts file.
    done = bare.run(*FILES, "--percent", "50", "--strata", "type", "--seed", "42", style="module")
    assert done.returncode == 0, done.stderr
    assert (
        json.loads(done.stdout)
        == draw(
            [SchoolRow(*row) for row in SCHOOLS],
            [InspectorRow(*row) for row in INSPECTORS],
            seed="42",
            percent=50,
            strata="type",
        ).to_dict()
    )
    assert len(json.loads(done.stdout)["targets"]) == 4  # 3.5 rounded half up


def test_output_file_and_the_schools_left_out(bare):
    # Teams of 5 out of 5: only the schools where no inspector works nor has a conflict.
    done = bare.run(
        *FILES,
        "--conflicts",
        "conflicts.csv",
        "--count",
        "3",
        "--team-size",
        "5",
        "--seed",
        "s",
        "--output",
        "draw.json",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "已写入draw.json。"
    doc = json.loads((bare.cwd / "draw.json").read_text(encoding="utf-8"))
    assert doc == library(seed="s", count=3, team_size=5)
    assert {t["school"] for t in doc["targets"]} == {"3301000002", "3301000004", "3301000006"}
    # The schools left out are named on stderr, one a line.
    left_out = done.stderr.splitlines()
    assert len(left_out) == 4
    for code, line in zip(("01", "03", "05", "07"), left_out, strict=True):
        assert f"33010000{code}" in line


def test_gb18030_and_plain_utf8_files_are_read(bare):
    write_csv(bare.cwd / "schools.csv", SCHOOL_HEADER, SCHOOLS, "gb18030")
    write_csv(bare.cwd / "inspectors.csv", INSPECTOR_HEADER, INSPECTORS, "utf-8")
    done = bare.run(*FILES, "--count", "2", "--team-size", "1", "--seed", "s")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == library((), seed="s", count=2, team_size=1)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--count", "8"), "8 schools are asked for, but only 7 are listed."),
        (("--count", "7", "--team-size", "6"), "only 5 inspectors are listed"),
        (
            ("--count", "6", "--team-size", "5"),
            "6 schools are asked for, but only 5 of the 7 can be drawn: at 2, fewer than 5",
        ),
        (("--percent", "1"), "1% of 7 schools rounds to no school."),
        (("--count", "0"), "--count: The count must be a whole number of 1 or more (0)."),
        (("--percent", "120"), "--percent: The percentage must be a number above 0"),
        (("--count", "1", "--team-size", "two"), "--team-size: The team size must be"),
    ],
)
def test_impossible_requests_exit_with_2(bare, args, expected):
    done = bare.run(*FILES, *args, "--seed", "s", "--lang", "en")
    assert done.returncode == 2
    assert done.stdout == ""
    assert expected in done.stderr


def test_malformed_files_exit_with_2_naming_the_file_and_row(bare):
    write_csv(
        bare.cwd / "schools.csv",
        ("code", "name", "type", "zone"),  # no responsible_inspector
        [row[:4] for row in SCHOOLS],
    )
    done = bare.run(*FILES, "--count", "1", "--seed", "s")
    assert done.returncode == 2 and done.stdout == ""
    assert "schools.csv" in done.stderr and "responsible_inspector" in done.stderr
    assert done.stderr.splitlines()[-1].startswith("DrawRefused: ")

    # Messages are in Chinese by default.
    done = bare.run("draw", "--schools", "nope.csv", "--inspectors", "inspectors.csv",
                    "--count", "1", "--seed", "s")  # fmt: skip
    assert done.returncode == 2
    assert "文件不存在：nope.csv" in done.stderr

    done = bare.run(*FILES, "--seed", "s")  # neither --count nor --percent: argparse
    assert done.returncode == 2 and "--count" in done.stderr


def run_in_process(capsys, *args):
    with pytest.raises(SystemExit) as caught:
        main(["dudao", "campaigns", "--lang", "en", *args])
    out, err = capsys.readouterr()
    return caught.value.code, out, err


def test_every_row_error_is_reported(bare, capsys, monkeypatch):
    monkeypatch.chdir(bare.cwd)
    write_csv(
        bare.cwd / "schools.csv",
        SCHOOL_HEADER,
        [*SCHOOLS[:3], ("", "无码", "", "", ""), ("3301000002", "重复", "", "", "")],
    )
    write_csv(bare.cwd / "inspectors.csv", INSPECTOR_HEADER, [*INSPECTORS, ("D2", "重复", "")])
    write_csv(
        bare.cwd / "conflicts.csv",
        CONFLICT_HEADER,
        [("D9", "3301000001"), ("D1", "3309999999"), ("", "3301000001")],
    )
    code, out, err = run_in_process(
        capsys, *FILES, "--conflicts", "conflicts.csv", "--count", "x", "--seed", "s"
    )
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "--count: The count must be a whole number of 1 or more (x).",
        "schools.csv, row 5, column “code”: This column is required.",
        "schools.csv, row 6, column “code”: The code 3301000002 is also on row 3.",
        "inspectors.csv, row 7, column “id”: The id D2 is also on row 3.",
        "conflicts.csv, row 4, column “inspector_id”: This column is required.",
        "DrawRefused: The input has 5 error(s); nothing was drawn.",
    ]

    # With the lists well formed, the conflicts' unknown ids and codes are errors too.
    write_csv(bare.cwd / "schools.csv", SCHOOL_HEADER, SCHOOLS)
    write_csv(bare.cwd / "inspectors.csv", INSPECTOR_HEADER, INSPECTORS)
    code, out, err = run_in_process(
        capsys, *FILES, "--conflicts", "conflicts.csv", "--count", "1", "--seed", "s"
    )
    assert code == 2
    assert err.splitlines()[:2] == [
        "conflicts.csv, row 2, column “inspector_id”: Unknown inspector id D9: it is not in "
        "inspectors.csv.",
        "conflicts.csv, row 3, column “school_code”: Unknown school code 3309999999: it is not "
        "in schools.csv.",
    ]

    # A file that is not a table at all.
    (bare.cwd / "inspectors.csv").write_bytes(b"")
    code, out, err = run_in_process(capsys, *FILES, "--count", "1", "--seed", "s")
    assert code == 2 and err.startswith("inspectors.csv: ")


def test_the_dispatch(monkeypatch):
    import django.core.management

    from dudao import cli
    from dudao.campaigns import cli as campaigns
    from dudao.monitoring import cli as monitoring

    calls = []
    monkeypatch.setattr(campaigns, "main", lambda argv: calls.append(("campaigns", argv)))
    monkeypatch.setattr(monitoring, "main", lambda argv: calls.append(("monitoring", argv)))
    monkeypatch.setattr(
        django.core.management,
        "execute_from_command_line",
        lambda argv: calls.append(("django", argv)),
    )
    cli.main(["campaigns", "draw"])
    cli.main(["monitoring", "rules"])
    cli.main(["campaign"])
    assert calls == [
        ("campaigns", ["dudao", "campaigns", "draw"]),
        ("monitoring", ["dudao", "monitoring", "rules"]),
        ("django", ["dudao", "campaign"]),
    ]
