import pytest

from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError
from dudao.inspectors import services as inspector_services
from dudao.schools import services as school_services
from dudao.schools.models import School


def test_create_school_validates_code(world):
    with pytest.raises(DomainError) as error:
        school_services.create_school(
            world.admin, world.office, code="12345", name="坏学校", type="primary"
        )
    assert error.value.field == "code"
    assert not School.all_objects.filter(name="坏学校").exists()


def test_duplicate_code_is_a_clear_error(world):
    with pytest.raises(DomainError) as error:
        school_services.create_school(
            world.admin, world.office, code=world.school.code, name="重复", type="primary"
        )
    assert world.school.code in str(error.value)


def test_teaching_point_needs_host(world):
    with pytest.raises(DomainError) as error:
        school_services.create_school(
            world.admin, world.office, code="3199000001", name="山村教学点", type="teaching_point"
        )
    assert error.value.field == "host_school"


def test_enrolment_must_fit_type(world):
    with pytest.raises(DomainError) as error:
        school_services.create_school(
            world.admin,
            world.office,
            code="3199000002",
            name="某小学",
            type="primary",
            enrolment_junior=100,
        )
    assert error.value.field == "enrolment_junior"


def test_nine_year_school_has_both_levels(world):
    school = school_services.create_school(
        world.admin,
        world.office,
        code="3199000003",
        name="九年一贯制学校",
        type="nine_year",
        enrolment_primary=600,
        enrolment_junior=300,
    )
    assert school.total_enrolment == 900


def test_update_is_audited_with_diff(world):
    school_services.update_school(world.admin, world.school, principal="新校长")
    entry = AuditEntry.all_objects.filter(action="update", target_type="schools.School").get()
    assert entry.changes["principal"][1] == "新校长"
    assert entry.office_id == world.office.pk


def test_township_from_another_county_refused(world):
    from dudao.organisations.models import Region

    foreign_township = Region.objects.get(code="320102001")
    with pytest.raises(DomainError) as error:
        school_services.update_school(world.admin, world.school, township=foreign_township)
    assert error.value.field == "township"


def test_delete_school_with_history_refused(world):
    with pytest.raises(DomainError):
        school_services.delete_school(world.admin, world.school)
    assert School.all_objects.filter(pk=world.school.pk).exists()


def test_delete_school_without_history(world):
    school_services.delete_school(world.admin, world.far_school)
    assert not School.all_objects.filter(pk=world.far_school.pk).exists()
    assert AuditEntry.all_objects.filter(action="delete").exists()


def test_inspector_phone_unique_in_office(world):
    with pytest.raises(DomainError) as error:
        inspector_services.create_inspector(
            world.admin, world.office, name="重号", phone=world.inspector.phone
        )
    assert error.value.field == "phone"


def test_invalid_phone_refused(world):
    with pytest.raises(DomainError) as error:
        inspector_services.create_inspector(world.admin, world.office, name="坏号", phone="12345")
    assert error.value.field == "phone"


def test_zone_name_unique(world):
    with pytest.raises(DomainError):
        inspector_services.create_zone(world.admin, world.office, name=world.zone.name)


def test_conflict_audit_rows_are_filed_under_the_inspectors_office(world):
    from dudao.audit.models import AuditEntry
    from dudao.inspectors.models import RecusalGround
    from dudao.inspectors.services import (
        ensure_default_recusal_grounds,
        record_conflict,
        remove_conflict,
    )

    ensure_default_recusal_grounds(world.office)
    ground = RecusalGround.objects.filter(office=world.office).first()
    # The system (no user, no office of its own) records it, as the demo seed does.
    from dudao.core.guards import SYSTEM

    conflict = record_conflict(SYSTEM, world.inspector, world.far_school, ground)
    remove_conflict(SYSTEM, conflict)
    rows = AuditEntry.all_objects.filter(target_type="inspectors.Conflict")
    assert [r.action for r in rows.order_by("pk")] == ["create", "delete"]
    assert {r.office_id for r in rows} == {world.office.pk}
