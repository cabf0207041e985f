"""The rectification state machine. Every change of a finding's status goes through
`transition()`; the named services in `dudao.rectification.services` are thin wrappers.

Statuses: open → notice_issued → responded → closed (follow-up accepted), or
responded → urged (follow-up rejected, urge_count + 1) → responded → … ; withdrawn ends a
finding recorded in error; the office may reopen a closed or withdrawn finding.

Escalation is not a status: `escalate`, `escalate_to_city` and `mark_needs_other_department`
keep the status and change `escalated_to` / `severity`. After `escalate_after_rejections`
(default 2) rejected follow-ups the finding escalates to the county office by itself, as a
key problem (RULES.md §5).

Who may act, relative to the finding's school:
- "inspector": the school's responsible inspector today (挂牌, from the assignments)
- "school": a school user of that school
- "office_admin": an office admin of the finding's office

Each transition runs in one transaction: lock the row (select_for_update), check the
expected version (optimistic concurrency: the version the user saw), check the table, the
role and the preconditions, change the finding, write a FindingEvent and an AuditEntry, and
send `finding_transitioned` after commit (notifications listen to it).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.accounts.models import Role
from dudao.audit import services as audit
from dudao.core.errors import DomainError
from dudao.visits.services import assigned_on

from .models import Escalation, Finding, FindingEvent, FindingStatus, Severity, rules_for
from .signals import finding_transitioned

S = FindingStatus


class Action(models.TextChoices):
    """Actions that go through the transition table."""

    ISSUE_NOTICE = "issue_notice", gettext_lazy("issue a notice")
    RESPOND = "respond", gettext_lazy("respond")
    ACCEPT = "accept", gettext_lazy("accept the rectification")
    REJECT = "reject", gettext_lazy("reject the rectification")
    ESCALATE = "escalate", gettext_lazy("escalate to the county office")
    ESCALATE_TO_CITY = "escalate_to_city", gettext_lazy("escalate to the city")
    MARK_NEEDS_OTHER_DEPARTMENT = (
        "mark_needs_other_department",
        gettext_lazy("mark as needing another department"),
    )
    CLOSE_ON_THE_SPOT = "close_on_the_spot", gettext_lazy("close as fixed on the spot")
    WITHDRAW = "withdraw", gettext_lazy("withdraw")
    REOPEN = "reopen", gettext_lazy("reopen")


class Event:
    """FindingEvent actions written outside the table (no status change)."""

    CREATED = "created"
    ESCALATED = "escalated"  # automatic escalation after repeated rejected follow-ups
    OVERDUE = "overdue"
    OVERDUE_CLEARED = "overdue_cleared"
    DEADLINE_CHANGED = "deadline_changed"
    SEVERITY_CHANGED = "severity_changed"
    FILE_ADDED = "file_added"
    ACCOUNTABILITY_OPENED = "accountability_opened"


ACTIVE = (S.OPEN, S.NOTICE_ISSUED, S.RESPONDED, S.URGED)
TERMINAL = (S.CLOSED, S.WITHDRAWN)

# (current status, action) → new status. A pair not in the table is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.OPEN, Action.ISSUE_NOTICE): S.NOTICE_ISSUED,
    (S.OPEN, Action.CLOSE_ON_THE_SPOT): S.CLOSED,
    (S.NOTICE_ISSUED, Action.RESPOND): S.RESPONDED,
    (S.URGED, Action.RESPOND): S.RESPONDED,
    (S.RESPONDED, Action.ACCEPT): S.CLOSED,
    (S.RESPONDED, Action.REJECT): S.URGED,
    **{(s, Action.ESCALATE): s for s in ACTIVE},
    **{(s, Action.ESCALATE_TO_CITY): s for s in ACTIVE},
    **{(s, Action.MARK_NEEDS_OTHER_DEPARTMENT): s for s in ACTIVE},
    **{(s, Action.WITHDRAW): S.WITHDRAWN for s in ACTIVE},
    (S.CLOSED, Action.REOPEN): S.OPEN,
    (S.WITHDRAWN, Action.REOPEN): S.OPEN,
}

INSPECTOR, SCHOOL, OFFICE = "inspector", "school", "office_admin"


class StaleFinding(DomainError):
    """The finding changed since the user loaded it."""


class IllegalTransition(DomainError):
    """The action is not possible in the finding's current status (or state)."""


class NotPermitted(DomainError):
    """The user may not take this action on this finding."""


