"""The workflow engine (dudao.core.workflow) on its own: a small test workflow over the
accountability case's table (open ⇄ closed), with a role, a guard, an effect that writes an
extra history line, and its own signal."""

import dataclasses
import datetime

import pytest
from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone, translation

from dudao.accounts.models import Role
from dudao.audit.models import AuditEntry
from dudao.core import workflow as engine
from dudao.core.errors import DomainError, IllegalTransition, NotPermitted, StaleObject
from dudao.rectification.models import AccountabilityCase, AccountabilityCaseEvent

OPEN, CLOSED = AccountabilityCase.Status.OPEN, AccountabilityCase.Status.CLOSED
test_signal = Signal()


def _guard_reopen(case, step):
    if "禁止" in case.notes:
        raise IllegalTransition("This case may not be reopened.")


def _effect_close(case, step):
    case.closed_at = timezone.now()
    return [("counted", "extra line", {"measures": len(case.measures)})]


def _effect_reopen(case, step):
    case.closed_at = None


def _roles(actor, case):
    if actor is not None and actor.role == Role.OFFICE_ADMIN and actor.office_id == case.office_id:
        return {"office"}
    return set()


WORKFLOW = engine.Workflow(
    model=AccountabilityCase,
    transitions={(OPEN, "close"): CLOSED, (CLOSED, "reopen"): OPEN},
    rules={
        "close": engine.Rule(frozenset({"office"}), effect=_effect_close),
        "reopen": engine.Rule(
            frozenset({"office"}), note_required=True, guard=_guard_reopen, effect=_effect_reopen
        ),
    },
    roles_of=_roles,
    history_model=AccountabilityCaseEvent,
    history_fk="case",
    version_required=True,
    signal=test_signal,
    signal_instance_arg="case",
)


@pytest.fixture
def case(world):
    return AccountabilityCase.all_objects.create(
        office=world.office,
        target_kind="unit",
        target_name="湖滨小学",
        measures=["admonitory_talk"],
    )


def fresh(case):
    return AccountabilityCase.all_objects.get(pk=case.pk)


def counts():
    return AccountabilityCaseEvent.objects.count(), AuditEntry.all_objects.count()


@pytest.fixture
def received():
    calls = []

    def handler(sender, **kwargs):
        calls.append((sender, kwargs))

    test_signal.connect(handler)
    yield calls
    test_signal.disconnect(handler)


def test_transition_writes_the_status_the_history_and_the_audit_row(world, case):
    result = engine.transition(
        WORKFLOW, case, "close", world.admin, expected_version=1, note="  done  ", on=timezone.now()
    )
    case = fresh(case)
    assert result.pk == case.pk
    assert (case.status, case.version) == (CLOSED, 2)
    assert case.closed_at is not None
    first, extra = AccountabilityCaseEvent.objects.filter(case=case).order_by("pk")
    assert (first.action, first.from_status, first.to_status) == ("close", OPEN, CLOSED)
    assert (first.actor, first.actor_name, first.note) == (world.admin, str(world.admin), "done")
    assert isinstance(first.data["on"], str)  # data is stored JSON-safe
    assert (extra.action, extra.actor, extra.from_status, extra.to_status) == (
        "counted",
        None,
        CLOSED,
        CLOSED,
    )
    assert extra.data == {"measures": 1}
    entry = AuditEntry.all_objects.get(target_type="rectification.AccountabilityCase")
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.changes["status"] == [OPEN, CLOSED]
    assert entry.changes["action"] == "close"
    assert entry.actor == world.admin


def test_transition_accepts_a_primary_key(world, case):
    engine.transition(WORKFLOW, case.pk, "close", world.admin, expected_version=1)
    assert fresh(case).status == CLOSED


def test_pair_not_in_the_table_is_refused_and_changes_nothing(world, case):
    before = counts()
    with translation.override("en"), pytest.raises(IllegalTransition) as error:
        engine.transition(WORKFLOW, case, "reopen", world.admin, expected_version=1, note="x")
    assert "reopen" in str(error.value) and "Open" in str(error.value)
    assert (fresh(case).status, fresh(case).version) == (OPEN, 1)
    assert counts() == before


def test_unknown_action_is_refused(world, case):
    with pytest.raises(IllegalTransition):
        engine.transition(WORKFLOW, case, "explode", world.admin, expected_version=1)


@pytest.mark.parametrize("persona", ["inspector", "school", "other_admin", "viewer", "superuser"])
def test_role_guard_refuses_and_changes_nothing(world, case, persona):
    before = counts()
    with pytest.raises(NotPermitted):
        engine.transition(WORKFLOW, case, "close", world.personas()[persona], expected_version=1)
    assert fresh(case).status == OPEN
    assert counts() == before


def test_anonymous_actor_is_refused(world, case):
    with pytest.raises(NotPermitted):
        engine.transition(WORKFLOW, case, "close", None, expected_version=1)


def test_precondition_guard_refuses_and_changes_nothing(world, case):
    engine.transition(WORKFLOW, case, "close", world.admin, expected_version=1)
    AccountabilityCase.all_objects.filter(pk=case.pk).update(notes="禁止重开")
    before = counts()
    with pytest.raises(IllegalTransition):
        engine.transition(WORKFLOW, case, "reopen", world.admin, expected_version=2, note="x")
    assert (fresh(case).status, fresh(case).version) == (CLOSED, 2)
    assert counts() == before


