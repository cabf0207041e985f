"""Scoring of the evaluation engine (dudao/evaluations/engine/scoring.py) against sheets
computed by hand, property tests, the scores' checks, and the 1000-point framework with 7
A-level and 37 B-level indicators (issue 13). Pure Python: no database."""

import itertools
import json
from decimal import Decimal
from fractions import Fraction

import pytest
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dudao.evaluations.engine import (
    DEFAULT_GRADES,
    FAIL_GRADE,
    EngineError,
    FrameworkInvalid,
    FrameworkSpec,
    IndicatorSpec,
    ScoreEntry,
    ScoresInvalid,
    check_grades,
    group_mean,
    parse_disagreement,
    parse_framework_rows,
    parse_grades,
    parse_scores_rows,
    parse_weights,
    results_to_json,
    score_targets,
    to_decimal,
)

D = Decimal


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def row(code, parent, max_score, method="", levels="", formula=""):
    return {
        "code": code,
        "parent": parent,
        "title": code,
        "max_score": max_score,
        "method": method,
        "levels": levels,
        "formula": formula,
    }


# 100 points: A1 (60) with a third level under B4, A2 (40), and a veto item at the top.
FRAMEWORK = parse_framework_rows(
    [
        row("A1", "", "60"),
        row("B1", "A1", "20", "points"),
        row("B2", "A1", "10", "levels", "A:1,B:0.8,C:0.6,D:0"),
        row("B3", "A1", "10", "yesno"),
        row("B4", "A1", "20"),
        row("C1", "B4", "12", "points"),
        row("C2", "B4", "8", "points"),
        row("A2", "", "40", "points"),
        row("V1", "", "0", "veto"),
    ]
)


def entries(target, sheet):
    """ScoreEntry rows from {(rater, group): {code: value}}."""
    return [
        ScoreEntry(target, rater, group, code, str(value))
        for (rater, group), values in sheet.items()
        for code, value in values.items()
    ]


def one(framework, sheet, **options):
    [result] = score_targets(framework, entries("S", sheet), **options)
    return result


# ---- sheets computed by hand ----------------------------------------------------------------


def test_two_groups_with_weights_and_a_three_level_tree():
    sheet = {
        ("e1", "expert"): {"B1": 12, "B2": "A", "B3": "yes", "C1": 6, "C2": 5, "A2": 30},
        ("e2", "expert"): {"B1": 15, "B2": "B", "B3": "no", "C1": 7, "C2": 6, "A2": 31},
        ("e3", "expert"): {"B1": 18, "B2": "b", "B3": "yes", "C1": 8, "C2": 7, "A2": 35},
        ("school", "self"): {"B1": 20, "B2": "A", "B3": "是", "C1": 12, "A2": 40},
    }
    sheet[("e1", "expert")]["V1"] = "yes"
    sheet[("e2", "expert")]["V1"] = "yes"
    sheet[("e3", "expert")]["V1"] = "no"
    sheet[("school", "self")]["V1"] = "yes"
    result = one(FRAMEWORK, sheet, weights={"expert": D("0.6"), "self": D("0.4")})
    # B1: experts (12+15+18)/3 = 15, self 20: 0.6×15 + 0.4×20 = 17
    # B2: experts (10+8+8)/3 = 26/3, self 10: 0.6×26/3 + 0.4×10 = 5.2 + 4 = 9.2
    # B3: experts (10+0+10)/3 = 20/3, self 10: 4 + 4 = 8
    # C1: experts 7, self 12: 4.2 + 4.8 = 9; C2: experts only, 6 (weights renormalised)
    # A2: experts 32, self 40: 19.2 + 16 = 35.2; V1: 1 no of 4 answers, not vetoed
    assert result.indicators == {
        "A1": D("49.20"),  # 17 + 9.2 + 8 + 15
        "B1": D("17.00"),
        "B2": D("9.20"),
        "B3": D("8.00"),
        "B4": D("15.00"),  # 9 + 6
        "C1": D("9.00"),
        "C2": D("6.00"),
        "A2": D("35.20"),
        "V1": D("0.00"),
    }
    assert (result.total, result.max, result.grade, result.vetoed) == (
        D("84.40"),
        100,
        "良好",
        False,
    )
    assert result.by_group == {
        "expert": {
            "A1": D("43.34"),  # 15 + 8.67 + 6.67 + 13, the group's rounded means
            "B1": D("15.00"),
            "B2": D("8.67"),
            "B3": D("6.67"),
            "B4": D("13.00"),
            "C1": D("7.00"),
            "C2": D("6.00"),
            "A2": D("32.00"),
        },
        "self": {
            "A1": D("52.00"),  # C2 not scored by the school: B4 is C1's 12 only
            "B1": D("20.00"),
            "B2": D("10.00"),
            "B3": D("10.00"),
            "B4": D("12.00"),
            "C1": D("12.00"),
            "A2": D("40.00"),
        },
    }
    assert result.vetoes == {"V1": (1, 4)} and result.vetoed_by == ()
    assert result.missing == () and result.raters == {"expert": 3, "self": 1}
    assert result.passed

    # Without weights the groups count equally: B1 = (15 + 20) / 2 = 17.5, and so on.
    result = one(FRAMEWORK, sheet)
    assert result.indicators["B1"] == D("17.50")
    assert result.indicators["B2"] == D("9.33")  # (26/3 + 10) / 2 = 28/3
    assert result.indicators["A2"] == D("36.00")
    assert result.total == D("17.50") + D("9.33") + D("8.33") + D("9.50") + D("6.00") + 36


