"""Hand-computed cases for every indicator of both regimes. Expected figures are worked out
with plain arithmetic here, never with the engine."""

import math

import pytest

from dudao.monitoring.engine import composite_cv, evaluate, round_half_up
from dudao.monitoring.inputs import SchoolData

from .helpers import school


def two_school_cv(p1, x1, p2, x2):
    """By hand: with weights w1 = p1/P and w2 = p2/P, mean = w1·x1 + w2·x2 and
    S = sqrt(w1·(x1 − mean)² + w2·(x2 − mean)²)."""
    total = p1 + p2
    w1, w2 = p1 / total, p2 / total
    mean = w1 * x1 + w2 * x2
    s = math.sqrt(w1 * (x1 - mean) ** 2 + w2 * (x2 - mean) ** 2)
    return mean, s / mean


# School A: 100 pupils; school B: 300 pupils.
A = school(
    "A",
    enrol_primary=100,
    floor_area=500,  # 5 m²/pupil
    sports_area=800,  # 8
    equipment_value=200_000,  # 2000 yuan
    computers=10,  # 10 per 100
    books=3000,  # 30
    multimedia_rooms=3,  # 3 per 100
    teachers_primary=6,  # 0.06
    qualified_primary=5,  # 0.05 / 5 per 100
    senior_title_primary=3,  # 0.03
    backbone_primary=1,  # 1 per 100
    pe_arts_primary=1,  # 1 per 100
)
B = school(
    "B",
    enrol_primary=300,
    floor_area=1200,  # 4
    sports_area=1800,  # 6
    equipment_value=450_000,  # 1500
    computers=24,  # 8 per 100
    books=6000,  # 20
    multimedia_rooms=6,  # 2 per 100
    teachers_primary=15,  # 0.05
    qualified_primary=12,  # 0.04 / 4 per 100
    senior_title_primary=6,  # 0.02
    backbone_primary=3,  # 1 per 100
    pe_arts_primary=2,  # 0.6667 per 100
)

BASIC_EXPECTED = {  # key: (value of A, value of B)
    "floor_area": (5, 4),
    "sports_area": (8, 6),
    "equipment_value": (2000, 1500),
    "computers_per_100": (10, 8),
    "books": (30, 20),
    "teacher_ratio": (0.06, 0.05),
    "qualified_teachers": (0.05, 0.04),
    "senior_title_teachers": (0.03, 0.02),
}
QUALITY_EXPECTED = {
    "qualified_teachers_per_100": (5, 4),
    "backbone_teachers_per_100": (1, 1),
    "pe_arts_teachers_per_100": (1, 2 / 3),
    "floor_area": (5, 4),
    "sports_area": (8, 6),
    "equipment_value": (2000, 1500),
    "multimedia_rooms_per_100": (3, 2),
}


def data(*records, ruleset="basic-2012"):
    return SchoolData.from_records(list(records), ruleset)


@pytest.mark.parametrize("key", list(BASIC_EXPECTED))
def test_basic_2012_every_indicator_by_hand(key):
    result = evaluate(data(A, B), "basic-2012", 2025)
    level = result.levels["primary"]
    xa, xb = BASIC_EXPECTED[key]
    mean, cv = two_school_cv(100, xa, 300, xb)
    indicator = level.indicator(key)
    assert indicator.mean == pytest.approx(mean, rel=1e-12)
    assert indicator.cv == pytest.approx(cv, rel=1e-12)
    assert level.school("A").values[key] == pytest.approx(xa)
    assert level.school("B").values[key] == pytest.approx(xb)


def test_floor_area_by_hand_literal():
    # mean = (500 + 1200) / 400 = 4.25; S² = 0.25·0.75² + 0.75·0.25² = 0.1875
    result = evaluate(data(A, B), "basic-2012")
    indicator = result.levels["primary"].indicator("floor_area")
    assert indicator.mean == pytest.approx(4.25)
    assert indicator.cv == pytest.approx(math.sqrt(0.1875) / 4.25)
    assert indicator.cv_rounded == 0.102


def test_basic_2012_composite_and_conclusion():
    result = evaluate(data(A, B), "basic-2012", 2025)
    level = result.levels["primary"]
    cvs = [
        two_school_cv(100, *BASIC_EXPECTED[k][:1], 300, BASIC_EXPECTED[k][1])[1]
        for k in BASIC_EXPECTED
    ]
    assert level.composite_cv == pytest.approx(sum(cvs) / 8, rel=1e-12)
    assert level.composite_threshold == 0.65
    assert level.passed is (sum(cvs) / 8 <= 0.65)
    assert result.levels["junior"].passed is None  # no junior schools
    assert result.empty_levels == ["junior"]
    assert result.levels["junior"].note
    assert result.passed is level.passed
    assert result.rule_set["name"] == "basic-2012"
    assert result.rule_set["version"] == "2012.2"