def _upgrade(finding: Finding, severity: str) -> None:
    """Escalations raise a general problem's severity; they never lower a serious one."""
    if finding.severity == Severity.GENERAL or (
        severity == Severity.DIFFICULT and finding.severity == Severity.KEY
    ):
        finding.severity = severity


def _to_county(finding: Finding, severity: str) -> None:
    _upgrade(finding, severity)
    if finding.escalated_to == Escalation.NONE:
        finding.escalated_to = Escalation.COUNTY


# Guards raise IllegalTransition/NotPermitted; effects change the locked finding and may
# return extra events as (action, note, data).


def _guard_not_escalated(finding, actor, data):
    if finding.escalated_to != Escalation.NONE:
        raise IllegalTransition(
            _("This finding is already escalated to the %(level)s.")
            % {"level": finding.get_escalated_to_display()}
        )


def _guard_county_escalated(finding, actor, data):
    if finding.escalated_to != Escalation.COUNTY:
        raise IllegalTransition(
            _("Only a finding escalated to the county office can go on to the city.")
        )


def _guard_not_marked(finding, actor, data):
    if finding.needs_other_department:
        raise IllegalTransition(_("This finding is already marked as needing another department."))


def _guard_on_the_spot(finding, actor, data):
    if finding.deadline_kind != Finding.DeadlineKind.ON_THE_SPOT:
        raise IllegalTransition(_("Only a finding to be fixed on the spot can be closed this way."))
    visit = finding.visit
    if visit is None or (
        visit.created_by_id != actor.pk
        and not (actor.inspector_id and actor.inspector_id == visit.inspector_id)
    ):
        raise NotPermitted(_("Only the inspector who made the visit can close it on the spot."))


def _effect_close(finding, data):
    finding.closed_at = timezone.now()
    finding.is_overdue = False


def _effect_withdraw(finding, data):
    finding.is_overdue = False


def _effect_reopen(finding, data):
    finding.closed_at = None


def _effect_reject(finding, data):
    finding.urge_count += 1
    threshold = rules_for(finding.office_id).escalate_after_rejections
    if finding.urge_count >= threshold and finding.escalated_to == Escalation.NONE:
        _to_county(finding, Severity.KEY)
        return [
            (
                Event.ESCALATED,
                _("Not rectified after %(count)s urgings: reported to the county office.")
                % {"count": finding.urge_count},
                {"reason": "urgings", "urge_count": finding.urge_count, "to": "county"},
            )
        ]
    return []


def _effect_escalate(finding, data):
    _to_county(finding, Severity.KEY)


def _effect_escalate_to_city(finding, data):
    finding.escalated_to = Escalation.CITY


def _effect_needs_other_department(finding, data):
    finding.needs_other_department = True
    _to_county(finding, Severity.DIFFICULT)


@dataclass(frozen=True)
class Rule:
    roles: frozenset
    note_required: bool = False
    guard: Callable | None = None
    effect: Callable | None = None


RULES: dict[str, Rule] = {
    Action.ISSUE_NOTICE: Rule(frozenset({INSPECTOR, OFFICE})),
    Action.RESPOND: Rule(frozenset({SCHOOL, OFFICE})),
    Action.ACCEPT: Rule(frozenset({INSPECTOR, OFFICE}), effect=_effect_close),
    Action.REJECT: Rule(frozenset({INSPECTOR, OFFICE}), effect=_effect_reject),
    Action.ESCALATE: Rule(
        frozenset({INSPECTOR, OFFICE}),
        note_required=True,
        guard=_guard_not_escalated,
        effect=_effect_escalate,
    ),
    Action.ESCALATE_TO_CITY: Rule(
        frozenset({OFFICE}),
        note_required=True,
        guard=_guard_county_escalated,
        effect=_effect_escalate_to_city,
    ),
    Action.MARK_NEEDS_OTHER_DEPARTMENT: Rule(
        frozenset({INSPECTOR, OFFICE}),
        note_required=True,
        guard=_guard_not_marked,
        effect=_effect_needs_other_department,
    ),
    Action.CLOSE_ON_THE_SPOT: Rule(
        frozenset({INSPECTOR, OFFICE}),
        note_required=True,
        guard=_guard_on_the_spot,
        effect=_effect_close,
    ),
    Action.WITHDRAW: Rule(frozenset({OFFICE}), note_required=True, effect=_effect_withdraw),
    Action.REOPEN: Rule(frozenset({OFFICE}), note_required=True, effect=_effect_reopen),
}