def test_five_raters_or_more_drop_the_single_highest_and_lowest():
    six = {(f"e{i}", "expert"): {"B1": v} for i, v in enumerate([2, 20, 10, 12, 14, 16])}
    assert one(FRAMEWORK, six).indicators["B1"] == D("13.00")  # (10+12+14+16)/4
    five = {(f"e{i}", "expert"): {"B1": v} for i, v in enumerate([5, 9, 10, 11, 19])}
    assert one(FRAMEWORK, five).indicators["B1"] == D("10.00")  # (9+10+11)/3
    # Ties: only one of each is dropped.
    ties = {(f"e{i}", "expert"): {"B1": v} for i, v in enumerate([0, 0, 10, 20, 20])}
    assert one(FRAMEWORK, ties).indicators["B1"] == D("10.00")  # (0+10+20)/3
    yes = {(f"e{i}", "expert"): {"B3": v} for i, v in enumerate(["yes"] * 4 + ["no"])}
    assert one(FRAMEWORK, yes).indicators["B3"] == D("10.00")  # 10, 10, 10 kept
    # Per group: 5 experts drop their extremes, the 2 peers do not.
    mixed = {**five, ("p1", "peer"): {"B1": 0}, ("p2", "peer"): {"B1": 20}}
    result = one(FRAMEWORK, mixed)
    assert result.by_group["peer"]["B1"] == D("10.00")
    assert result.indicators["B1"] == D("10.00")


def test_four_raters_keep_every_score():
    four = {(f"e{i}", "expert"): {"B1": v} for i, v in enumerate([0, 10, 11, 12])}
    assert one(FRAMEWORK, four).indicators["B1"] == D("8.25")  # 33/4, not (10+11)/2


def test_weights_are_renormalised_over_the_groups_that_scored_a_leaf():
    sheet = {
        ("e", "expert"): {"B1": 20, "C1": 10},
        ("s", "self"): {"B1": 10, "C2": 8},
        ("p", "peer"): {"B1": 15, "C1": 4},
    }
    weights = parse_weights("expert=0.6,self=0.2,peer=0.2")
    result = one(FRAMEWORK, sheet, weights=weights)
    assert result.indicators["B1"] == D("17.00")  # 0.6×20 + 0.2×10 + 0.2×15
    assert result.indicators["C1"] == D("8.50")  # (0.6×10 + 0.2×4) / 0.8
    assert result.indicators["C2"] == D("8.00")  # the school alone
    assert result.missing == ("B2", "B3", "A2", "V1")
    assert result.total == D("33.50")  # the missing count 0
    # Weights need not add up to 1; scaling them changes nothing.
    assert one(FRAMEWORK, sheet, weights={"expert": 6, "self": 2, "peer": 2}) == result

    # A group of weight 0 is shown but counts nothing; a leaf it alone scored is missing.
    result = one(FRAMEWORK, sheet, weights={"expert": 1, "self": 0, "peer": 1})
    assert result.indicators["B1"] == D("17.50") and result.indicators["C2"] == D("0.00")
    assert "C2" in result.missing and result.by_group["self"]["C2"] == D("8.00")

    with pytest.raises(EngineError) as caught:
        one(FRAMEWORK, sheet, weights={"expert": 1})
    assert caught.value.code == "weights_missing"
    assert str(caught.value) == "These groups have scores but no weight: peer, self."


