"""The whole transition table, both ways: every legal (status, action) pair succeeds for a
permitted role and lands on the table's status; every other pair is refused and changes
nothing; every legal pair is refused for every persona without the role."""

import itertools

import pytest
from django.utils import translation

from dudao.audit.models import AuditEntry
from dudao.core.guards import SYSTEM
from dudao.rectification.models import FindingEvent, FindingStatus
from dudao.rectification.workflow import (
    RULES,
    TRANSITIONS,
    Action,
    IllegalTransition,
    NotPermitted,
    StaleFinding,
)

from .helpers import PRECONDITIONS, perform, persona_for, personas, put

ALL_PAIRS = list(itertools.product(FindingStatus.values, Action.values))
LEGAL = sorted(TRANSITIONS)
ILLEGAL = [pair for pair in ALL_PAIRS if pair not in TRANSITIONS]
assert len(LEGAL) == 30 and len(ILLEGAL) == 42


ACTIVE = ["open", "notice_issued", "responded", "urged"]
# The specification, written out by hand: the implementation's table must equal it.
EXPECTED_TABLE = {
    ("open", "issue_notice"): "notice_issued",
    ("open", "close_on_the_spot"): "closed",
    ("notice_issued", "respond"): "responded",
    ("urged", "respond"): "responded",
    ("responded", "accept"): "closed",
    ("responded", "reject"): "urged",
    ("notice_issued", "urge"): "urged",  # the daily check: a missed date (rules.md §10)
    ("urged", "urge"): "urged",
    **{(s, "escalate"): s for s in ACTIVE},
    **{(s, "escalate_to_city"): s for s in ACTIVE},
    **{(s, "escalate_to_province"): s for s in ACTIVE},
    **{(s, "mark_needs_other_department"): s for s in ACTIVE},
    **{(s, "withdraw"): "withdrawn" for s in ACTIVE},
    ("closed", "reopen"): "open",
    ("withdrawn", "reopen"): "open",
}
EXPECTED_ROLES = {
    "issue_notice": {"inspector", "office_admin"},
    "respond": {"school", "office_admin"},
    "accept": {"inspector", "office_admin"},
    "reject": {"inspector", "office_admin"},
    "escalate": {"inspector", "office_admin"},
    "escalate_to_city": {"office_admin"},
    "escalate_to_province": {"office_admin"},
    "urge": {"system"},
    "mark_needs_other_department": {"inspector", "office_admin"},
    "close_on_the_spot": {"inspector", "office_admin"},  # and only who made the visit
    "withdraw": {"office_admin"},
    "reopen": {"office_admin"},
}


def test_table_is_the_specified_one():
    assert {(str(s), str(a)): str(n) for (s, a), n in TRANSITIONS.items()} == EXPECTED_TABLE
    assert {str(a): set(rule.roles) for a, rule in RULES.items()} == EXPECTED_ROLES


def test_table_covers_only_known_statuses_and_actions():
    assert set(TRANSITIONS.values()) <= set(FindingStatus.values)
    assert {action for _s, action in TRANSITIONS} == set(Action.values) == set(RULES)
    assert len(LEGAL) + len(ILLEGAL) == len(FindingStatus.values) * len(Action.values)
    # Every status can be reached and left.
    assert set(TRANSITIONS.values()) | {FindingStatus.OPEN} == set(FindingStatus.values)
    assert {status for status, _a in TRANSITIONS} == set(FindingStatus.values)


@pytest.mark.parametrize(("status", "action"), LEGAL)
def test_legal_transition(world, finding, status, action):
    finding = put(finding, status, **PRECONDITIONS.get(action, {}))
    role = sorted(RULES[action].roles)[0]
    actor = world.inspector_user if action == Action.CLOSE_ON_THE_SPOT else persona_for(role, world)
    before_version = finding.version
    perform(action, finding, actor)
    finding.refresh_from_db()
    assert finding.status == TRANSITIONS[(status, action)]
    assert finding.version == before_version + 1
    event = finding.events.filter(action=action).get()
    assert (event.from_status, event.to_status) == (status, finding.status)
    assert event.actor == (actor if actor.pk else None)  # SYSTEM is named, not a user row
    assert AuditEntry.all_objects.filter(
        target_type="rectification.Finding", target_id=str(finding.pk), changes__action=action
    ).exists()
    assert (finding.closed_at is not None) == (finding.status == FindingStatus.CLOSED)


@pytest.mark.parametrize(("status", "action"), ILLEGAL)
def test_illegal_transition_is_refused_and_changes_nothing(world, finding, status, action):
    finding = put(finding, status, **PRECONDITIONS.get(action, {}))
    events = FindingEvent.objects.count()
    with translation.override("en"):
        with pytest.raises(IllegalTransition) as error:
            perform(action, finding, SYSTEM if action == Action.URGE else world.admin)
        message = str(error.value)
        assert str(FindingStatus(status).label) in message
        assert str(Action(action).label) in message
    after = type(finding).all_objects.get(pk=finding.pk)
    assert (after.status, after.version) == (status, finding.version)
    assert FindingEvent.objects.count() == events


WRONG_ROLE_CASES = [
    (status, action, persona)
    for status, action in LEGAL
    for persona in (
        "admin",
        "inspector",
        "school",
        "zone_leader",
        "viewer",
        "other_admin",
        "superuser",
        "system",
    )
    if {
        "admin": "office_admin",
        "inspector": "inspector",
        "school": "school",
        "system": "system",
    }.get(persona)
    not in RULES[action].roles
]


@pytest.mark.parametrize(("status", "action", "persona"), WRONG_ROLE_CASES)
def test_wrong_role_is_refused(world, finding, status, action, persona):
    finding = put(finding, status, **PRECONDITIONS.get(action, {}))
    with pytest.raises(NotPermitted):
        perform(action, finding, personas(world)[persona])
    assert type(finding).all_objects.get(pk=finding.pk).status == status


def test_office_admin_who_did_not_make_the_visit_cannot_close_it_on_the_spot(world, finding):
    with pytest.raises(NotPermitted):
        perform(Action.CLOSE_ON_THE_SPOT, finding, world.admin)


def test_inspector_after_reassignment_loses_the_finding(world, finding):
    from dudao.inspectors import services as inspector_services
    from tests.factories import InspectorFactory

    new = InspectorFactory(office=world.office)
    inspector_services.assign_inspector(
        world.admin, world.school, new, world.assignment.start_date.replace(day=2)
    )
    with pytest.raises(NotPermitted):
        perform(Action.ESCALATE, finding, world.inspector_user)


def test_stale_version_is_refused(world, finding):
    seen = finding.version
    perform(Action.ISSUE_NOTICE, finding, world.admin, version=seen)
    with pytest.raises(StaleFinding) as error, translation.override("en"):
        perform(Action.WITHDRAW, finding, world.admin, version=seen)
    assert "reload" in str(error.value)
    finding.refresh_from_db()
    assert finding.status == FindingStatus.NOTICE_ISSUED


def test_stale_version_is_checked_before_the_status(world, finding):
    perform(Action.ISSUE_NOTICE, finding, world.admin)
    with pytest.raises(StaleFinding):
        perform(Action.ISSUE_NOTICE, finding, world.admin, version=1)


def test_note_is_required_where_the_table_says_so(world, finding):
    from dudao.core.errors import DomainError
    from dudao.rectification import services

    with pytest.raises(DomainError) as error:
        services.withdraw(world.admin, finding, expected_version=finding.version, note="  ")
    assert error.value.field == "note"
