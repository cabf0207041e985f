import datetime
import uuid

import pytest
from django.utils import timezone, translation

from dudao.audit.models import AuditEntry
from dudao.core.errors import DomainError
from dudao.rectification import services as rectification
from dudao.visits import services
from dudao.visits.models import AreaCheck, Visit
from tests.clock import DEFAULT_NOW
from tests.factories_supervision import at

TODAY = DEFAULT_NOW.date()  # the pinned clock's today (tests/clock.py)


def _submit(user, school, client_uuid=None, **fields):
    fields.setdefault("visited_at", at(TODAY))
    fields.setdefault("methods", ["campus_walk", "class_visit"])
    return services.submit_visit(user, client_uuid or uuid.uuid4(), school=school, **fields)


def test_save_draft_is_idempotent_per_uuid(world):
    key = uuid.uuid4()
    first = services.save_draft(world.inspector_user, world.school, key, summary="上午")
    again = services.save_draft(
        world.inspector_user, world.school, str(key), summary="上午巡查", minimums=["forum"]
    )
    assert again.pk == first.pk
    assert Visit.all_objects.count() == 1
    assert again.summary == "上午巡查"
    assert again.version == first.version + 1
    assert again.inspector == world.inspector
    assert again.office == world.office
    actions = list(
        AuditEntry.all_objects.filter(target_type="visits.Visit").values_list("action", flat=True)
    )
    assert sorted(actions) == ["create", "update"]


def test_draft_with_stale_version_is_refused(world):
    key = uuid.uuid4()
    draft = services.save_draft(world.inspector_user, world.school, key)
    services.save_draft(world.inspector_user, world.school, key, summary="phone A")
    with pytest.raises(DomainError):
        services.save_draft(
            world.inspector_user,
            world.school,
            key,
            summary="phone B",
            expected_version=draft.version,
        )
    assert Visit.all_objects.get().summary == "phone A"


def test_duplicate_submission_creates_one_visit_and_changes_nothing(world):
    key = uuid.uuid4()
    first = _submit(world.inspector_user, world.school, key, feedback="反馈")
    audit_rows = AuditEntry.all_objects.count()
    second = _submit(world.inspector_user, world.school, key, feedback="changed on retry")
    assert second.pk == first.pk
    assert Visit.all_objects.count() == 1
    second.refresh_from_db()
    assert second.feedback == "反馈"
    assert second.version == first.version
    assert second.submitted_at == first.submitted_at
    assert AuditEntry.all_objects.count() == audit_rows


def test_submit_turns_the_draft_into_a_visit_with_all_eight_items(world):
    key = uuid.uuid4()
    services.save_draft(
        world.inspector_user,
        world.school,
        key,
        areas=[{"area": 3, "status": "fine", "note": "课表齐全"}],
    )
    visit = services.submit_visit(
        world.inspector_user,
        key,
        visited_at=at(TODAY),
        areas=[{"area": 7, "status": "problem", "note": "留样不全"}],
    )
    assert visit.status == Visit.Status.SUBMITTED
    assert visit.submitted_at is not None
    assert visit.visited_on == TODAY
    checks = {c.area: c.status for c in visit.area_checks.all()}
    assert len(checks) == 8
    assert checks[3] == AreaCheck.Status.FINE
    assert checks[7] == AreaCheck.Status.PROBLEM
    assert checks[1] == AreaCheck.Status.NOT_CHECKED


def test_submit_needs_the_visit_time(world):
    key = uuid.uuid4()
    services.save_draft(world.inspector_user, world.school, key)
    with pytest.raises(DomainError) as error:
        services.submit_visit(world.inspector_user, key)
    assert error.value.field == "visited_at"
    assert Visit.all_objects.get().status == Visit.Status.DRAFT


def test_submitted_visit_cannot_be_edited_as_draft(world):
    key = uuid.uuid4()
    _submit(world.inspector_user, world.school, key)
    with pytest.raises(DomainError):
        services.save_draft(world.inspector_user, world.school, key, summary="later")


def test_uuid_of_another_users_visit_is_refused(world):
    key = uuid.uuid4()
    services.save_draft(world.inspector_user, world.school, key)
    with pytest.raises(DomainError):
        services.save_draft(world.zone_leader, world.school, key)
    with pytest.raises(DomainError):
        services.submit_visit(world.zone_leader, key, visited_at=at(TODAY))
    assert Visit.all_objects.get().created_by == world.inspector_user


def test_inspector_not_assigned_to_the_school_cannot_submit(world, other_inspector_user):
    with pytest.raises(DomainError) as error, translation.override("en"):
        _submit(other_inspector_user, world.school)
    assert "not the responsible inspector" in str(error.value)
    assert not Visit.all_objects.exists()


def test_zone_leader_cannot_record_a_visit_to_a_zone_school_they_do_not_hold(world):
    with pytest.raises(DomainError):
        _submit(world.zone_leader, world.zone_school)


def test_visit_before_the_assignment_started_is_refused(world):
    with pytest.raises(DomainError):
        _submit(world.inspector_user, world.school, visited_at=at(datetime.date(2026, 8, 20)))


def test_office_admin_can_record_a_visit_for_any_school_of_the_office(world):
    visit = _submit(world.admin, world.far_school)
    assert visit.inspector is None
    visit = _submit(world.admin, world.school, inspector=world.inspector)
    assert visit.inspector == world.inspector


def test_other_roles_cannot_record_visits(world):
    for user in (world.other_admin, world.school_user, world.viewer):
        with pytest.raises(DomainError):
            _submit(user, world.school)
    assert not Visit.all_objects.exists()


def test_unknown_method_and_future_time_are_refused(world):
    with pytest.raises(DomainError) as error:
        _submit(world.inspector_user, world.school, methods=["teleport"])
    assert error.value.field == "methods"
    with pytest.raises(DomainError) as error:
        _submit(world.inspector_user, world.school, minimums=["sleep_check"])
    assert error.value.field == "minimums"
    with pytest.raises(DomainError) as error:
        _submit(
            world.inspector_user,
            world.school,
            visited_at=timezone.now() + datetime.timedelta(days=1),
        )
    assert error.value.field == "visited_at"
    with pytest.raises(DomainError):
        _submit(world.inspector_user, world.school, areas=[{"area": 14, "status": "fine"}])


def test_delete_draft(world):
    draft = services.save_draft(world.inspector_user, world.school, uuid.uuid4())
    services.delete_draft(world.inspector_user, draft)
    assert not Visit.all_objects.exists()
    assert AuditEntry.all_objects.filter(target_type="visits.Visit", action="delete").count() == 1


def test_submitted_visit_or_draft_with_findings_cannot_be_deleted(world):
    visit = _submit(world.inspector_user, world.school)
    with pytest.raises(DomainError):
        services.delete_draft(world.inspector_user, visit)
    draft = services.save_draft(
        world.inspector_user, world.school, uuid.uuid4(), visited_at=at(TODAY)
    )
    rectification.create_finding(
        world.inspector_user,
        school=world.school,
        visit=draft,
        area=2,
        description="收费公示缺失",
        deadline_kind="on_the_spot",
    )
    with pytest.raises(DomainError):
        services.delete_draft(world.inspector_user, draft)
    with pytest.raises(DomainError):
        services.delete_draft(world.zone_leader, draft)