def test_levels_yes_no_and_formulas():
    framework = parse_framework_rows(
        [
            row("L", "", "15", "levels", "优:1,良:0.8,中:0.6,差:0.3"),
            row("Y", "", "5", "yesno"),
            row("F", "", "10", "formula", formula="min(1, teachers / (pupils / 19)) * 10"),
        ]
    )
    sheets = [
        ({"L": "优", "Y": "yes", "F": "teachers=20;pupils=400"}, ("15.00", "5.00", "9.50")),
        ({"L": "良", "Y": "Y", "F": "teachers=25, pupils=400"}, ("12.00", "5.00", "10.00")),
        ({"L": "中", "Y": "no", "F": "pupils=0.0019,teachers=0"}, ("9.00", "0.00", "0.00")),
        ({"L": "差", "Y": "否", "F": "teachers：1；pupils：1"}, ("4.50", "0.00", "10.00")),
    ]
    for values, expected in sheets:
        result = one(framework, {("e", "expert"): values})
        assert [str(result.indicators[c]) for c in "LYF"] == list(expected), values
    # Raters' means: levels 优 and 差 → (15 + 4.5) / 2; yes, yes, no → 10/3.
    result = one(
        framework,
        {
            ("e1", "expert"): {"L": "优", "Y": "yes"},
            ("e2", "expert"): {"L": "差", "Y": "yes"},
            ("e3", "expert"): {"Y": "no"},
        },
    )
    assert result.indicators == {"L": D("9.75"), "Y": D("3.33"), "F": D("0.00")}
    assert result.missing == ("F",)


def test_a_veto_decides_whatever_the_total():
    full = {"B1": 20, "B2": "A", "B3": "yes", "C1": 12, "C2": 8, "A2": 40}
    sheet = {
        ("e1", "expert"): {**full, "V1": "no"},
        ("e2", "expert"): {**full, "V1": "否"},
        ("e3", "expert"): {**full, "V1": "yes"},
    }
    result = one(FRAMEWORK, sheet)
    assert result.total == 100 and result.vetoed and result.grade == FAIL_GRADE
    assert result.vetoed_by == ("V1",) and result.vetoes == {"V1": (2, 3)}
    assert not result.passed

    # Exactly half is not more than half.
    sheet[("e4", "expert")] = {**full, "V1": "yes"}
    result = one(FRAMEWORK, sheet)
    assert result.vetoes == {"V1": (2, 4)}
    assert not result.vetoed and result.grade == "优秀"

    # Every rater who answered counts, whatever their group and weight.
    sheet[("s", "self")] = {"V1": "no"}
    result = one(FRAMEWORK, sheet, weights={"expert": 1, "self": 0})
    assert result.vetoes == {"V1": (3, 5)} and result.vetoed

    # Each veto item on its own: one of two is enough.
    framework = parse_framework_rows(
        [row("P", "", "10", "points"), row("V1", "", "0", "veto"), row("V2", "", "0", "veto")]
    )
    result = one(
        framework,
        {("a", "x"): {"P": 10, "V1": "yes", "V2": "no"}, ("b", "x"): {"V1": "no", "V2": "no"}},
    )
    assert result.vetoes == {"V1": (1, 2), "V2": (2, 2)} and result.vetoed_by == ("V2",)
    # A veto item nobody answered is missing, and vetoes nothing.
    result = one(framework, {("a", "x"): {"P": 10}})
    assert result.missing == ("V1", "V2") and not result.vetoed and result.grade == "优秀"


@pytest.mark.parametrize(
    ("score", "grade"),
    [
        ("100", "优秀"),
        ("90", "优秀"),
        ("89.99", "良好"),
        ("80", "良好"),
        ("79.99", "合格"),
        ("60", "合格"),
        ("59.99", FAIL_GRADE),
        ("0", FAIL_GRADE),
    ],
)
def test_grade_boundaries(score, grade):
    framework = parse_framework_rows([row("P", "", "100", "points")])
    assert one(framework, {("e", "x"): {"P": score}}).grade == grade


