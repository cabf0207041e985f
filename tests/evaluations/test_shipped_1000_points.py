"""The SHIPPED 1000-point school framework (dudao/evaluations/builtin/school_1000_points.csv:
7 A-level and 37 B-level indicators) scored by the engine against a score sheet whose total,
A-level sums and grade are computed here independently, straight from the CSV rows: every
points leaf at three quarters of its maximum, every levels leaf at "B" except the first at
"D", the first yes/no item "yes" and the second "no", the veto items "yes" (and then one
"no", which fails the target whatever its total). The same sheet through the built-in
framework as loaded into the database gives the same result."""

import csv
from decimal import Decimal

import pytest

from dudao.evaluations import round_services, shipped
from dudao.evaluations.engine import ScoreEntry, read_framework_file, score_targets
from dudao.evaluations.models import Framework

PATH = shipped.BUILTIN_DIR / "school_1000_points.csv"
D = Decimal


def rows():
    with PATH.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def sheet():
    """{leaf code: entered value} and {leaf code: its expected score}, by hand."""
    entered, expected = {}, {}
    yesno = 0
    first_levels = True
    for row in rows():
        method, maximum, code = row["method"], D(row["max_score"]), row["code"]
        if method == "points":
            entered[code] = str(maximum * 3 / 4)
            expected[code] = maximum * 3 / 4
        elif method == "levels":
            shares = dict(pair.split(":") for pair in row["levels"].split(","))
            letter = "D" if first_levels else "B"
            first_levels = False
            entered[code], expected[code] = letter, maximum * D(shares[letter])
        elif method == "yesno":
            yesno += 1
            entered[code] = "yes" if yesno == 1 else "no"
            expected[code] = maximum if yesno == 1 else D(0)
        elif method == "veto":
            entered[code], expected[code] = "yes", D(0)
        else:
            assert not method, f"{code}: a method this test does not compute: {method}"
    return entered, expected


def hand_result():
    """The total and each A-level sum, climbing from each leaf to its root."""
    parent = {row["code"]: row["parent"] for row in rows()}
    _entered, expected = sheet()
    roots: dict[str, Decimal] = {row["code"]: D(0) for row in rows() if not row["parent"]}
    for code, value in expected.items():
        while parent[code]:
            code = parent[code]
        roots[code] += value
    total = sum(roots.values(), D(0))
    percent = total / 1000 * 100
    grade = next(
        (name for name, line in (("优秀", 90), ("良好", 80), ("合格", 60)) if percent >= line),
        "不合格",
    )
    return total, roots, grade


def score(spec, entered):
    entries = [
        ScoreEntry(target="学校", rater="e1", group="expert", code=code, value=value)
        for code, value in entered.items()
    ]
    (result,) = score_targets(spec, entries)
    return result


def test_the_hand_sheet_covers_the_shipped_framework():
    data = rows()
    assert sum(1 for r in data if not r["parent"]) == 7
    a_codes = {r["code"] for r in data if not r["parent"]}
    assert sum(1 for r in data if r["parent"] in a_codes) == 37
    entered, _expected = sheet()
    assert sum(1 for v in entered.values() if v in ("yes", "no")) == 4  # 2 yes/no, 2 veto
    total, roots, grade = hand_result()
    # By hand: points leaves 700 × 3/4 = 525, yes/no 10 of 20, levels 280 × 0.8 = 224 less
    # the first (10 points) at D instead of B: 751 of 1000 = 75.1 % → 合格.
    assert total == D("751.00") and grade == "合格"  # 525 + 10 + 224 - 8
    assert sum(roots.values()) == total and len(roots) == 7


def test_the_shipped_1000_point_framework_scores_as_computed_by_hand():
    check(read_framework_file(PATH))


@pytest.mark.django_db
def test_the_loaded_built_in_scores_the_same():
    shipped.ensure_builtin_frameworks()
    framework = (
        Framework.objects.unscoped()
        .filter(office__isnull=True, key=shipped.SCHOOL_1000)
        .latest("revision")
    )
    check(round_services.spec_of(framework))


def check(spec):
    assert spec.total_max == 1000
    entered, expected = sheet()
    total, roots, grade = hand_result()
    result = score(spec, entered)
    assert result.max == 1000
    assert result.total == total and result.grade == grade and not result.vetoed
    assert {code: result.indicators[code] for code in roots} == roots
    for code, value in expected.items():
        assert result.indicators[code] == value, code
    assert result.missing == ()

    # One veto item answered "no" by the only rater: vetoed, 不合格, the total unchanged.
    veto = next(r["code"] for r in rows() if r["method"] == "veto")
    vetoed = score(spec, {**entered, veto: "no"})
    assert vetoed.vetoed and vetoed.grade == "不合格" and vetoed.vetoed_by == (veto,)
    assert vetoed.total == total