def test_basic_2012_fails_above_the_composite_limit():
    poor = school(
        "C",
        enrol_primary=1000,
        floor_area=100,
        sports_area=100,
        equipment_value=1000,
        computers=1,
        books=100,
        teachers_primary=20,
        qualified_primary=1,
        senior_title_primary=1,
    )
    rich = school(
        "D",
        enrol_primary=100,
        floor_area=2000,
        sports_area=3000,
        equipment_value=900_000,
        computers=100,
        books=9000,
        teachers_primary=30,
        qualified_primary=30,
        senior_title_primary=30,
    )
    level = evaluate(data(poor, rich), "basic-2012").levels["primary"]
    assert level.composite_cv > 0.65
    assert level.passed is False


def test_rules_check_composite_4_734():
    """docs/rules.md §17: a district's eight primary CVs summing to 4.734 give 0.59175 → 0.592."""
    cvs = [0.612, 0.598, 0.587, 0.604, 0.571, 0.583, 0.590, 0.589]
    assert math.fsum(cvs) == pytest.approx(4.734)
    assert composite_cv(cvs) == pytest.approx(0.59175)
    assert round_half_up(composite_cv(cvs), 3) == 0.592
    assert composite_cv([*cvs[:7], None]) is None


def test_round_half_up_is_not_bankers_rounding():
    assert round_half_up(0.0125, 3) == 0.013
    assert round_half_up(0.5925, 3) == 0.593


@pytest.mark.parametrize("key", list(QUALITY_EXPECTED))
def test_quality_2017_every_indicator_by_hand(key):
    result = evaluate(data(A, B, ruleset="quality-2017"), "quality-2017", 2025)
    level = result.levels["primary"]
    xa, xb = QUALITY_EXPECTED[key]
    indicator = level.indicator(key)
    if xa == xb:
        assert indicator.mean == pytest.approx(xa)
        assert indicator.cv == pytest.approx(0.0, abs=1e-12)
    else:
        mean, cv = two_school_cv(100, xa, 300, xb)
        assert indicator.mean == pytest.approx(mean, rel=1e-12)
        assert indicator.cv == pytest.approx(cv, rel=1e-12)
    assert indicator.threshold == 0.50
    assert indicator.passed is (indicator.cv <= 0.50)


def test_quality_2017_school_rule_by_hand():
    level = evaluate(data(A, B, ruleset="quality-2017"), "quality-2017").levels["primary"]
    # A against the primary standards 4.2, 1, 0.9, 4.5, 7.5, 2000, 2.3: all seven met
    a = level.school("A")
    assert a.met_count == 7 and a.passed is True
    # B: 4 ≥ 4.2? no (4 ≥ 0.85·4.2 = 3.57); 1 ≥ 1 yes; 0.667 ≥ 0.9 no; 4 ≥ 4.5 no;
    # 6 ≥ 7.5 no; 1500 ≥ 2000 no; 2 ≥ 2.3 no → 1 of 7
    b = level.school("B")
    assert b.met_count == 1
    assert b.passed is False
    assert set(b.unmet) == {
        "qualified_teachers_per_100",
        "pe_arts_teachers_per_100",
        "floor_area",
        "sports_area",
        "equipment_value",
        "multimedia_rooms_per_100",
    }
    # below 85 %: 0.667 < 0.765; 4 ≥ 3.825 no… 4 ≥ 3.825 yes; 6 < 6.375; 1500 < 1700;
    # 2 ≥ 1.955 yes; 4 ≥ 3.57 yes
    assert set(b.below_share) == {"pe_arts_teachers_per_100", "sports_area", "equipment_value"}
    assert level.failing_schools == ["B"]
    assert level.passed is False


def compliant(code, enrol=1000, **overrides):
    """A primary school exactly at every 2017 standard (figures per 1000 pupils, scaled)."""
    k = enrol // 1000

    def scale(v):
        return v * k

    values = {
        "enrol_primary": enrol,
        "qualified_primary": scale(42),  # 4.2 per 100
        "backbone_primary": scale(10),  # 1
        "pe_arts_primary": scale(9),  # 0.9 per 100
        "floor_area": scale(4500),  # 4.5
        "sports_area": scale(7500),  # 7.5
        "equipment_value": scale(2_000_000),  # 2000
        "multimedia_rooms": scale(23),  # 2.3
        "teachers_primary": scale(60),
    }
    values.update(overrides)
    return school(code, **values)


