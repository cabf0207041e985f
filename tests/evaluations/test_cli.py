"""`dudao evaluation score …` offline (docs/evaluation.md): the console command in a bare shell.

Each subprocess runs with no SECRET_KEY, DJANGO_SETTINGS_MODULE, DATABASE_URL, DEBUG or
DUDAO_DEMO, in an empty working directory; `DUDAO_VAR_DIR` points into the test's directory,
and the project's settings create it on import, so its absence proves they were never loaded.
The output must be the library's result; a refused run exits with 2, its messages on stderr,
never a traceback. The row-by-row messages are checked in-process (quicker), in English."""

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import Workbook

from dudao.evaluations.cli import main
from dudao.evaluations.engine import (
    parse_weights,
    read_framework_file,
    read_scores_file,
    results_to_dict,
    score_targets,
)

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "evaluation.md"
STRIPPED = ("SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "DEBUG", "DUDAO_DEMO")


def example(name):
    """A block of docs/evaluation.md's worked example, marked <!-- example: name -->."""
    text = DOCS.read_text(encoding="utf-8")
    found = re.search(rf"<!-- example: {re.escape(name)} -->\n```\w*\n(.*?)```", text, re.S)
    assert found, name
    return found.group(1)


FRAMEWORK = example("framework.csv")
SCORES = example("scores.csv")
WEIGHTS = "expert=0.8,self=0.2"


def xlsx(text):
    """The CSV text as an .xlsx (numbers as numbers)."""
    wb = Workbook()
    ws = wb.active
    for record in csv.reader(io.StringIO(text)):
        values = []
        for value in record:
            try:
                values.append(float(value) if "." in value else int(value))
            except ValueError:
                values.append(value or None)
        ws.append(values)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


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
        self.write("framework.csv", FRAMEWORK)
        self.write("scores.csv", SCORES)

    def write(self, name, content, encoding="utf-8-sig"):
        path = self.cwd / name
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    def run(self, *args, style="script"):
        done = subprocess.run(  # noqa: S603 - our own console command
            [*dudao_command(style), "evaluation", *args],
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


FILES = ("score", "--framework", "framework.csv", "--scores", "scores.csv")


@pytest.fixture
def bare(tmp_path):
    return Bare(tmp_path)


def library(framework_path, scores_path, **options):
    framework = read_framework_file(framework_path)
    entries = read_scores_file(scores_path, framework)
    return results_to_dict(score_targets(framework, entries, **options))


def test_the_worked_example_of_the_docs(bare):
    done = bare.run(*FILES, "--weights", WEIGHTS, "--format", "json")
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    doc = json.loads(done.stdout)
    assert doc == json.loads(example("output.json"))
    assert doc == library(
        bare.cwd / "framework.csv", bare.cwd / "scores.csv", weights=parse_weights(WEIGHTS)
    )
    assert list(doc["targets"][0]) == ["target", "total", "max", "grade", "vetoed", "indicators"]
    # The command line of the docs is the one run here.
    assert example("command").split() == [
        "dudao",
        "evaluation",
        *FILES,
        "--weights",
        f'"{WEIGHTS}"',
    ]


def test_xlsx_gb18030_grades_details_and_an_output_file(bare):
    bare.write("framework.xlsx", xlsx(FRAMEWORK))
    bare.write("scores.csv", SCORES, "gb18030")
    done = bare.run(
        "--lang",
        "en",
        "score",
        "--framework",
        "framework.xlsx",
        "--scores",
        "scores.csv",
        "--grades",
        "优=85,达标=70",
        "--details",
        "--output",
        "result.json",
        style="module",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Wrote result.json."
    doc = json.loads((bare.cwd / "result.json").read_text(encoding="utf-8"))
    first, second = doc["targets"]
    # Equal weights: A1.1 = (20 + 24) / 2 = 22; A1.2 = (12 + 15) / 2 = 13.5; A2.1 = 20; A2.2 = 32
    assert first["indicators"] == {
        "A1": 35.5,
        "A1.1": 22,
        "A1.2": 13.5,
        "A2": 52,
        "A2.1": 20,
        "A2.2": 32,
        "V1": 0,
    }
    assert (first["total"], first["grade"]) == (87.5, "优")
    assert first["by_group"]["self"] == {"A1": 39, "A1.1": 24, "A1.2": 15, "A2": 20, "A2.1": 20}
    assert first["missing"] == [] and first["vetoes"] == {"V1": {"no": 0, "answered": 1}}
    assert second["vetoed_by"] == ["V1"] and second["grade"] == "不合格"
    # 石桥小学: A1.2 (experts 12, 9, 9, the school 15: a spread of 6 > 0.3 × 15) and A2.1
    # (experts yes, no, no and the school's yes); A1.1's spread of 7 is not above 7.5.
    flagged = {d["code"]: d for d in second["disagreements"]}
    assert list(flagged) == ["A1.2", "A2.1"]  # A2.2: 28 to 36, not above 0.3 × 40
    assert flagged["A2.1"] == {
        "code": "A2.1",
        "rater_spread": 20,
        "group_spread": 13.33,
        "low": ["专家2", "专家3"],
        "high": ["专家1", "石桥小学"],
    }


def test_messages_are_in_chinese_by_default(bare):
    done = bare.run("score", "--framework", "nope.csv", "--scores", "scores.csv")
    assert done.returncode == 2 and done.stdout == ""
    assert "文件不存在：nope.csv" in done.stderr
    assert done.stderr.splitlines()[-1].startswith("ScoreRefused: ")


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("framework.csv", "code,parent,title,max,method,levels\nA1,,x,10,points,\n", "max_score"),
        ("framework.csv", "code,title\n".encode("utf-16"), "neither UTF-8 nor GB18030"),
        ("framework.csv", b"", "framework.csv: "),
        ("scores.csv", "target,rater,group,code,value\n", "no data rows"),
        ("scores.csv", "target,rater,group,code,value\nS,e,expert,A9,1\n", "Unknown indicator"),
        ("scores.csv", "target,rater,group,code,value\nS,e,expert,A1.1,26\n", "from 0 to 25"),
        ("framework.xlsx", b"PK\x03\x04 is not a zip", "not an Excel .xlsx file"),
    ],
)
def test_malformed_files_exit_with_2(bare, name, content, fragment):
    bare.write(name, content)
    framework = "framework.xlsx" if name.endswith(".xlsx") else "framework.csv"
    done = bare.run("--lang", "en", "score", "--framework", framework, "--scores", "scores.csv")
    assert done.returncode == 2, done.stdout
    assert done.stdout == ""
    assert fragment in done.stderr
    assert done.stderr.splitlines()[-1].startswith("ScoreRefused: The input has 1 error(s)")


def test_bad_options_exit_with_2(bare):
    done = bare.run(*FILES, "--weights", "expert=x", "--grades", "优秀=120", "--lang", "en")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "--weights: The weight of expert must be a number of 0 or more, not “x”.",
        "--grades: The threshold of 优秀 must be a percentage from 0 to 100, not “120”.",
        "ScoreRefused: The input has 2 error(s); nothing was scored.",
    ]
    done = bare.run(*FILES, "--weights", "expert=1", "--lang", "en")
    assert done.returncode == 2
    assert "--weights: These groups have scores but no weight: self." in done.stderr
    done = bare.run("score", "--framework", "framework.csv")  # argparse: --scores missing
    assert done.returncode == 2 and "--scores" in done.stderr
    done = bare.run(*FILES, "--format", "xml")
    assert done.returncode == 2 and "--format" in done.stderr


