"""What-if, the largest contributors, the smallest additions and the trend."""

import math

import pytest

from dudao.monitoring.engine import Monitor, evaluate, what_if
from dudao.monitoring.inputs import InputRefused, SchoolData
from dudao.monitoring.insight import contributions, smallest_additions, trend

from .helpers import school

RECORDS = [
    school(
        "A",
        enrol_primary=100,
        floor_area=500,
        teachers_primary=6,
        computers=10,
        sports_area=800,
        equipment_value=200_000,
        books=3000,
        qualified_primary=5,
        senior_title_primary=3,
        backbone_primary=1,
        pe_arts_primary=1,
        multimedia_rooms=3,
    ),
    school(
        "B",
        enrol_primary=300,
        floor_area=1200,
        teachers_primary=15,
        computers=24,
        sports_area=1800,
        equipment_value=450_000,
        books=6000,
        qualified_primary=12,
        senior_title_primary=6,
        backbone_primary=3,
        pe_arts_primary=2,
        multimedia_rooms=6,
    ),
    school(
        "C",
        "九年一贯制学校",
        enrol_primary=200,
        enrol_junior=100,
        floor_area=3100,
        teachers_primary=12,
        teachers_junior=9,
        computers=30,
        sports_area=3000,
        equipment_value=700_000,
        books=9000,
        qualified_primary=10,
        qualified_junior=8,
        senior_title_primary=5,
        senior_title_junior=4,
    ),
    school(
        "D",
        "初中",
        enrol_junior=400,
        floor_area=2000,
        teachers_junior=20,
        computers=40,
        sports_area=4000,
        equipment_value=800_000,
        books=12000,
        qualified_junior=15,
        senior_title_junior=10,
    ),
]


def base():
    return SchoolData.from_records(RECORDS)


def close(a, b):
    """Two result dicts equal up to float rounding."""
    if isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            close(a[k], b[k])
    elif isinstance(a, list):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            close(x, y)
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15)
    else:
        assert a == b


@pytest.mark.parametrize("rules", ["basic-2012", "quality-2017"])
def test_what_if_equals_a_fresh_computation(rules):
    changes = {"A": {"小学专任教师数": 3, "教学及辅助用房面积": 500}, "D": {"computers": -5}}
    changed = what_if(base(), changes, rules, 2025)
    edited = [dict(r) for r in RECORDS]
    edited[0]["teachers_primary"] += 3
    edited[0]["floor_area"] += 500
    edited[3]["computers"] -= 5
    fresh = evaluate(SchoolData.from_records(edited), rules, 2025)
    close(changed.to_dict(), fresh.to_dict())
    # by hand: primary teacher ratio mean = (9 + 15 + 12) / 600
    if rules == "basic-2012":
        assert changed.levels["primary"].indicator("teacher_ratio").mean == pytest.approx(36 / 600)


def test_what_if_does_not_touch_the_base_and_can_set_values():
    data = base()
    monitor = Monitor(data, "basic-2012")
    before = monitor.evaluate().levels["primary"].indicator("floor_area").mean
    after = monitor.what_if({"A": {"floor_area": {"set": 1000}}})
    assert after.levels["primary"].school("A").values["floor_area"] == 10
    assert monitor.evaluate().levels["primary"].indicator("floor_area").mean == before
    assert data.column("floor_area")[0] == 500


def test_what_if_refuses_bad_changes_with_row_and_column():
    with pytest.raises(InputRefused) as info:
        what_if(base(), {"A": {"小学专任教师数": -6}, "Z": {"floor_area": 1}, "B": {"nope": 1}})
    got = {(e.row, e.column, e.code) for e in info.value.errors}
    assert (2, "小学专任教师数", "no_teachers") in got
    assert (None, None, "unknown_school") in got
    assert (3, "nope", "unknown_column") in got
    with pytest.raises(InputRefused) as info:
        what_if(base(), {"A": {"小学专任教师数": -7}})
    assert [(e.row, e.code) for e in info.value.errors] == [(2, "negative")]


def test_contributions_by_hand_for_two_schools():
    data = SchoolData.from_records(RECORDS[:2])
    result = evaluate(data, "basic-2012")
    rows = contributions(result, "primary", "floor_area")
    # with two schools the shares of S² are the other school's weight: A (w 0.25) → 0.75
    assert [r["code"] for r in rows] == ["A", "B"]
    assert rows[0]["share"] == pytest.approx(0.75)
    assert rows[1]["share"] == pytest.approx(0.25)
    assert rows[0]["direction"] == "above" and rows[1]["direction"] == "below"
    assert sum(r["contribution"] for r in rows) == pytest.approx(
        result.levels["primary"].indicator("floor_area").sd ** 2
    )


