"""Accountability cases (问责) change status through the workflow engine: a history row per
change (opened, measures changed, closed) and an audit row."""

import pytest

from dudao.audit.models import AuditEntry
from dudao.core import workflow as engine
from dudao.core.errors import DomainError, NotPermitted, StaleObject
from dudao.rectification import services
from dudao.rectification.models import AccountabilityCase, AccountabilityCaseEvent
from dudao.rectification.workflow import CASE_WORKFLOW, CaseAction


@pytest.fixture
def case(world, finding):
    return services.open_accountability_case(
        world.admin,
        office=world.office,
        finding=finding,
        target_kind="unit",
        target_name="湖滨小学",
        measures=["admonitory_talk"],
        notes="初查",
    )


def history(case):
    return list(
        AccountabilityCaseEvent.objects.filter(case=case)
        .order_by("pk")
        .values_list("action", "from_status", "to_status")
    )


def test_a_case_keeps_its_history_from_opening_to_closing(world, case):
    assert history(case) == [("opened", "", "open")]
    opened = case.events.get()
    assert opened.actor == world.admin
    assert opened.data["finding_id"] == case.finding_id

    case = services.update_accountability_case(
        world.admin, case, measures=["admonitory_talk", "public_criticism"]
    )
    assert case.version == 2
    assert history(case)[-1] == ("updated", "open", "open")
    assert case.events.last().data["measures"] == ["admonitory_talk", "public_criticism"]

    case = services.close_accountability_case(world.admin, case, notes="已约谈", expected_version=2)
    assert (case.status, case.version) == ("closed", 3)
    assert case.closed_at is not None
    assert case.notes == "初查\n已约谈"
    closed = case.events.last()
    assert (closed.action, closed.from_status, closed.to_status, closed.note) == (
        "close",
        "open",
        "closed",
        "已约谈",
    )
    entry = AuditEntry.all_objects.get(
        target_type="rectification.AccountabilityCase", changes__action="close"
    )
    assert entry.changes["status"] == ["open", "closed"]


def test_an_update_that_changes_nothing_writes_nothing(world, case):
    rows = AuditEntry.all_objects.count()
    services.update_accountability_case(world.admin, case, measures=["admonitory_talk"])
    assert history(case) == [("opened", "", "open")]
    assert AuditEntry.all_objects.count() == rows


def test_closing_a_closed_case_again_changes_nothing(world, case):
    services.close_accountability_case(world.admin, case)
    closed = AccountabilityCase.all_objects.get(pk=case.pk)
    again = services.close_accountability_case(world.admin, case, notes="再次")
    assert (again.version, again.notes) == (closed.version, closed.notes)
    assert [row[0] for row in history(case)] == ["opened", "close"]


@pytest.mark.parametrize("persona", ["inspector", "school", "zone_leader", "other_admin"])
def test_only_the_office_closes_a_case(world, case, persona):
    with pytest.raises(NotPermitted):
        services.close_accountability_case(world.personas()[persona], case)
    assert AccountabilityCase.all_objects.get(pk=case.pk).status == "open"
    assert history(case) == [("opened", "", "open")]


def test_a_stale_version_is_refused(world, case):
    services.update_accountability_case(world.admin, case, notes="改", expected_version=1)
    with pytest.raises(StaleObject):
        services.close_accountability_case(world.admin, case, expected_version=1)
    with pytest.raises(StaleObject):
        services.update_accountability_case(world.admin, case, notes="x", expected_version=1)
    assert AccountabilityCase.all_objects.get(pk=case.pk).status == "open"


def test_the_case_workflow_table(world, case):
    assert engine.allowed_actions(CASE_WORKFLOW, case, world.admin) == [CaseAction.CLOSE]
    assert engine.allowed_actions(CASE_WORKFLOW, case, world.inspector_user) == []
    case = services.close_accountability_case(world.admin, case)
    assert engine.allowed_actions(CASE_WORKFLOW, case, world.admin) == []
    with pytest.raises(DomainError):
        engine.transition(CASE_WORKFLOW, case, CaseAction.CLOSE, world.admin)
