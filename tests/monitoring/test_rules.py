"""Rule sets as data: the shipped ones, validation with clear errors, variants."""

import json

import pytest

from dudao.monitoring.rules import RuleSetError, load_ruleset, validate, variant


def test_shipped_rule_sets_load_with_their_numbers():
    basic = load_ruleset("basic-2012")
    assert basic.regime == "basic" and basic.version == "2012.2"
    assert basic.levels["primary"]["composite_cv_max"] == 0.65
    assert basic.levels["junior"]["composite_cv_max"] == 0.55
    assert [i["key"] for i in basic.indicators] == [
        "floor_area",
        "sports_area",
        "equipment_value",
        "computers_per_100",
        "books",
        "teacher_ratio",
        "qualified_teachers",
        "senior_title_teachers",
    ]
    assert [i["split"] for i in basic.indicators] == [True] * 5 + [False] * 3
    assert basic.split_ratios["九年一贯制学校"] == {"primary": 1, "junior": 1.1}
    assert basic.split_ratios["十二年一贯制学校"] == {"primary": 1, "junior": 1.1, "senior": 1.32}
    assert basic.exclusions["school_types"] == ["教学点"]
    assert basic.exclusions["min_enrolment"] is None
    assert basic.weighted_cv is True and basic.on_bad_row == "refuse"
    assert any("unconfirmed" in note for note in basic.data["notes"])

    quality = load_ruleset("quality-2017")
    assert quality.levels["primary"]["cv_max"] == 0.50
    assert quality.levels["junior"]["cv_max"] == 0.45
    assert quality.school_rule == {"min_standards_met": 6, "remaining_share": 0.85}
    standards = {i["key"]: i["standard"] for i in quality.indicators}
    assert standards["qualified_teachers_per_100"] == {"primary": 4.2, "junior": 5.3}
    assert standards["sports_area"] == {"primary": 7.5, "junior": 10.2}
    assert standards["equipment_value"] == {"primary": 2000, "junior": 2500}
    assert standards["multimedia_rooms_per_100"] == {"primary": 2.3, "junior": 2.4}
    assert len(standards) == 7


def test_validation_lists_every_problem():
    data = json.loads(load_ruleset("quality-2017").to_json())
    data["regime"] = "other"
    data["on_bad_row"] = "ignore"
    data["indicators"][0]["numerator"] = {"primary": "nonsense", "junior": "qualified_junior"}
    data["split_ratios"]["九年一贯制学校"] = {"primary": 1}
    errors = validate(data)
    assert len(errors) >= 4
    with pytest.raises(RuleSetError) as info:
        load_ruleset(data)
    assert "regime" in str(info.value)


def test_quality_needs_standards_and_share():
    data = json.loads(load_ruleset("quality-2017").to_json())
    del data["indicators"][3]["standard"]["junior"]
    data["school_rule"]["remaining_share"] = 1.5
    errors = validate(data)
    assert any("floor_area" in e and "junior" in e for e in errors)
    assert any("remaining_share" in e for e in errors)


def test_variant_overrides_and_keeps_the_base():
    v = variant(
        "quality-2017",
        {
            "name": "zj-2017",
            "version": "2024.1",
            "weighted_cv": False,
            "levels": {"junior": {"cv_max": 0.4}},
            "indicators": {"floor_area": {"standard": {"primary": 5.0}}},
            "exclusions": {
                "school_types": [],
                "min_enrolment": 50,
                "min_enrolment_school_types": ["教学点"],
            },
        },
    )
    assert v.name == "zj-2017" and v.version == "2024.1" and v.weighted_cv is False
    assert v.levels["junior"]["cv_max"] == 0.4
    assert v.levels["primary"]["cv_max"] == 0.5
    floor = next(i for i in v.indicators if i["key"] == "floor_area")
    assert floor["standard"] == {"primary": 5.0, "junior": 5.8}
    assert load_ruleset("quality-2017").levels["junior"]["cv_max"] == 0.45
    with pytest.raises(RuleSetError):
        variant("quality-2017", {"indicators": {"nope": {}}})
    with pytest.raises(RuleSetError):
        variant("basic-2012", {"levels": {"primary": {"composite_cv_max": -1}}})


def test_load_from_a_path_and_unknown_names(tmp_path):
    path = tmp_path / "mine.json"
    data = json.loads(load_ruleset("basic-2012").to_json())
    data["name"] = "mine"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert load_ruleset(str(path)).name == "mine"
    with pytest.raises(RuleSetError):
        load_ruleset("no-such-rules")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(RuleSetError):
        load_ruleset(bad)