def test_85_percent_edge_exactly_passes():
    # floor area 3825 m² for 1000 pupils = 3.825 = exactly 85 % of 4.5; the other six met
    level = evaluate(
        data(compliant("E", floor_area=3825), ruleset="quality-2017"), "quality-2017"
    ).levels["primary"]
    e = level.school("E")
    assert e.met_count == 6
    assert e.unmet == ["floor_area"]
    assert e.below_share == []
    assert e.passed is True


def test_85_percent_edge_just_below_fails():
    level = evaluate(
        data(compliant("E", floor_area=3824.9), ruleset="quality-2017"), "quality-2017"
    ).levels["primary"]
    e = level.school("E")
    assert e.met_count == 6
    assert e.below_share == ["floor_area"]
    assert e.passed is False


def test_two_standards_missed_fails_even_above_85_percent():
    level = evaluate(
        data(compliant("E", floor_area=4400, sports_area=7400), ruleset="quality-2017"),
        "quality-2017",
    ).levels["primary"]
    assert level.school("E").met_count == 5
    assert level.school("E").passed is False


def test_the_share_is_a_parameter():
    from dudao.monitoring.rules import variant

    rules = variant("quality-2017", {"name": "q-90", "school_rule": {"remaining_share": 0.9}})
    level = evaluate(data(compliant("E", floor_area=3825), ruleset=rules), rules).levels["primary"]
    assert level.school("E").passed is False  # 3.825 < 0.9 × 4.5 = 4.05
    assert evaluate(data(compliant("E")), rules).rule_set["name"] == "q-90"


def test_quality_county_conclusion_needs_schools_and_cvs():
    same = [compliant(c) for c in ("P1", "P2")]
    result = evaluate(data(*same, ruleset="quality-2017"), "quality-2017")
    assert result.levels["primary"].passed is True
    assert result.passed is True  # junior empty: reported, not failed
    assert result.empty_levels == ["junior"]
    # a CV over 0.50: one school far richer (sports area 200 m² per pupil)
    rich = compliant("P3", enrol=2000, sports_area=400_000)
    result = evaluate(data(*same, rich, ruleset="quality-2017"), "quality-2017")
    level = result.levels["primary"]
    # by hand: pupils 1000, 1000, 2000; values 7.5, 7.5, 200
    p = [1000, 1000, 2000]
    x = [7.5, 7.5, 200]
    mean = sum(pi * xi for pi, xi in zip(p, x, strict=True)) / 4000
    s = math.sqrt(sum(pi / 4000 * (xi - mean) ** 2 for pi, xi in zip(p, x, strict=True)))
    assert level.indicator("sports_area").cv == pytest.approx(s / mean)
    assert level.failing_indicators == ["sports_area"]
    assert level.failing_schools == []
    assert result.passed is False
    assert result.failing_indicators == [{"level": "primary", "key": "sports_area"}]


def test_nine_year_school_split_by_hand():
    # 200 primary, 100 junior: student-equivalents 200 and 110 → shares 200/310, 110/310
    nine = school(
        "N",
        "九年一贯制学校",
        enrol_primary=200,
        enrol_junior=100,
        floor_area=3100,
        computers=62,
        teachers_primary=12,
        teachers_junior=9,
    )
    result = evaluate(data(nine), "basic-2012")
    primary = result.levels["primary"].school("N")
    junior = result.levels["junior"].school("N")
    assert primary.share == pytest.approx(200 / 310)
    assert junior.share == pytest.approx(110 / 310)
    assert primary.values["floor_area"] == pytest.approx(2000 / 200)  # 10
    assert junior.values["floor_area"] == pytest.approx(1100 / 100)  # 11
    assert primary.values["computers_per_100"] == pytest.approx(40 / 200 * 100)
    assert junior.values["computers_per_100"] == pytest.approx(22 / 100 * 100)
    # teachers are counted where they teach, not split
    assert primary.values["teacher_ratio"] == pytest.approx(12 / 200)
    assert junior.values["teacher_ratio"] == pytest.approx(9 / 100)


