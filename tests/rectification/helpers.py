"""Drive the rectification workflow through the named services, one call per action."""

import datetime

from django.utils import timezone

from dudao.core.guards import SYSTEM
from dudao.rectification import services
from dudao.rectification.models import Escalation, Finding, FindingStatus
from dudao.rectification.workflow import INSPECTOR, OFFICE, PLATFORM, SCHOOL, Action


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def perform(action: str, finding: Finding, actor, version=None):
    """Take `action` through its service with valid input; `version` defaults to the
    finding's current version (read fresh)."""
    if version is None:
        version = Finding.all_objects.get(pk=finding.pk).version
    note = "说明"
    if action == Action.ISSUE_NOTICE:
        return services.issue_notice(
            actor, [finding], expected_versions={finding.pk: version}, deadline=in_days(10)
        )
    if action == Action.RESPOND:
        return services.respond(actor, finding, expected_version=version, text="已整改")
    if action == Action.ACCEPT:
        return services.record_follow_up(
            actor, finding, expected_version=version, result="accepted", note=note
        )
    if action == Action.REJECT:
        return services.record_follow_up(
            actor, finding, expected_version=version, result="rejected", note="仍未整改"
        )
    if action == Action.URGE:
        return services.urge_missed_date(
            actor, finding, expected_version=version, today=timezone.localdate()
        )
    named = {
        Action.ESCALATE: services.escalate,
        Action.ESCALATE_TO_CITY: services.escalate_to_city,
        Action.ESCALATE_TO_PROVINCE: services.escalate_to_province,
        Action.MARK_NEEDS_OTHER_DEPARTMENT: services.mark_needs_other_department,
        Action.CLOSE_ON_THE_SPOT: services.close_on_the_spot,
        Action.WITHDRAW: services.withdraw,
        Action.REOPEN: services.reopen,
    }
    return named[action](actor, finding, expected_version=version, note=note)


def put(finding: Finding, status: str, **fields) -> Finding:
    """Force a finding into a state (test set-up only)."""
    closed_at = timezone.now() if status == FindingStatus.CLOSED else None
    Finding.all_objects.filter(pk=finding.pk).update(status=status, closed_at=closed_at, **fields)
    finding.refresh_from_db()
    return finding


def persona_for(role: str, world):
    return {
        INSPECTOR: world.inspector_user,
        SCHOOL: world.school_user,
        OFFICE: world.admin,
        PLATFORM: SYSTEM,
    }[role]


def personas(world) -> dict:
    """The world's personas and the platform's daily check (SYSTEM)."""
    return {**world.personas(), "system": SYSTEM}


# What an action needs beyond its status, so the table test isolates the status check.
PRECONDITIONS = {
    Action.ESCALATE_TO_CITY: {"escalated_to": Escalation.COUNTY},
    Action.ESCALATE_TO_PROVINCE: {"escalated_to": Escalation.CITY},
    Action.URGE: {"deadline": datetime.date(2000, 1, 1)},  # long missed
}