def run_in_process(capsys, *args):
    with pytest.raises(SystemExit) as caught:
        main(["dudao", "evaluation", "--lang", "en", *args])
    out, err = capsys.readouterr()
    return caught.value.code, out, err


def test_every_row_error_is_reported(bare, capsys, monkeypatch):
    monkeypatch.chdir(bare.cwd)
    bare.write(
        "framework.csv",
        FRAMEWORK.replace("A1.2,A1,设施设备,15", "A1.2,A1,设施设备,16").replace(
            "V1,,重大安全责任事故,0,veto,", "V1,A9,重大安全责任事故,5,veto,"
        ),
    )
    code, out, err = run_in_process(capsys, *FILES, "--disagreement", "2")
    assert code == 2 and out == ""
    assert err.splitlines() == [
        "--disagreement: The disagreement threshold must be a share of the maximum from 0 to 1, "
        "not “2”.",
        "framework.csv, row 2, column “max_score”: The maximum scores of its sub-indicators add "
        "up to 41, not 40.",
        "framework.csv, row 8, column “parent”: Unknown parent A9: no indicator has this code.",
        "framework.csv, row 8, column “max_score”: A veto item (一票否决) has the maximum score "
        "0, not 5.",
        "ScoreRefused: The input has 4 error(s); nothing was scored.",
    ]

    bare.write("framework.csv", FRAMEWORK)
    lines = SCORES.splitlines()
    lines[1] = "城关一小,专家1,expert,A1.1,26"
    lines[2] = "城关一小,专家2,expert,A1,20"
    lines[6] = "城关一小,专家1,expert,A1.2,E"
    lines[11] = "城关一小,专家1,self,A2.1,yes"
    lines[12] = "城关一小,专家1,expert,A2.1,yes"
    bare.write("scores.csv", "\n".join(lines) + "\n")
    code, out, err = run_in_process(capsys, *FILES)
    assert code == 2
    assert err.splitlines() == [
        "scores.csv, row 2, column “value”: The score must be a number from 0 to 25, not “26”.",
        "scores.csv, row 3, column “code”: A1 has sub-indicators: score them, its score is "
        "their sum.",
        "scores.csv, row 7, column “value”: The level must be one of A, B, C, D, not “E”.",
        "scores.csv, row 12, column “group”: 专家1 rates 城关一小 in the group expert (row 2): a "
        "rater is in one group per target.",
        "scores.csv, row 13, column “code”: 专家1 already scored A2.1 of 城关一小 on row 12.",
        "ScoreRefused: The input has 5 error(s); nothing was scored.",
    ]


def test_the_dispatch(monkeypatch):
    import django.core.management

    from dudao import cli
    from dudao.evaluations import cli as evaluations

    calls = []
    monkeypatch.setattr(evaluations, "main", lambda argv: calls.append(("evaluation", argv)))
    monkeypatch.setattr(
        django.core.management,
        "execute_from_command_line",
        lambda argv: calls.append(("django", argv)),
    )
    cli.main(["evaluation", "score"])
    cli.main(["evaluations"])
    assert calls == [
        ("evaluation", ["dudao", "evaluation", "score"]),
        ("django", ["dudao", "evaluations"]),
    ]
