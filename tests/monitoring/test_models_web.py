"""Services of the monitoring web layer: rule sets, school figures with history, evaluations,
demo data."""

import random

import pytest

from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError
from dudao.monitoring import demo, services
from dudao.monitoring.engine import evaluate
from dudao.monitoring.inputs import SchoolData
from dudao.monitoring.models import Evaluation, RuleSet, SchoolResources, SchoolResourcesHistory
from dudao.schools.models import School

from .webdata import figures, junior, seed

pytestmark = pytest.mark.django_db


def test_national_rulesets_are_loaded_once():
    services.ensure_national_rulesets()
    services.ensure_national_rulesets()
    national = RuleSet.objects.filter(office__isnull=True)
    assert sorted(national.values_list("name", flat=True)) == ["basic-2012", "quality-2017"]
    assert national.get(name="quality-2017").version == "2017.1"


def test_save_creates_then_updates_with_history_and_audit(world):
    row, changed = services.save_resources(world.admin, world.school, 2025, figures())
    assert changed and row.version == 1 and row.school_type == "小学"
    assert row.history.count() == 1
    assert AuditEntry.all_objects.filter(target_type="monitoring.SchoolResources").count() == 1

    row, changed = services.save_resources(
        world.admin, world.school, 2025, figures(teachers_primary=40), expected_version=1
    )
    assert changed and row.version == 2
    last = row.history.first()
    assert last.version == 2 and last.changes == {"teachers_primary": [36, 40]}
    assert AuditEntry.all_objects.filter(target_type="monitoring.SchoolResources").count() == 2

    # the same figures again: nothing changes
    row, changed = services.save_resources(
        world.admin, world.school, 2025, figures(teachers_primary=40), expected_version=2
    )
    assert not changed and row.version == 2 and row.history.count() == 2


def test_stale_version_is_refused_and_changes_nothing(world):
    services.save_resources(world.admin, world.school, 2025, figures())
    services.save_resources(
        world.admin, world.school, 2025, figures(books=20000), expected_version=1
    )
    with pytest.raises(DomainError):
        services.save_resources(
            world.admin, world.school, 2025, figures(books=1), expected_version=1
        )
    row = SchoolResources.all_objects.get(school=world.school, year=2025)
    assert row.books == 20000 and row.version == 2


def test_invalid_figures_are_refused_with_the_field(world):
    with pytest.raises(services.ResourcesInvalid) as info:
        services.save_resources(
            world.admin,
            world.school,
            2025,
            figures(
                teachers_primary=0,
                qualified_primary=0,
                senior_title_primary=0,
                backbone_primary=0,
                pe_arts_primary=0,
            ),
        )
    assert any(field == "teachers_primary" for field, _m in info.value.errors)
    assert not SchoolResources.all_objects.exists()


def test_kindergarten_is_not_monitored(world):
    world.school.type = "kindergarten"
    with pytest.raises(DomainError):
        services.save_resources(world.admin, world.school, 2025, figures())


def test_copy_and_edit_a_ruleset_is_validated_and_versioned(world):
    national = services.default_ruleset(world.office, "quality")
    copy = services.copy_ruleset(world.admin, national, name="zj-2017", title="浙江优质均衡")
    assert copy.office == world.office and copy.version == "1" and copy.based_on == national
    assert copy.data["name"] == "zj-2017"
    data = dict(copy.data)
    data["school_rule"] = {"min_standards_met": 6, "remaining_share": 0.8}
    copy = services.update_ruleset(world.admin, copy, data, expected_version="1")
    assert copy.version == "2" and copy.data["version"] == "2"
    assert copy.data["school_rule"]["remaining_share"] == 0.8
    # invalid document: refused, version unchanged
    bad = dict(copy.data, regime="nonsense")
    with pytest.raises(DomainError):
        services.update_ruleset(world.admin, copy, bad, expected_version="2")
    copy.refresh_from_db()
    assert copy.version == "2" and copy.regime == "quality"
    # stale version
    with pytest.raises(DomainError):
        services.update_ruleset(world.admin, copy, copy.data, expected_version="1")
    # national rule sets cannot be edited; names are unique per office
    with pytest.raises(DomainError):
        services.update_ruleset(world.admin, national, national.data)
    with pytest.raises(DomainError):
        services.copy_ruleset(world.admin, national, name="zj-2017")
    with pytest.raises(DomainError):
        services.copy_ruleset(world.admin, national, name="basic-2012")


