"""The complaint's workflow (dudao/complaints/workflow.py): every transition through the
engine with its history row, the roles (the office triages, the assigned inspector
investigates and replies), the guards and the refusals that write nothing."""

import datetime

import pytest
from django.utils import timezone

from dudao.audit.models import AuditEntry
from dudao.complaints import services, workflow
from dudao.complaints.models import Complaint, ComplaintEvent, Status
from dudao.complaints.workflow import TRANSITIONS, Action
from dudao.core.errors import DomainError, IllegalTransition, NotPermitted, StaleObject
from dudao.core.guards import SYSTEM
from dudao.inspectors.models import Conflict, RecusalGround
from tests.factories import InspectorFactory

from .helpers import assigned, fresh, investigating, receive, replied

pytestmark = pytest.mark.django_db


def events(complaint):
    return list(
        ComplaintEvent.objects.filter(complaint=complaint)
        .order_by("at", "pk")
        .values_list("action", "from_status", "to_status")
    )


def test_the_table_names_every_status_and_a_rule_for_every_action():
    statuses = {s for pair in TRANSITIONS for s in (pair[0],)} | set(TRANSITIONS.values())
    assert statuses == set(Status.values)
    assert {action for _status, action in TRANSITIONS} == set(Action.values)


def test_received_with_a_deadline_from_the_office_rules(world, today):
    complaint = receive(world)
    assert complaint.status == Status.RECEIVED
    assert complaint.deadline == today + datetime.timedelta(days=15)
    assert len(complaint.tracking_code) == 10
    assert events(complaint) == [("received", "", "received")]


def test_the_whole_way_to_closed_with_a_history_row_each(world):
    complaint = replied(world)
    complaint = services.close(world.admin, complaint, expected_version=complaint.version)
    assert complaint.status == Status.CLOSED and complaint.closed_at is not None
    assert events(complaint) == [
        ("received", "", "received"),
        ("assign", "received", "assigned"),
        ("start", "assigned", "investigating"),
        ("reply", "investigating", "replied"),
        ("close", "replied", "closed"),
    ]
    assert complaint.reply_text.startswith("经核查")
    audited = AuditEntry.objects.unscoped().filter(
        target_type="complaints.Complaint", target_id=str(complaint.pk)
    )
    assert audited.count() == 5  # the intake and each of the four transitions


@pytest.mark.parametrize("who", ["zone_leader", "inspector", "school", "viewer", "other_admin"])
def test_only_the_office_assigns(world, who):
    complaint = receive(world)
    actor = getattr(world, {"inspector": "inspector_user", "school": "school_user"}.get(who, who))
    with pytest.raises(NotPermitted):
        services.assign(
            actor, complaint, expected_version=complaint.version, inspector=world.inspector
        )
    assert fresh(complaint).status == Status.RECEIVED
    assert len(events(complaint)) == 1


def test_the_superuser_and_the_system_take_no_person_s_action(world):
    complaint = receive(world)
    for actor in (world.superuser, SYSTEM):
        with pytest.raises(NotPermitted):
            services.assign(
                actor, complaint, expected_version=complaint.version, inspector=world.inspector
            )


def test_assign_needs_an_active_inspector_of_the_office(world):
    complaint = receive(world)
    for inspector, field in [
        (None, "inspector"),
        (world.foreign_inspector, "inspector"),
        (InspectorFactory(office=world.office, is_active=False), "inspector"),
    ]:
        with pytest.raises(DomainError) as refused:
            services.assign(
                world.admin, complaint, expected_version=complaint.version, inspector=inspector
            )
        assert refused.value.field == field
    assert fresh(complaint).inspector_id is None


def test_assign_refuses_an_inspector_who_must_recuse(world):
    """Recusal (回避, docs/rules.md §3): not the inspector with a conflict at the school."""
    ground = RecusalGround.objects.create(office=world.office, name="近亲属担任该单位领导")
    Conflict.all_objects.create(inspector=world.inspector, school=world.school, ground=ground)
    complaint = receive(world)
    with pytest.raises(DomainError) as refused:
        services.assign(
            world.admin, complaint, expected_version=complaint.version, inspector=world.inspector
        )
    assert refused.value.field == "inspector"
    complaint = services.assign(
        world.admin, complaint, expected_version=complaint.version, inspector=world.other_inspector
    )
    assert complaint.inspector == world.other_inspector


def test_assign_may_move_the_deadline_but_not_into_the_past(world, today):
    complaint = receive(world)
    with pytest.raises(DomainError):
        services.assign(
            world.admin,
            complaint,
            expected_version=complaint.version,
            inspector=world.inspector,
            deadline=today - datetime.timedelta(days=1),
        )
    later = today + datetime.timedelta(days=30)
    complaint = services.assign(
        world.admin,
        complaint,
        expected_version=complaint.version,
        inspector=world.inspector,
        deadline=later,
    )
    assert complaint.deadline == later and complaint.assigned_at is not None


def test_only_the_assigned_inspector_investigates_and_replies(world):
    complaint = assigned(world)
    with pytest.raises(NotPermitted):
        services.start_investigation(
            world.zone_leader, complaint, expected_version=complaint.version
        )
    complaint = services.start_investigation(
        world.inspector_user, complaint, expected_version=complaint.version
    )
    complaint = services.save_reply_draft(
        world.inspector_user, complaint, expected_version=complaint.version, text="草稿"
    )
    assert fresh(complaint).status == Status.INVESTIGATING
    assert fresh(complaint).replied_at is None
    complaint = services.reply(world.inspector_user, complaint, expected_version=complaint.version)
    assert complaint.status == Status.REPLIED and complaint.reply_text == "草稿"
    with pytest.raises(NotPermitted):  # closing is the office's
        services.close(world.inspector_user, complaint, expected_version=complaint.version)