@pytest.mark.parametrize("key", ["floor_area", "teacher_ratio", "computers_per_100"])
def test_smallest_additions_bring_the_cv_under_the_target(key):
    result = evaluate(base(), "basic-2012")
    before = result.levels["primary"].indicator(key).cv
    target = before * 0.5
    plan = smallest_additions(result, "primary", key, target=target)
    assert plan.needed and plan.items
    assert plan.cv_after <= target
    assert all(a.amount == int(a.amount) and a.amount > 0 for a in plan.items)
    # applying the additions with the what-if gives the promised CV
    header = plan.items[0].resource_label
    changes = {}
    for a in plan.items:
        amount = a.whole_school_amount if a.amount != a.whole_school_amount else a.amount
        changes[a.code] = {header: amount}
    after = what_if(base(), changes, "basic-2012").levels["primary"].indicator(key).cv
    assert after <= target * (1 + 1e-9)
    # the lowest-valued school gets something; every raised part ends near the same floor
    lowest = min(result.levels["primary"].schools, key=lambda s: s.values[key]).code
    assert lowest in {a.code for a in plan.items}


def test_smallest_additions_minimal_in_the_water_filling_family():
    # one short school: B has 4 m² per pupil, A 5; target 0 → raise B to A's level exactly
    data = SchoolData.from_records(RECORDS[:2])
    result = evaluate(data, "basic-2012")
    plan = smallest_additions(result, "primary", "floor_area", target=0.0)
    assert [(a.code, a.amount) for a in plan.items] == [("B", 300.0)]  # (5 − 4) × 300 pupils
    assert plan.cv_after == pytest.approx(0.0, abs=1e-12)


def test_no_additions_when_already_under():
    result = evaluate(base(), "quality-2017")
    plan = smallest_additions(result, "primary", "floor_area", target=10)
    assert plan.needed is False and plan.items == []


def test_trend_gives_series_in_year_order():
    first = evaluate(base(), "basic-2012", 2023)
    second = what_if(base(), {"B": {"floor_area": 300}}, "basic-2012", 2024)
    series = trend([second, first])
    assert series["years"] == [2023, 2024]
    points = series["levels"]["primary"]["indicators"]["floor_area"]
    assert [p["year"] for p in points] == [2023, 2024]
    assert points[1]["mean"] > points[0]["mean"]
    assert len(series["levels"]["primary"]["composite_cv"]) == 2
    assert trend({2024: second, 2023: first})["years"] == [2023, 2024]
    import json

    stored = [json.loads(second.to_json()), json.loads(first.to_json())]
    assert trend(stored) == series


def test_monitor_what_if_for_300_schools_is_vectorised():
    records = [
        school(f"S{i:03d}", enrol_primary=100 + i, floor_area=400 + 3 * i, teachers_primary=8)
        for i in range(300)
    ]
    monitor = Monitor(SchoolData.from_records(records), "basic-2012")
    result = monitor.what_if({"S000": {"小学专任教师数": 3}})
    assert result.levels["primary"].school_count == 300
    assert not math.isnan(result.levels["primary"].indicator("teacher_ratio").cv)


def test_standard_shortfalls_by_hand():
    from dudao.monitoring.insight import standard_shortfalls

    # B: 300 pupils, floor area 4 m² per pupil against 4.5 → 150 m² to the standard,
    # 0.85 × 4.5 = 3.825 → already above the 85 % floor; PE/arts 2 teachers = 0.667 per 100
    # against 0.9 → 0.7 teachers → 1 (rounded up) to the standard, 0.295 → 1 to 85 %
    result = evaluate(SchoolData.from_records(RECORDS[:2]), "quality-2017")
    rows = standard_shortfalls(result, "primary")
    assert [r["code"] for r in rows] == ["B"]
    items = {i["key"]: i for i in rows[0]["items"]}
    assert items["floor_area"]["to_standard"] == 150
    assert items["floor_area"]["to_share"] == 0
    assert items["floor_area"]["resource_label"] == "教学及辅助用房面积"
    assert items["pe_arts_teachers_per_100"]["to_standard"] == 1
    assert "backbone_teachers_per_100" not in items
    assert standard_shortfalls(evaluate(base(), "basic-2012"), "primary") == []


def test_what_if_accepts_numbers_typed_as_text():
    changed = what_if(base(), {"A": {"小学专任教师数": "+3"}, "B": {"floor_area": "1,200"}})
    edited = [dict(r) for r in RECORDS]
    edited[0]["teachers_primary"] += 3
    edited[1]["floor_area"] += 1200
    close(changed.to_dict(), evaluate(SchoolData.from_records(edited), "basic-2012").to_dict())
    with pytest.raises(InputRefused) as info:
        what_if(base(), {"A": {"小学专任教师数": "三"}})
    assert [(e.row, e.column, e.code) for e in info.value.errors] == [(2, "小学专任教师数", "text")]
