"""Draft → submitted goes through the workflow engine: a VisitEvent, an audit row and the
engine's signal after commit."""

import uuid

import pytest

from dudao.audit.models import AuditEntry
from dudao.core import workflow as engine
from dudao.core.errors import DomainError, IllegalTransition, NotPermitted
from dudao.visits import services, workflow
from dudao.visits.models import Visit, VisitEvent
from tests.factories_supervision import earlier_today


def _draft(world, key=None, **fields):
    return services.save_draft(world.inspector_user, world.school, key or uuid.uuid4(), **fields)


def test_submitting_a_draft_writes_one_history_row_and_one_audit_row(world):
    key = uuid.uuid4()
    draft = _draft(world, key, summary="上午")
    assert not VisitEvent.objects.exists()  # saving a draft is not a transition
    visit = services.submit_visit(world.inspector_user, key, visited_at=earlier_today())
    assert visit.status == Visit.Status.SUBMITTED
    assert visit.submitted_at is not None
    event = VisitEvent.objects.get()
    assert (event.visit_id, event.action) == (draft.pk, "submit")
    assert (event.from_status, event.to_status) == ("draft", "submitted")
    assert (event.actor, event.actor_name) == (world.inspector_user, str(world.inspector_user))
    entry = AuditEntry.all_objects.get(target_type="visits.Visit", changes__action="submit")
    assert entry.changes["status"] == ["draft", "submitted"]
    assert entry.actor == world.inspector_user
    assert visit.version == draft.version + 2  # the last edit, then the submission


def test_a_visit_submitted_without_a_draft_has_its_history_row(world):
    visit = services.submit_visit(
        world.inspector_user, uuid.uuid4(), school=world.school, visited_at=earlier_today()
    )
    event = visit.events.get()
    assert (event.from_status, event.to_status, event.action) == ("draft", "submitted", "submit")
    assert visit.version == 2


def test_a_repeated_submission_writes_no_second_row(world):
    key = uuid.uuid4()
    services.submit_visit(
        world.inspector_user, key, school=world.school, visited_at=earlier_today()
    )
    services.submit_visit(
        world.inspector_user, key, school=world.school, visited_at=earlier_today()
    )
    assert VisitEvent.objects.count() == 1


def test_a_refused_submission_leaves_no_history(world):
    key = uuid.uuid4()
    _draft(world, key)
    with pytest.raises(DomainError) as error:
        services.submit_visit(world.inspector_user, key)
    assert error.value.field == "visited_at"
    assert not VisitEvent.objects.exists()
    assert Visit.all_objects.get().status == Visit.Status.DRAFT


def test_the_signal_is_sent_after_commit(world, django_capture_on_commit_callbacks):
    got = []

    def handler(sender, instance, event, action, **kwargs):
        got.append((instance.pk, event.to_status, action))

    engine.transitioned.connect(handler, sender=Visit)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            visit = services.submit_visit(
                world.inspector_user, uuid.uuid4(), school=world.school, visited_at=earlier_today()
            )
        assert got == []
        for callback in callbacks:
            callback()
    finally:
        engine.transitioned.disconnect(handler, sender=Visit)
    assert got == [(visit.pk, "submitted", "submit")]


def test_the_engine_refuses_a_second_submission_and_a_stranger(world, other_inspector_user):
    draft = _draft(world, visited_at=earlier_today())
    assert workflow.allowed_actions(draft, world.inspector_user) == ["submit"]
    assert workflow.allowed_actions(draft, world.admin) == ["submit"]
    assert workflow.allowed_actions(draft, other_inspector_user) == []
    with pytest.raises(NotPermitted):
        workflow.submit(draft, other_inspector_user)
    with pytest.raises(NotPermitted):
        workflow.submit(draft, world.other_admin)
    visit = workflow.submit(draft, world.admin)  # the office admin may submit a paper record
    assert VisitEvent.objects.get().actor == world.admin
    with pytest.raises(IllegalTransition):
        workflow.submit(visit, world.inspector_user)
    assert workflow.allowed_actions(visit, world.inspector_user) == []


def test_the_engine_refuses_a_draft_without_a_visit_time(world):
    draft = _draft(world)
    assert workflow.allowed_actions(draft, world.inspector_user) == []
    with pytest.raises(DomainError):
        workflow.submit(draft, world.inspector_user)
    assert not VisitEvent.objects.exists()