def test_a_reply_needs_words(world):
    complaint = investigating(world)
    with pytest.raises(DomainError) as refused:
        services.reply(world.inspector_user, complaint, expected_version=complaint.version)
    assert refused.value.field == "reply"
    assert fresh(complaint).status == Status.INVESTIGATING


def test_the_office_answers_an_enquiry_at_once(world):
    complaint = receive(world, category="enquiry")
    complaint = services.reply(
        world.admin, complaint, expected_version=complaint.version, text="可拨打热线咨询。"
    )
    assert complaint.status == Status.REPLIED and complaint.inspector_id is None


def test_a_stale_version_is_refused(world):
    complaint = receive(world)
    with pytest.raises(StaleObject):
        services.assign(
            world.admin,
            complaint,
            expected_version=complaint.version + 1,
            inspector=world.inspector,
        )


def test_illegal_transitions_are_refused(world):
    complaint = receive(world)
    with pytest.raises(IllegalTransition):
        services.close(world.admin, complaint, expected_version=complaint.version)
    with pytest.raises(IllegalTransition):
        services.start_investigation(world.admin, complaint, expected_version=complaint.version)
    complaint = replied(world, text="另一件事情反映")
    with pytest.raises(IllegalTransition):
        services.transfer(
            world.admin, complaint, expected_version=complaint.version, department="公安局"
        )


def test_transfer_names_the_department(world):
    complaint = assigned(world)
    with pytest.raises(DomainError) as refused:
        services.transfer(
            world.admin, complaint, expected_version=complaint.version, department=" "
        )
    assert refused.value.field == "department"
    complaint = services.transfer(
        world.admin,
        complaint,
        expected_version=complaint.version,
        department="县市场监督管理局",
        note="校外培训机构收费问题",
    )
    assert complaint.status == Status.TRANSFERRED and complaint.transferred_to == "县市场监督管理局"
    assert events(complaint)[-1] == ("transfer", "assigned", "transferred")


def test_merge_follows_to_the_first_and_never_into_itself(world):
    first = receive(world, text="第一份投诉材料")
    second = receive(world, text="第二份投诉材料")
    third = receive(world, text="第三份投诉材料")
    second = services.merge(world.admin, second, expected_version=second.version, original=first)
    assert second.status == Status.MERGED and second.duplicate_of == first
    # Merging into a duplicate reaches its original.
    third = services.merge(world.admin, third, expected_version=third.version, original=second)
    assert third.duplicate_of == first
    with pytest.raises(DomainError):
        services.merge(world.admin, first, expected_version=first.version, original=third)
    with pytest.raises(DomainError):
        services.merge(world.admin, first, expected_version=first.version, original=first)
    foreign = receive(world, school="foreign_school", text="别县的投诉材料")
    with pytest.raises(DomainError):
        services.merge(world.admin, first, expected_version=first.version, original=foreign)


def test_reopen_needs_a_note_and_takes_back_a_merge(world):
    first = receive(world, text="第一份投诉材料")
    second = receive(world, text="第二份投诉材料")
    second = services.merge(world.admin, second, expected_version=second.version, original=first)
    with pytest.raises(DomainError):
        services.reopen(world.admin, second, expected_version=second.version, note="")
    second = services.reopen(world.admin, second, expected_version=second.version, note="并非重复")
    assert second.status == Status.RECEIVED and second.duplicate_of is None
    done = replied(world, text="第三份投诉材料")
    done = services.reopen(world.admin, done, expected_version=done.version, note="答复不完整")
    assert done.status == Status.INVESTIGATING and done.replied_at is None


def test_allowed_actions_per_role(world):
    complaint = assigned(world)
    assert set(workflow.allowed_actions(complaint, world.admin)) == {
        "assign",
        "start",
        "reply",
        "transfer",
        "merge",
    }
    assert set(workflow.allowed_actions(complaint, world.inspector_user)) == {"start", "reply"}
    assert workflow.allowed_actions(complaint, world.school_user) == []
    assert workflow.allowed_actions(complaint, world.other_admin) == []
    assert workflow.allowed_actions(complaint, world.superuser) == []


def test_only_workflow_assigns_the_status(world):
    """The complaint model keeps its status through the engine: the services never set it."""
    complaint = receive(world)
    assert Complaint._meta.get_field("status").default == Status.RECEIVED
    assert timezone.now() >= complaint.received_at


def test_reassigning_an_overdue_complaint_keeps_its_deadline(world, clock):
    from dudao.complaints.overdue import check_overdue_complaints

    complaint = assigned(world)
    check_overdue_complaints(complaint.deadline + datetime.timedelta(days=1))
    clock.shift(datetime.timedelta(days=20))
    complaint = fresh(complaint)
    complaint = services.assign(
        world.admin,
        complaint,
        expected_version=complaint.version,
        inspector=world.other_inspector,
        deadline=complaint.deadline,  # the form posts the date it shows
    )
    assert complaint.inspector == world.other_inspector and complaint.is_overdue
