"""The built-in evaluation frameworks (dudao/evaluations/builtin/*.csv, described in the README
beside them): each file is a valid tree as the issue's rules state them, read here with the csv
module alone, and the framework engine reads each without an error. The official counts hold:
the 2021 compulsory-school guide's 5 areas, 12 key indicators and 27 points of examination;
the 1000-point school framework's 7 A-level and 37 B-level indicators."""

import csv
import importlib
import re
from decimal import Decimal
from pathlib import Path

import pytest

import dudao

BUILTIN = Path(dudao.__file__).parent / "evaluations" / "builtin"
ENGINE = Path(dudao.__file__).parent / "evaluations" / "engine" / "framework.py"

COLUMNS = ["code", "parent", "title", "max_score", "method", "levels"]
OPTIONAL = ["guide", "evidence", "formula"]
METHODS = {"points", "levels", "yesno", "veto", "formula"}

# file → (total maximum, {depth: number of scored indicators (veto items not counted)},
#         least number of veto items)
EXPECTED = {
    "compulsory_quality_2021.csv": (Decimal(100), {1: 5, 2: 12, 3: 27}, 0),
    "kindergarten_conduct_2017.csv": (Decimal(100), {1: 5, 2: 15}, 1),
    "county_government_duties.csv": (Decimal(100), {1: 5}, 2),
    "township_target_management.csv": (Decimal(100), {1: 4}, 1),
    "school_1000_points.csv": (Decimal(1000), {1: 7, 2: 37}, 1),
}


def read(name):
    with open(BUILTIN / name, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def tree(rows):
    by_code = {r["code"]: r for r in rows}
    children = {r["code"]: [] for r in rows}
    for r in rows:
        if r["parent"]:
            children[r["parent"]].append(r)

    def depth(row):
        d = 1
        while row["parent"]:
            row = by_code[row["parent"]]
            d += 1
        return d

    return by_code, children, depth


def test_the_directory_holds_exactly_the_expected_files():
    assert sorted(p.name for p in BUILTIN.glob("*.csv")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_header_and_encoding(name):
    raw = (BUILTIN / name).read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")  # UTF-8 without BOM
    raw.decode("utf-8")  # strict
    header, rows = read(name)
    assert header == COLUMNS + OPTIONAL
    assert rows
    for row in rows:
        assert None not in row and all(v is not None for v in row.values()), row
        assert row == {k: v.strip() for k, v in row.items()}, row


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_tree_is_valid(name):
    _header, rows = read(name)
    codes = [r["code"] for r in rows]
    assert len(codes) == len(set(codes)), "duplicate codes"
    _by_code, children, _depth = tree(rows)
    seen = set()
    for row in rows:
        assert row["code"] and row["title"], row
        # a parent exists and comes before its children (no cycles possible then)
        assert not row["parent"] or row["parent"] in seen, row["code"]
        seen.add(row["code"])
        maximum = Decimal(row["max_score"])
        assert maximum >= 0 and maximum == maximum.quantize(Decimal("0.01"))
        kids = children[row["code"]]
        if kids:
            assert row["method"] == "" and row["levels"] == "", row["code"]
            assert sum(Decimal(k["max_score"]) for k in kids) == maximum, row["code"]
        else:
            assert row["method"] in METHODS, row["code"]
            assert row["guide"] and row["evidence"], row["code"]
        if row["method"] == "veto":
            assert maximum == 0, row["code"]
        elif row["method"]:
            assert maximum > 0, row["code"]
        if row["method"] == "levels":
            shares = [Decimal(part.split(":")[1]) for part in row["levels"].split(",")]
            assert max(shares) == 1 and all(0 <= s <= 1 for s in shares), row["code"]
        else:
            assert row["levels"] == "", row["code"]
        assert bool(row["formula"]) == (row["method"] == "formula"), row["code"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_totals_counts_and_codes(name):
    total, counts, vetoes = EXPECTED[name]
    _header, rows = read(name)
    _by_code, _children, depth = tree(rows)
    roots = [r for r in rows if not r["parent"]]
    assert sum(Decimal(r["max_score"]) for r in roots) == total
    scored = [r for r in rows if r["method"] != "veto"]
    for level, count in counts.items():
        assert sum(1 for r in scored if depth(r) == level) == count, level
    assert sum(1 for r in rows if r["method"] == "veto") >= vetoes
    # The code scheme (README): A/B/C by depth, V for a veto item wherever it sits, each
    # letter numbered 1, 2, 3… in reading order.
    numbers = {}
    for row in rows:
        letter = "V" if row["method"] == "veto" else "ABCD"[depth(row) - 1]
        match = re.fullmatch(r"([A-Z])(\d+)", row["code"])
        assert match and match.group(1) == letter, row["code"]
        numbers.setdefault(letter, []).append(int(match.group(2)))
    for letter, found in numbers.items():
        assert found == list(range(1, len(found) + 1)), letter


def test_the_1000_point_framework_has_c_level_points():
    _header, rows = read("school_1000_points.csv")
    _by_code, children, depth = tree(rows)
    b_level = [r for r in rows if depth(r) == 2]
    assert sum(1 for r in b_level if children[r["code"]]) >= 30
    assert sum(1 for r in rows if depth(r) == 3 and r["method"] != "veto") >= 60


def test_the_readme_describes_every_file():
    readme = (BUILTIN / "README.md").read_text(encoding="utf-8")
    for name in EXPECTED:
        assert f"`{name}`" in readme, name


@pytest.mark.skipif(not ENGINE.exists(), reason="the framework engine is not there yet")
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_the_engine_reads_each_file(name):
    engine = importlib.import_module("dudao.evaluations.engine.framework")
    total, _counts, vetoes = EXPECTED[name]
    framework = engine.read_framework_file(BUILTIN / name)
    _header, rows = read(name)
    assert len(framework) == len(rows)
    assert framework.total_max == total
    assert len(framework.roots) == sum(1 for r in rows if not r["parent"])
    assert len(framework.veto_items) >= vetoes
    for row in rows:
        spec = framework.get(row["code"])
        assert spec.title == row["title"] and spec.method == row["method"]
        assert (spec.guide, spec.evidence) == (row["guide"], row["evidence"])
        assert spec.max_score == Decimal(row["max_score"])
    # and it writes the rows back as they are
    assert [
        {k: v for k, v in r.items() if k in COLUMNS + OPTIONAL} for r in framework.to_rows()
    ] == rows