def test_grades_are_percentages_of_the_maximum():
    framework = parse_framework_rows([row("P", "", "1000", "points")])
    grades = parse_grades("优秀=90，良好=83.2,合格=60")
    assert grades == (("优秀", 90), ("良好", D("83.2")), ("合格", 60))
    for score, grade in (("900", "优秀"), ("832", "良好"), ("831.99", "合格"), ("599", "不合格")):
        assert one(framework, {("e", "x"): {"P": score}}, grades=grades).grade == grade
    # A single pass line; the grades' order does not matter.
    assert one(framework, {("e", "x"): {"P": 700}}, grades=[("达标", 70)]).grade == "达标"
    assert check_grades([("合格", 60), ("优秀", 90)]) == (("优秀", 90), ("合格", 60))
    assert check_grades(None) == DEFAULT_GRADES == (("优秀", 90), ("良好", 80), ("合格", 60))


def test_rounding_half_up_once_per_leaf():
    framework = parse_framework_rows(
        [row("A", "", "20"), row("C1", "A", "10", "points"), row("C2", "A", "10", "points")]
    )
    sheet = {
        ("e1", "x"): {"C1": "1.00", "C2": 10},
        ("e2", "x"): {"C1": "1.01", "C2": 10},
        ("e3", "x"): {"C2": 0},
    }
    result = one(framework, sheet)
    # C1: 1.005 → 1.01 (half up, not to even); C2: 20/3 → 6.67; A = 1.01 + 6.67.
    assert result.indicators == {"A": D("7.68"), "C1": D("1.01"), "C2": D("6.67")}
    assert to_decimal(Fraction(-1, 200)) == D("-0.01") and str(to_decimal(3)) == "3.00"


def test_disagreements_are_flagged_above_the_threshold():
    sheet = {
        ("e1", "expert"): {"B1": 10, "C1": 6, "B3": "yes"},
        ("e2", "expert"): {"B1": 16, "C1": 6, "B3": "yes"},  # B1 spread 6 = 0.3 × 20: not above
        ("s", "self"): {"C1": 12, "B3": "no"},  # C1: group means 6 and 12
    }
    result = one(FRAMEWORK, sheet)
    assert [(d.code, d.rater_spread, d.group_spread) for d in result.disagreements] == [
        ("B3", D("10.00"), D("10.00")),
        ("C1", D("6.00"), D("6.00")),
    ]
    assert result.disagreements[0].low == ("s",) and result.disagreements[0].high == ("e1", "e2")
    result = one(FRAMEWORK, sheet, disagreement=D("0.2"))
    assert [d.code for d in result.disagreements] == ["B1", "B3", "C1"]
    assert parse_disagreement("0.25") == D("0.25")
    for bad in ("x", "1.5", "-0.1"):
        with pytest.raises(EngineError):
            parse_disagreement(bad)


def test_targets_in_order_and_their_own_indicators():
    extra = parse_framework_rows([row("X", "", "20"), row("X1", "X", "20", "points")])
    scores = [
        ScoreEntry("T2", "e", "expert", "A2", "40"),
        ScoreEntry("T1", "e", "expert", "A2", "20"),
        ScoreEntry("T2", "e", "expert", "X1", "10"),
    ]
    results = score_targets(FRAMEWORK, scores, extra={"T2": extra}, targets=["T3", "T1"])
    assert [r.target for r in results] == ["T3", "T1", "T2"]
    t3, t1, t2 = results
    assert (t3.total, t3.max, t3.grade) == (0, 100, FAIL_GRADE)
    assert len(t3.missing) == 7
    assert (t1.total, t1.max, "X" in t1.indicators) == (20, 100, False)
    assert (t2.total, t2.max, t2.indicators["X"]) == (50, 120, 10)
    # The target's own codes are unknown elsewhere, and may not clash with the base.
    with pytest.raises(ScoresInvalid) as caught:
        score_targets(FRAMEWORK, [ScoreEntry("T1", "e", "expert", "X1", "1")], extra={"T2": extra})
    assert [e.code for e in caught.value.errors] == ["unknown_code"]
    with pytest.raises(FrameworkInvalid):
        score_targets(FRAMEWORK, scores, extra={"T2": FRAMEWORK})