def test_evaluation_records_the_ruleset_name_and_version(world):
    seed(world)
    national = services.default_ruleset(world.office, "quality")
    copy = services.copy_ruleset(world.admin, national, name="zj-2017")
    first = services.record_evaluation(world.admin, world.office, 2025, copy)
    assert (first.ruleset_name, first.ruleset_version) == ("zj-2017", "1")
    assert first.result["rule_set"]["name"] == "zj-2017"
    assert first.result["rule_set"]["version"] == "1"
    services.update_ruleset(
        world.admin, copy, dict(copy.data, weighted_cv=False), expected_version="1"
    )
    copy.refresh_from_db()
    second = services.record_evaluation(world.admin, world.office, 2025, copy)
    assert second.ruleset_version == "2" and second.result["weighted_cv"] is False
    first.refresh_from_db()
    assert first.ruleset_version == "1" and first.ruleset_data["version"] == "1"
    assert Evaluation.objects.unscoped().filter(office=world.office).count() == 2


def test_evaluate_from_the_database_equals_the_engine(world):
    services.save_resources(world.admin, world.school, 2025, figures())
    services.save_resources(world.admin, world.zone_school, 2025, figures(floor_area=2000))
    services.save_resources(world.admin, world.far_school, 2025, junior(), school_type="初中")
    ruleset = services.default_ruleset(world.office, "basic")
    result = services.evaluate_year(world.office, 2025, ruleset)
    direct = evaluate(
        SchoolData.from_records(
            [
                {"code": s.code, "name": s.name, "school_type": t, **f}
                for s, t, f in [
                    (world.school, "小学", figures()),
                    (world.zone_school, "小学", figures(floor_area=2000)),
                    (world.far_school, "初中", junior()),
                ]
            ],
            ruleset.rules(),
        ),
        ruleset.rules(),
        2025,
    )
    got = result.levels["primary"].indicator("floor_area")
    want = direct.levels["primary"].indicator("floor_area")
    assert got.cv == pytest.approx(want.cv) and got.mean == pytest.approx(want.mean)
    assert result.passed == direct.passed


def test_demo_builds_three_years_with_weak_schools_and_resets(world):
    from tests.factories import SchoolFactory

    for i in range(30):
        SchoolFactory(office=world.office, name=f"演示小学{i}", enrolment_primary=300 + 20 * i)
    SchoolFactory(
        office=world.office,
        name="九年一贯制",
        type="nine_year",
        enrolment_primary=500,
        enrolment_junior=300,
    )
    SchoolFactory(office=world.office, name="幼儿园", type="kindergarten", enrolment_primary=0)
    schools = list(School.all_objects.filter(office=world.office))
    count = demo.build(world.office, schools, random.Random(7))
    compulsory = [s for s in schools if s.type != "kindergarten"]
    assert count == 3 * len(compulsory)
    assert sorted(services.years_with_data(world.office)) == [2023, 2024, 2025]
    assert SchoolResourcesHistory.objects.filter(source="demo").count() == count
    quality = services.default_ruleset(world.office, "quality")
    results = {y: services.evaluate_year(world.office, y, quality) for y in (2023, 2025)}
    failing = {y: len(r.levels["primary"].failing_schools) for y, r in results.items()}
    assert failing[2023] >= 1  # something to show
    cv = {y: r.levels["primary"].indicator("floor_area").cv for y, r in results.items()}
    assert cv[2025] < cv[2023] * 1.1  # slowly improving, never much worse
    demo.reset([world.office.pk])
    assert not SchoolResources.all_objects.exists()
