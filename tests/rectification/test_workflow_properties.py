"""Property test: any sequence of actions by any persona keeps the finding consistent.

Each step draws an action (mostly one the table allows in the current status, sometimes any
action) and a persona (mostly one holding a permitted role, sometimes anyone), so sequences
go deep into the workflow (responses, rejections, escalation, reopening) while refusals are
exercised too."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dudao.core.errors import DomainError
from dudao.rectification import services
from dudao.rectification.models import Finding, FindingStatus, FollowUp
from dudao.rectification.workflow import RULES, TRANSITIONS, Action

from .helpers import in_days, perform, personas

PERSONAS = ["admin", "inspector", "school", "zone_leader", "other_admin", "viewer", "system"]
PERSONA_OF_ROLE = {
    "office_admin": "admin",
    "inspector": "inspector",
    "school": "school",
    "system": "system",
}


def check_invariants(finding: Finding):
    assert finding.status in FindingStatus.values
    rejected = FollowUp.objects.filter(finding=finding, result="rejected").count()
    urged_for_a_date = finding.events.filter(action=Action.URGE).count()
    assert finding.urge_count == rejected + urged_for_a_date
    assert finding.urge_count == finding.events.filter(action=Action.REJECT).count() + (
        urged_for_a_date
    )
    assert (finding.closed_at is not None) == (finding.status == FindingStatus.CLOSED)
    # Replaying the events gives the current status; every workflow event obeys the table.
    status = ""
    for event in finding.events.order_by("at", "pk"):
        assert event.from_status == status
        if event.action in Action.values:
            assert TRANSITIONS[(event.from_status, event.action)] == event.to_status
        else:
            assert event.to_status == (event.from_status or FindingStatus.OPEN)
        status = event.to_status
    assert status == finding.status
    if finding.urge_count >= 2:
        assert finding.escalated_to != "none"


@pytest.mark.django_db
@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), on_the_spot=st.booleans(), length=st.integers(0, 30))
def test_random_action_sequences_keep_the_finding_consistent(
    world, visit, data, on_the_spot, length
):
    kind = (
        {"deadline_kind": "on_the_spot"}
        if on_the_spot
        else {"deadline_kind": "by_date", "deadline": in_days(5)}
    )
    finding = services.create_finding(
        world.inspector_user, school=world.school, visit=visit, area=3, description="随机", **kind
    )
    actors = personas(world)
    for _step in range(length):
        before = Finding.all_objects.get(pk=finding.pk)
        legal = sorted(a for (s, a) in TRANSITIONS if s == before.status)
        if data.draw(st.integers(0, 4)) and legal:
            action = data.draw(st.sampled_from(legal))
        else:
            action = data.draw(st.sampled_from(Action.values))
        if data.draw(st.integers(0, 3)):
            role = data.draw(st.sampled_from(sorted(RULES[action].roles)))
            persona = PERSONA_OF_ROLE[role]
        else:
            persona = data.draw(st.sampled_from(PERSONAS))
        try:
            perform(action, finding, actors[persona])
        except DomainError:
            after = Finding.all_objects.get(pk=finding.pk)
            assert (after.status, after.version) == (before.status, before.version)
        check_invariants(Finding.all_objects.get(pk=finding.pk))