def test_json_output():
    sheet = {("e", "expert"): {"B1": "12.5", "A2": 40}}
    doc = json.loads(results_to_json(score_targets(FRAMEWORK, entries("S1", sheet))))
    assert doc == {
        "targets": [
            {
                "target": "S1",
                "total": 52.5,
                "max": 100,
                "grade": FAIL_GRADE,
                "vetoed": False,
                "indicators": {
                    "A1": 12.5,
                    "B1": 12.5,
                    "B2": 0,
                    "B3": 0,
                    "B4": 0,
                    "C1": 0,
                    "C2": 0,
                    "A2": 40,
                    "V1": 0,
                },
            }
        ]
    }
    detailed = json.loads(
        results_to_json(score_targets(FRAMEWORK, entries("S1", sheet)), details=True)
    )["targets"][0]
    assert detailed["by_group"] == {"expert": {"A1": 12.5, "B1": 12.5, "A2": 40}}
    assert detailed["missing"] == ["B2", "B3", "C1", "C2", "V1"]
    assert detailed["raters"] == {"expert": 1}
    assert (detailed["vetoed_by"], detailed["vetoes"], detailed["disagreements"]) == ([], {}, [])


# ---- the scores' checks -----------------------------------------------------------------------


def score_row(target, rater, group, code, value):
    return {"target": target, "rater": rater, "group": group, "code": code, "value": value}


def test_every_problem_of_the_scores_with_its_row():
    rows = [
        score_row("S1", "e1", "expert", "B1", "12"),  # 2
        score_row("S1", "e1", "expert", "Z9", "1"),  # 3 unknown code
        score_row("S1", "e1", "expert", "A1", "1"),  # 4 a parent
        score_row("S1", "e1", "expert", "B1", "13"),  # 5 twice
        score_row("S1", "e1", "self", "C1", "3"),  # 6 another group
        score_row("S1", "e2", "expert", "B1", "20.01"),  # 7 above the maximum
        score_row("S1", "e2", "expert", "C1", "-1"),  # 8 below 0
        score_row("S1", "e2", "expert", "C2", "many"),  # 9 not a number
        score_row("S1", "e2", "expert", "B2", "E"),  # 10 no such level
        score_row("S1", "e2", "expert", "B3", "maybe"),  # 11 yes or no
        score_row("S1", "e2", "expert", "V1", "1"),  # 12 yes or no
        score_row("", "", "expert", "A2", ""),  # 13 target, rater, value
        score_row("S1", "e3", "", "A2", "1"),  # 14 group
        score_row("S2", "e1", "self", "B1", "12"),  # 15 fine: another target
    ]
    with pytest.raises(ScoresInvalid) as caught:
        parse_scores_rows(rows, FRAMEWORK)
    assert [str(e) for e in caught.value.errors] == [
        "Row 3, column “code”: Unknown indicator code Z9: it is not in the framework.",
        "Row 4, column “code”: A1 has sub-indicators: score them, its score is their sum.",
        "Row 5, column “code”: e1 already scored B1 of S1 on row 2.",
        "Row 6, column “group”: e1 rates S1 in the group expert (row 2): a rater is in one "
        "group per target.",
        "Row 7, column “value”: The score must be a number from 0 to 20, not “20.01”.",
        "Row 8, column “value”: The score must be a number from 0 to 12, not “-1”.",
        "Row 9, column “value”: The score must be a number from 0 to 8, not “many”.",
        "Row 10, column “value”: The level must be one of A, B, C, D, not “E”.",
        "Row 11, column “value”: Answer yes or no, not “maybe”.",
        "Row 12, column “value”: Answer yes or no, not “1”.",
        "Row 13, column “target”: This column is required.",
        "Row 13, column “rater”: This column is required.",
        "Row 14, column “group”: This column is required.",
    ]
    assert str(caught.value) == "The scores have 13 error(s)."
    assert parse_scores_rows(rows[:1] + rows[-1:], FRAMEWORK) == [
        ScoreEntry("S1", "e1", "expert", "B1", "12"),
        ScoreEntry("S2", "e1", "self", "B1", "12"),
    ]