def test_required_note(world, case):
    engine.transition(WORKFLOW, case, "close", world.admin, expected_version=1)
    with pytest.raises(DomainError) as error:
        engine.transition(WORKFLOW, case, "reopen", world.admin, expected_version=2, note="   ")
    assert error.value.field == "note"
    engine.transition(WORKFLOW, case, "reopen", world.admin, expected_version=2, note="again")
    case = fresh(case)
    assert (case.status, case.closed_at, case.version) == (OPEN, None, 3)


@pytest.mark.parametrize("version", [0, 2, "2", None])
def test_stale_or_missing_version_is_refused(world, case, version):
    before = counts()
    with translation.override("en"), pytest.raises(StaleObject) as error:
        engine.transition(WORKFLOW, case, "close", world.admin, expected_version=version)
    assert "reload" in str(error.value)
    assert fresh(case).status == OPEN
    assert counts() == before


def test_stale_is_checked_before_the_table(world, case):
    with pytest.raises(StaleObject):
        engine.transition(WORKFLOW, case, "reopen", world.admin, expected_version=5, note="x")


def test_without_version_required_a_missing_version_skips_the_check(world, case):
    relaxed = dataclasses.replace(WORKFLOW, version_required=False)
    engine.transition(relaxed, case, "close", world.admin)
    assert fresh(case).version == 2
    with pytest.raises(StaleObject):
        engine.transition(relaxed, case, "reopen", world.admin, expected_version=1, note="x")


def test_signal_is_sent_only_after_commit(
    world, case, received, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        engine.transition(WORKFLOW, case, "close", world.admin, expected_version=1)
    assert received == []
    for callback in callbacks:
        callback()
    assert [kwargs["action"] for _sender, kwargs in received] == ["close", "counted"]
    sender, kwargs = received[0]
    assert sender is AccountabilityCase
    assert kwargs["case"].pk == case.pk
    assert kwargs["event"].action == "close"
    assert kwargs["workflow"] is WORKFLOW


def test_default_signal_is_the_engines(world, case, django_capture_on_commit_callbacks):
    plain = dataclasses.replace(
        WORKFLOW, signal=engine.transitioned, signal_instance_arg="instance"
    )
    got = []

    def handler(sender, instance, event, action, **kwargs):
        got.append((sender, instance.pk, action))

    engine.transitioned.connect(handler, sender=AccountabilityCase)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            engine.transition(plain, case, "close", world.admin, expected_version=1)
    finally:
        engine.transitioned.disconnect(handler, sender=AccountabilityCase)
    assert got == [(AccountabilityCase, case.pk, "close"), (AccountabilityCase, case.pk, "counted")]


def test_rollback_leaves_no_history_no_audit_and_no_signal(
    world, case, received, django_capture_on_commit_callbacks
):
    before = counts()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        engine.transition(WORKFLOW, case, "close", world.admin, expected_version=1)
        raise RuntimeError("the caller fails after the transition")
    assert callbacks == []
    assert received == []
    assert counts() == before
    assert (fresh(case).status, fresh(case).version) == (OPEN, 1)


def test_failing_apply_rolls_the_transition_back(world, case, received):
    def apply(locked):
        raise DomainError("the related row is invalid")

    before = counts()
    with pytest.raises(DomainError):
        engine.transition(WORKFLOW, case, "close", world.admin, expected_version=1, apply=apply)
    assert counts() == before
    assert fresh(case).status == OPEN


def test_apply_runs_after_the_checks_and_adds_to_the_history_data(world, case):
    seen = []

    def apply(locked):
        seen.append((locked.status, locked.version))
        return {"made": 7}

    engine.transition(WORKFLOW, case, "close", world.admin, expected_version=1, apply=apply)
    assert seen == [(CLOSED, 2)]
    assert AccountabilityCaseEvent.objects.get(action="close").data == {"made": 7}


def test_allowed_actions_follow_the_table_the_roles_and_the_guards(world, case):
    assert engine.allowed_actions(WORKFLOW, case, world.admin) == ["close"]
    assert engine.allowed_actions(WORKFLOW, case, world.inspector_user) == []
    case = engine.transition(WORKFLOW, case, "close", world.admin, expected_version=1)
    assert engine.allowed_actions(WORKFLOW, case, world.admin) == ["reopen"]
    case.notes = "禁止"
    assert engine.allowed_actions(WORKFLOW, case, world.admin) == []


def test_history_rows_are_append_only(world, case):
    engine.transition(WORKFLOW, case, "close", world.admin, expected_version=1)
    event = AccountabilityCaseEvent.objects.first()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_a_table_action_without_a_rule_is_a_definition_error():
    with pytest.raises(ValueError, match="no rule"):
        dataclasses.replace(WORKFLOW, rules={"close": WORKFLOW.rules["close"]})


def test_a_table_with_an_unknown_status_is_a_definition_error():
    with pytest.raises(ValueError, match="unknown statuses"):
        dataclasses.replace(WORKFLOW, transitions={(OPEN, "close"): "archived"})


def test_record_writes_a_line_without_changing_the_status(world, case):
    event = engine.record(
        WORKFLOW, case, "noted", world.admin, from_status=OPEN, data={"d": str(datetime.date.min)}
    )
    assert (event.from_status, event.to_status, event.action) == (OPEN, OPEN, "noted")
    assert fresh(case).version == 1