def test_complete_secondary_and_twelve_year_splits_by_hand():
    complete = school(
        "W",
        "完全中学",
        enrol_junior=100,
        enrol_senior=100,
        floor_area=2200,
        teachers_junior=8,
    )
    twelve = school(
        "T",
        "十二年一贯制学校",
        enrol_primary=100,
        enrol_junior=100,
        enrol_senior=100,
        floor_area=3420,
        teachers_primary=6,
        teachers_junior=7,
    )
    result = evaluate(data(complete, twelve), "basic-2012")
    # complete: junior 100 : senior 1.2·100 → junior gets 1000 of 2200 m²
    assert result.levels["junior"].school("W").values["floor_area"] == pytest.approx(10)
    # twelve-year: 100 : 110 : 132 of 342 → primary 1000, junior 1100
    assert result.levels["primary"].school("T").values["floor_area"] == pytest.approx(10)
    assert result.levels["junior"].school("T").values["floor_area"] == pytest.approx(11)
    assert result.levels["primary"].school_count == 1
    assert result.levels["junior"].school_count == 2


def test_quality_2017_split_resources_and_teachers_by_level():
    nine = school(
        "N",
        "九年一贯制学校",
        enrol_primary=200,
        enrol_junior=100,
        multimedia_rooms=31,
        equipment_value=620_000,
        qualified_primary=8,
        qualified_junior=6,
        teachers_primary=12,
        teachers_junior=9,
    )
    result = evaluate(data(nine, ruleset="quality-2017"), "quality-2017")
    primary = result.levels["primary"].school("N").values
    junior = result.levels["junior"].school("N").values
    assert primary["multimedia_rooms_per_100"] == pytest.approx(20 / 200 * 100)
    assert junior["multimedia_rooms_per_100"] == pytest.approx(11 / 100 * 100)
    assert primary["equipment_value"] == pytest.approx(400_000 / 200)
    assert junior["equipment_value"] == pytest.approx(220_000 / 100)
    assert primary["qualified_teachers_per_100"] == pytest.approx(4)
    assert junior["qualified_teachers_per_100"] == pytest.approx(6)


def test_unweighted_cv_when_the_rule_set_says_so():
    from dudao.monitoring.rules import variant

    rules = variant("basic-2012", {"name": "unweighted", "weighted_cv": False})
    indicator = evaluate(data(A, B), rules).levels["primary"].indicator("floor_area")
    # plain mean of 5 and 4 = 4.5; population sd = 0.5
    assert indicator.mean == pytest.approx(4.5)
    assert indicator.cv == pytest.approx(0.5 / 4.5)


def test_excluded_teaching_point_is_listed_not_counted():
    point = school("P", "教学点", enrol_primary=20, floor_area=10)
    result = evaluate(data(A, B, point), "basic-2012")
    assert result.levels["primary"].school_count == 2
    assert [(e.code, e.reason_code) for e in result.excluded] == [("P", "school_type")]
    assert result.to_dict()["excluded"][0]["row"] == 4


def test_minimum_enrolment_exclusion_is_off_by_default_and_configurable():
    from dudao.monitoring.rules import variant

    small = school("S", enrol_primary=30, floor_area=300)
    assert evaluate(data(A, B, small), "basic-2012").levels["primary"].school_count == 3
    rules = variant(
        "basic-2012",
        {"name": "min50", "exclusions": {"school_types": [], "min_enrolment": 50}},
    )
    result = evaluate(data(A, B, small, ruleset=rules), rules)
    assert result.levels["primary"].school_count == 2
    assert [(e.code, e.reason_code) for e in result.excluded] == [("S", "min_enrolment")]


def test_zero_mean_gives_no_cv_and_fails():
    a = school("A", enrol_primary=100, computers=0)
    b = school("B", enrol_primary=200, computers=0)
    level = evaluate(data(a, b), "basic-2012").levels["primary"]
    assert level.indicator("computers_per_100").cv is None
    assert level.composite_cv is None
    assert level.passed is False
    assert level.note


def test_to_json_schema():
    import json

    result = evaluate(data(A, B), "basic-2012", 2025)
    doc = json.loads(result.to_json())
    assert doc["rule_set"]["name"] == "basic-2012" and doc["year"] == 2025
    assert set(doc["levels"]) == {"primary", "junior"}
    primary = doc["levels"]["primary"]
    assert [i["key"] for i in primary["indicators"]] == list(BASIC_EXPECTED)
    assert {"key", "mean", "cv"} <= set(primary["indicators"][0])
    assert primary["composite_threshold"] == 0.65
    assert isinstance(doc["conclusion"]["passed"], bool)
    assert primary["schools"][0]["values"]["floor_area"] == 5
    quality = json.loads(evaluate(data(A, B), "quality-2017").to_json())
    assert quality["levels"]["primary"]["cv_threshold"] == 0.5
    assert quality["levels"]["primary"]["schools"][0]["met_count"] == 7
    assert quality["levels"]["primary"]["indicators"][0]["standard"] == 4.2