def test_formula_values_are_checked():
    framework = parse_framework_rows([row("F", "", "10", "formula", formula="a / b * 10")])
    rows = [
        score_row("S", "e1", "x", "F", "a=1;b=2"),
        score_row("S", "e2", "x", "F", "a=1"),
        score_row("S", "e3", "x", "F", "a=1;b=0"),
        score_row("S", "e4", "x", "F", "a=1;b=2;c=3"),
        score_row("S", "e5", "x", "F", "a=one;b=2"),
        score_row("S", "e6", "x", "F", "12"),
    ]
    with pytest.raises(ScoresInvalid) as caught:
        parse_scores_rows(rows, framework)
    assert [str(e) for e in caught.value.errors] == [
        "Row 3, column “value”: The formula “a / b * 10” needs a number for b.",
        "Row 4, column “value”: The formula “a / b * 10” divides by zero with these numbers.",
        "Row 5, column “value”: The formula reads a, b, not c.",
        "Row 6, column “value”: a must be a number, not “one”.",
        "Row 7, column “value”: Write name=number, separated by commas, such as "
        "teachers=20;pupils=380.",
    ]
    # Results above the maximum or below 0 are kept within them.
    result = one(framework, {("e", "x"): {"F": "a=3;b=2"}, ("f", "x"): {"F": "a=-1;b=2"}})
    assert result.indicators["F"] == D("5.00")  # (10 + 0) / 2


def test_numbers_of_absurd_magnitude_are_refused():
    for value in ("1e999999999", "1e-999999999", "NaN", "Infinity"):
        with pytest.raises(ScoresInvalid) as caught:
            score_targets(FRAMEWORK, [ScoreEntry("S", "e", "x", "B1", value)])
        assert [e.code for e in caught.value.errors] == ["value"]
    with pytest.raises(EngineError):
        parse_weights("expert=1e-999999999")
    # Tiny but ordinary numbers are fine.
    result = one(FRAMEWORK, {("e", "x"): {"B1": "0.000001"}})
    assert result.indicators["B1"] == D("0.00")


def test_entries_given_directly_are_checked_too():
    with pytest.raises(ScoresInvalid) as caught:
        score_targets(FRAMEWORK, [ScoreEntry("S", "e", "x", "B1", "21")])
    [error] = caught.value.errors
    assert error.row is None and error.indicator == "B1"
    assert str(error) == "Indicator B1: The score must be a number from 0 to 20, not “21”."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write name=number, separated by commas, such as expert=0.6,self=0.2,peer=0.2."),
        ("expert", "Write name=number, separated by commas, such as expert=0.6,self=0.2,"),
        ("expert=x", "The weight of expert must be a number of 0 or more, not “x”."),
        ("expert=-1", "The weight of expert must be a number of 0 or more, not “-1”."),
        ("expert=1,expert=2", "The group expert is given twice."),
        ("expert=0,self=0", "At least one weight must be above 0."),
    ],
)
def test_bad_weights(text, message):
    with pytest.raises(EngineError) as caught:
        parse_weights(text)
    assert str(caught.value).startswith(message)


def test_weights_syntax():
    assert parse_weights(" expert = 0.6 ，self：0.2; peer=0.2") == {
        "expert": D("0.6"),
        "self": D("0.2"),
        "peer": D("0.2"),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Write name=number, separated by commas, such as 优秀=90,良好=80,合格=60."),
        ("优秀=101", "The threshold of 优秀 must be a percentage from 0 to 100, not “101”."),
        ("优秀=x", "The threshold of 优秀 must be a percentage from 0 to 100, not “x”."),
        ("优秀=90,优秀=80", "The grade 优秀 is given twice."),
        ("优秀=90,良好=90", "良好 and 优秀 have the same threshold 90."),
    ],
)
def test_bad_grades(text, message):
    with pytest.raises(EngineError) as caught:
        parse_grades(text)
    assert str(caught.value) == message


# ---- the 1000-point framework -------------------------------------------------------------------

A_MAXIMA = [200, 150, 150, 150, 150, 100, 100]  # 1000 points in 7 A-level indicators
B_COUNTS = [6, 5, 5, 5, 6, 5, 5]  # 37 B-level indicators