def roles_of(actor, finding: Finding) -> set[str]:
    """The actor's roles with respect to this finding's school and office."""
    roles = set()
    if actor is None or not getattr(actor, "pk", None) or not actor.is_active:
        return roles
    if actor.role == Role.OFFICE_ADMIN and actor.office_id == finding.office_id:
        roles.add(OFFICE)
    if (
        actor.role in (Role.INSPECTOR, Role.ZONE_LEADER)
        and actor.inspector_id
        and assigned_on(actor.inspector_id, finding.school_id, timezone.localdate())
    ):
        roles.add(INSPECTOR)
    if actor.role == Role.SCHOOL and actor.school_id == finding.school_id:
        roles.add(SCHOOL)
    return roles


def allowed_actions(finding: Finding, actor) -> list[str]:
    """The actions the UI may offer this actor now (table and role; preconditions that need
    input, such as a note, are checked on submit)."""
    roles = roles_of(actor, finding)
    result = []
    for (status, action), _new in TRANSITIONS.items():
        if status != finding.status or not (RULES[action].roles & roles):
            continue
        guard = RULES[action].guard
        try:
            if guard:
                guard(finding, actor, {})
        except DomainError:
            continue
        result.append(action)
    return result


def lock(finding: Finding | int, expected_version: int) -> Finding:
    """Lock the finding's row and check it is still the version the user saw. Call inside a
    transaction."""
    pk = finding.pk if isinstance(finding, Finding) else finding
    locked = Finding.objects.select_for_update(of=("self",)).select_related("visit").get(pk=pk)
    if expected_version is None or locked.version != int(expected_version):
        raise StaleFinding(_("Someone else changed this finding; reload it and try again."))
    return locked


def record_event(finding, action, actor, *, from_status, note="", data=None) -> FindingEvent:
    """Append a history line and send `finding_transitioned` once the transaction commits."""
    event = FindingEvent.objects.create(
        finding=finding,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=str(actor) if actor is not None else "",
        action=action,
        from_status=from_status,
        to_status=finding.status,
        note=note,
        data=data or {},
    )
    transaction.on_commit(
        lambda: finding_transitioned.send(
            sender=Finding, finding=finding, event=event, action=action
        )
    )
    return event


def transition(
    finding: Finding | int,
    action: str,
    actor,
    *,
    expected_version: int,
    note: str = "",
    apply: Callable[[Finding], dict | None] | None = None,
    **data,
) -> Finding:
    """Take `action` on `finding` as `actor`. `apply(locked_finding)` runs after every check
    and before the event is written (services create their Notice/Response/FollowUp rows
    there); the dict it returns is added to the event's data. Returns the updated finding.
    Raises StaleFinding, IllegalTransition or NotPermitted (all DomainError)."""
    with transaction.atomic():
        finding = lock(finding, expected_version)
        if action not in RULES:
            raise IllegalTransition(_("Unknown action: %(action)s.") % {"action": action})
        rule = RULES[action]
        label = Action(action).label
        status_label = S(finding.status).label
        new_status = TRANSITIONS.get((finding.status, action))
        if new_status is None:
            raise IllegalTransition(
                _("You cannot %(action)s: the finding is “%(status)s”.")
                % {"action": label, "status": status_label}
            )
        if not (rule.roles & roles_of(actor, finding)):
            raise NotPermitted(_("You may not %(action)s on this finding.") % {"action": label})
        note = (note or "").strip()
        if rule.note_required and not note:
            raise DomainError(_("Add a note to %(action)s.") % {"action": label}, field="note")
        if rule.guard:
            rule.guard(finding, actor, data)
        before = audit.snapshot(finding)
        from_status = finding.status
        finding.status = new_status
        extra_events = (rule.effect(finding, data) if rule.effect else None) or []
        finding.version += 1
        finding.save()
        event_data = {key: audit._plain(value) for key, value in data.items()}
        if apply is not None:
            event_data.update(apply(finding) or {})
        record_event(finding, action, actor, from_status=from_status, note=note, data=event_data)
        for extra_action, extra_note, extra_data in extra_events:
            record_event(
                finding,
                extra_action,
                None,
                from_status=finding.status,
                note=extra_note,
                data=extra_data,
            )
        changes = audit.diff(before, audit.snapshot(finding))
        changes["action"] = action
        audit.record(actor, audit.Action.UPDATE, finding, changes)
        return finding