def thousand_points():
    rows = []
    leaves = []
    methods = itertools.cycle(["points", "levels", "yesno", "points"])
    for a, (a_max, count) in enumerate(zip(A_MAXIMA, B_COUNTS, strict=True), 1):
        rows.append(row(f"A{a}", "", str(a_max)))
        share, rest = divmod(a_max * 2, count)  # half points: B maxima of .5 steps
        maxima = [D(share + (1 if i < rest else 0)) / 2 for i in range(count)]
        for b, b_max in enumerate(maxima, 1):
            method = next(methods)
            levels = "A:1,B:0.85,C:0.7,D:0.5" if method == "levels" else ""
            code = f"A{a}.B{b}"
            rows.append(row(code, f"A{a}", str(b_max), method, levels))
            leaves.append((code, b_max, method))
    rows.append(row("V", "", "0", "veto"))
    return rows, leaves


def test_the_1000_point_framework_scores_correctly():
    rows, leaves = thousand_points()
    framework = parse_framework_rows(rows)
    assert framework.total_max == 1000
    assert len(framework.roots) == 8 and len(framework.leaves) == 38
    assert sum(1 for s in framework if framework.depth(s.code) == 2) == 37

    weights = {"expert": D("0.7"), "self": D("0.3")}
    shares = {"A": Fraction(1), "B": Fraction(85, 100), "C": Fraction(70, 100), "D": Fraction(1, 2)}
    scores = []
    expected_leaf = {}
    for n, (code, b_max, method) in enumerate(leaves):
        maximum = Fraction(b_max)
        if method == "points":
            experts = [maximum * Fraction(k, 10) for k in (5, 6, 7, 8, 9, 10)][: 3 + n % 4]
            values = [str(Decimal(v.numerator) / Decimal(v.denominator)) for v in experts]
            own = maximum
        elif method == "levels":
            labels = ["A", "B", "C", "D", "B"][: 2 + n % 4]
            values = labels
            experts = [shares[label] * maximum for label in labels]
            own = maximum
        else:
            values = ["yes", "no", "yes", "yes", "yes"][: 1 + n % 5]
            experts = [maximum if v == "yes" else 0 for v in values]
            own = maximum
        for i, value in enumerate(values):
            scores.append(ScoreEntry("学校", f"e{i}", "expert", code, value))
        scores.append(ScoreEntry("学校", "self", "self", code, "A" if method == "levels" else (
            "yes" if method == "yesno" else str(b_max))))  # fmt: skip
        kept = sorted(experts)[1:-1] if len(experts) >= 5 else experts
        mean = sum(kept, Fraction(0)) / len(kept)
        exact = Fraction(7, 10) * mean + Fraction(3, 10) * own
        expected_leaf[code] = to_decimal(exact)
    scores += [ScoreEntry("学校", f"e{i}", "expert", "V", "yes") for i in range(3)]

    [result] = score_targets(framework, scores, weights=weights)
    for code, value in expected_leaf.items():
        assert result.indicators[code] == value, code
    for a in range(1, 8):
        children = [v for c, v in expected_leaf.items() if c.startswith(f"A{a}.")]
        assert result.indicators[f"A{a}"] == sum(children)
    assert result.total == sum(expected_leaf.values())
    assert result.max == 1000 and result.missing == () and not result.vetoed
    assert result.grade == next(
        (name for name, t in DEFAULT_GRADES if result.total * 100 >= t * 1000), FAIL_GRADE
    )
    assert D(800) < result.total < D(1000)


# ---- properties --------------------------------------------------------------------------------

GROUPS = ("expert", "self", "peer")


@st.composite
def frameworks(draw):
    """A random valid framework: up to three levels, every method, maxima in half points."""
    rows = []
    counter = itertools.count(1)

    def node(parent, depth):
        code = f"I{next(counter)}"
        index = len(rows)
        rows.append(None)
        if depth < 3 and draw(st.integers(0, 2)) == 0:
            total = sum(node(code, depth + 1) for _ in range(draw(st.integers(1, 3))))
            rows[index] = row(code, parent, str(total))
            return total
        method = draw(st.sampled_from(["points", "points", "levels", "yesno", "veto"]))
        maximum = D(0) if method == "veto" else D(draw(st.integers(1, 40))) / 2
        levels = "A:1,B:0.75,C:0.4,D:0" if method == "levels" else ""
        rows[index] = row(code, parent, str(maximum), method, levels)
        return maximum

    for _ in range(draw(st.integers(1, 4))):
        node("", 1)
    return parse_framework_rows(rows)


def value_for(draw, spec):
    if spec.method == "points":
        return str(D(draw(st.integers(0, int(spec.max_score * 100)))) / 100)
    if spec.method == "levels":
        return draw(st.sampled_from(["A", "B", "C", "D", "b"]))
    return draw(st.sampled_from(["yes", "no"]))


@st.composite
def scored(draw):
    framework = draw(frameworks())
    scores = []
    for target in ("T1", "T2"):
        for group in draw(st.lists(st.sampled_from(GROUPS), min_size=1, max_size=3, unique=True)):
            for r in range(draw(st.integers(1, 7))):
                for spec in framework.leaves:
                    if draw(st.integers(0, 4)):
                        value = value_for(draw, spec)
                        scores.append(ScoreEntry(target, f"{group}{r}", group, spec.code, value))
    weights = {g: D(draw(st.integers(1, 10))) / 10 for g in GROUPS}
    return framework, scores, weights


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(scored())
def test_scores_stay_within_maxima_at_every_node(case):
    framework, scores, weights = case
    for result in score_targets(framework, scores, weights=weights):
        for spec in framework:
            score = result.indicators[spec.code]
            assert 0 <= score <= spec.max_score
            if not spec.is_leaf:
                assert score == sum(
                    result.indicators[c.code] for c in framework.children(spec.code)
                )
        for group_scores in result.by_group.values():
            for code, score in group_scores.items():
                assert 0 <= score <= framework.get(code).max_score
        assert result.total == sum(result.indicators[s.code] for s in framework.roots)
        assert 0 <= result.total <= result.max == framework.total_max
        assert set(result.missing) <= {s.code for s in framework.leaves}


@PROPERTY
@given(scored(), st.integers(1, 1000))
def test_scaling_the_weights_changes_nothing(case, factor):
    framework, scores, weights = case
    scaled = {g: w * factor / 8 for g, w in weights.items()}  # exact in Decimal
    assert score_targets(framework, scores, weights=scaled) == score_targets(
        framework, scores, weights=weights
    )
    equal = {g: D(3) for g in GROUPS}
    assert score_targets(framework, scores, weights=equal) == score_targets(framework, scores)


@PROPERTY
@given(scored(), st.data())
def test_a_veto_always_fails(case, data):
    framework, scores, weights = case
    vetoes = framework.veto_items
    if not vetoes:
        veto = IndicatorSpec("VETO", None, "veto", D(0), "veto")
        framework = FrameworkSpec((*framework.indicators, veto))
        vetoes = (veto,)
    code = data.draw(st.sampled_from(vetoes)).code
    scores = [s for s in scores if not (s.target == "T1" and s.code == code)]
    noes = data.draw(st.integers(1, 6))
    yeses = data.draw(st.integers(0, noes - 1))
    scores += [ScoreEntry("T1", f"v{i}", "expert", code, "no") for i in range(noes)]
    scores += [ScoreEntry("T1", f"w{i}", "expert", code, "yes") for i in range(yeses)]
    result = score_targets(
        framework, scores, weights=weights, grades=[("合格", 0)], targets=["T1"]
    )[0]
    assert result.target == "T1" and result.vetoed and code in result.vetoed_by
    assert result.grade == FAIL_GRADE and not result.passed
    # Without that item's noes the lowest grade (0 %) is reached unless another item vetoes.
    rest = [s for s in scores if not (s.code == code and s.value == "no")]
    again = score_targets(framework, rest, weights=weights, grades=[("合格", 0)], targets=["T1"])[0]
    assert code not in again.vetoed_by
    assert again.grade == (FAIL_GRADE if again.vetoed else "合格")


@given(st.lists(st.integers(0, 2000), min_size=1, max_size=12))
def test_extremes_are_dropped_only_with_five_raters_or_more(values):
    fractions = [Fraction(v, 100) for v in values]
    mean = group_mean(fractions)
    if len(values) < 5:
        assert mean == sum(fractions) / len(fractions)
    else:
        ordered = sorted(fractions)
        assert mean == sum(ordered[1:-1]) / (len(values) - 2)
    framework = parse_framework_rows([row("P", "", "20", "points")])
    sheet = {(f"e{i}", "x"): {"P": str(D(v) / 100)} for i, v in enumerate(values)}
    assert one(framework, sheet).indicators["P"] == to_decimal(mean)
