"""The rectification state machine. Every change of a finding's status goes through
`transition()`; the named services in `dudao.rectification.services` are thin wrappers.

Statuses: open → notice_issued → responded → closed (follow-up accepted), or
responded → urged (follow-up rejected, urge_count + 1) → responded → … ; a notice or an
urging left unanswered past its date is urged by the daily check (notice_issued/urged →
urged, urge_count + 1, docs/rules.md §10); withdrawn ends a finding recorded in error; the
office may reopen a closed or withdrawn finding.

Escalation is not a status: `escalate`, `escalate_to_city`, `escalate_to_province` and
`mark_needs_other_department` keep the status and change `escalated_to` / `severity`. After
`escalate_after_urgings` (default 2) urgings of either kind the finding escalates to the
county office by itself, as a key problem (docs/rules.md §11); county → city → province, by
the office (§12); a serious violation is reported to the county office when it is recorded
(§13, `services.create_finding` and `services.set_severity`).

Who may act, relative to the finding's school:
- "inspector": the school's responsible inspector today (挂牌, from the assignments)
- "school": a school user of that school
- "office_admin": an office admin of the finding's office
- "system": the platform's daily check (`dudao.core.guards.SYSTEM`), the only one that urges
  a school for a missed date

Each transition runs in one transaction through the engine (`dudao.core.workflow`): lock
the row (select_for_update), check the expected version (optimistic concurrency: the version
the user saw), check the table, the role and the preconditions, change the finding, write a
FindingEvent and an AuditEntry, and send `finding_transitioned` after commit (notifications
listen to it).

Accountability cases (问责) have their own small workflow here too: open → closed, by the
office admin, with an AccountabilityCaseEvent per change.
"""

import datetime
from collections.abc import Callable

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.accounts.models import Role
from dudao.core import guards
from dudao.core import workflow as engine
from dudao.core.errors import IllegalTransition, NotPermitted, StaleObject
from dudao.core.workflow import Rule, Step
from dudao.inspectors.models import Assignment

from .models import (
    ACTIVE_STATUSES,
    TERMINAL_STATUSES,
    AccountabilityCase,
    AccountabilityCaseEvent,
    Escalation,
    Finding,
    FindingEvent,
    FindingStatus,
    Severity,
    rules_for,
)
from .signals import finding_transitioned

__all__ = [
    "ACTIVE",
    "CASE_WORKFLOW",
    "FINDING_WORKFLOW",
    "INSPECTOR",
    "OFFICE",
    "PLATFORM",
    "RULES",
    "SCHOOL",
    "TERMINAL",
    "TRANSITIONS",
    "URGEABLE",
    "Action",
    "CaseAction",
    "Event",
    "IllegalTransition",
    "NotPermitted",
    "Rule",
    "StaleFinding",
    "allowed_actions",
    "answer_due",
    "lock",
    "record_case_event",
    "record_event",
    "respond_by_after_urging",
    "roles_of",
    "transition",
    "urge_note",
]

S = FindingStatus


class Action(models.TextChoices):
    """Actions that go through the transition table."""

    ISSUE_NOTICE = "issue_notice", gettext_lazy("issue a notice")
    RESPOND = "respond", gettext_lazy("respond")
    ACCEPT = "accept", gettext_lazy("accept the rectification")
    REJECT = "reject", gettext_lazy("reject the rectification")
    ESCALATE = "escalate", gettext_lazy("escalate to the county office")
    ESCALATE_TO_CITY = "escalate_to_city", gettext_lazy("escalate to the city")
    ESCALATE_TO_PROVINCE = "escalate_to_province", gettext_lazy("escalate to the province")
    MARK_NEEDS_OTHER_DEPARTMENT = (
        "mark_needs_other_department",
        gettext_lazy("mark as needing another department"),
    )
    CLOSE_ON_THE_SPOT = "close_on_the_spot", gettext_lazy("close as fixed on the spot")
    WITHDRAW = "withdraw", gettext_lazy("withdraw")
    REOPEN = "reopen", gettext_lazy("reopen")
    # Taken by the daily check only (docs/rules.md §10), never offered to a person.
    URGE = "urge", gettext_lazy("urge the school: date missed")


class Event:
    """FindingEvent actions written outside the table (no status change)."""

    CREATED = "created"
    # Automatic escalation to the county office: after repeated urgings (data "reason":
    # "urgings", §11) or a serious violation recorded or re-graded ("reason": "serious", §13).
    ESCALATED = "escalated"
    OVERDUE = "overdue"
    OVERDUE_CLEARED = "overdue_cleared"
    DEADLINE_CHANGED = "deadline_changed"
    SEVERITY_CHANGED = "severity_changed"
    FILE_ADDED = "file_added"
    ACCOUNTABILITY_OPENED = "accountability_opened"


# The one set of active / terminal statuses is defined beside FindingStatus; the old names
# stay importable from here.
ACTIVE = ACTIVE_STATUSES
TERMINAL = TERMINAL_STATUSES

# Waiting for the school's answer: a notice or an urging it has not answered yet. The daily
# check urges these when their date has passed (docs/rules.md §10).
URGEABLE = (S.NOTICE_ISSUED, S.URGED)

# (current status, action) → new status. A pair not in the table is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (S.OPEN, Action.ISSUE_NOTICE): S.NOTICE_ISSUED,
    (S.OPEN, Action.CLOSE_ON_THE_SPOT): S.CLOSED,
    (S.NOTICE_ISSUED, Action.RESPOND): S.RESPONDED,
    (S.URGED, Action.RESPOND): S.RESPONDED,
    (S.RESPONDED, Action.ACCEPT): S.CLOSED,
    (S.RESPONDED, Action.REJECT): S.URGED,
    **{(s, Action.URGE): S.URGED for s in URGEABLE},
    **{(s, Action.ESCALATE): s for s in ACTIVE},
    **{(s, Action.ESCALATE_TO_CITY): s for s in ACTIVE},
    **{(s, Action.ESCALATE_TO_PROVINCE): s for s in ACTIVE},
    **{(s, Action.MARK_NEEDS_OTHER_DEPARTMENT): s for s in ACTIVE},
    **{(s, Action.WITHDRAW): S.WITHDRAWN for s in ACTIVE},
    (S.CLOSED, Action.REOPEN): S.OPEN,
    (S.WITHDRAWN, Action.REOPEN): S.OPEN,
}

INSPECTOR, SCHOOL, OFFICE = "inspector", "school", "office_admin"
PLATFORM = "system"

# The engine's errors under their old names.
StaleFinding = StaleObject


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


def _guard_not_escalated(finding, step: Step):
    if finding.escalated_to != Escalation.NONE:
        raise IllegalTransition(
            _("This finding is already escalated to the %(level)s.")
            % {"level": finding.get_escalated_to_display()}
        )


def _guard_county_escalated(finding, step: Step):
    if finding.escalated_to != Escalation.COUNTY:
        raise IllegalTransition(
            _("Only a finding escalated to the county office can go on to the city.")
        )


def _guard_city_escalated(finding, step: Step):
    if finding.escalated_to != Escalation.CITY:
        raise IllegalTransition(
            _("Only a finding escalated to the city can go on to the province.")
        )


def _today(step: Step) -> datetime.date:
    """The office's date the step is taken on: the daily check passes the day it checks as
    `checked_on`; otherwise today (settings.TIME_ZONE is the offices' Beijing time)."""
    checked_on = step.data.get("checked_on")
    return datetime.date.fromisoformat(checked_on) if checked_on else timezone.localdate()


def answer_due(finding: Finding) -> datetime.date:
    """The date the school had to answer by: the deadline, or the last urging's date if later
    (docs/rules.md §10)."""
    return max(finding.deadline, finding.respond_by or finding.deadline)


def _guard_date_missed(finding, step: Step):
    if answer_due(finding) >= _today(step):
        raise IllegalTransition(_("The school's date to respond has not passed yet."))


def respond_by_after_urging(office_id, today: datetime.date) -> datetime.date:
    """An urging gives the school the office's `urge_response_days` (default 10) from the day
    of the urging (docs/rules.md §10)."""
    return today + datetime.timedelta(days=rules_for(office_id).urge_response_days)


def urge_note(missed: datetime.date, respond_by: datetime.date) -> str:
    """The note the daily check writes with an urging, in the office's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(
            "No response by %(missed)s: the school is urged to rectify and respond by "
            "%(respond_by)s."
        ) % {"missed": missed.isoformat(), "respond_by": respond_by.isoformat()}


def _guard_not_marked(finding, step: Step):
    if finding.needs_other_department:
        raise IllegalTransition(_("This finding is already marked as needing another department."))


def _guard_on_the_spot(finding, step: Step):
    if finding.deadline_kind != Finding.DeadlineKind.ON_THE_SPOT:
        raise IllegalTransition(_("Only a finding to be fixed on the spot can be closed this way."))
    visit, actor = finding.visit, step.actor
    if visit is None or (
        visit.created_by_id != actor.pk
        and not (actor.inspector_id and actor.inspector_id == visit.inspector_id)
    ):
        raise NotPermitted(_("Only the inspector who made the visit can close it on the spot."))


def _effect_close(finding, step: Step):
    finding.closed_at = timezone.now()
    finding.is_overdue = False


def _effect_withdraw(finding, step: Step):
    finding.is_overdue = False


def _effect_reopen(finding, step: Step):
    finding.closed_at = None
    finding.respond_by = None


def _effect_issue_notice(finding, step: Step):
    finding.respond_by = None  # the notice's deadline is the date to answer by again


def _effect_urge(finding, step: Step):
    """One urging (督促), of either kind: a rejected follow-up or a missed date (docs/rules.md
    §10-§11). The school gets `urge_response_days` to respond; at the office's threshold
    (`escalate_after_urgings`, default 2, both kinds counted) the finding goes to the county
    office as a key problem."""
    finding.urge_count += 1
    finding.respond_by = respond_by_after_urging(finding.office_id, _today(step))
    threshold = rules_for(finding.office_id).escalate_after_urgings
    if finding.urge_count >= threshold and finding.escalated_to == Escalation.NONE:
        _to_county(finding, Severity.KEY)
        # A note the system writes into the record: in the office's language (the record's),
        # whatever language the acting user's page happens to speak.
        with translation.override(settings.LANGUAGE_CODE):
            note = _("Not rectified after %(count)s urgings: reported to the county office.") % {
                "count": finding.urge_count
            }
        return [
            (
                Event.ESCALATED,
                note,
                {"reason": "urgings", "urge_count": finding.urge_count, "to": "county"},
            )
        ]
    return []


def _effect_escalate(finding, step: Step):
    _to_county(finding, Severity.KEY)


def _effect_escalate_to_city(finding, step: Step):
    finding.escalated_to = Escalation.CITY


def _effect_escalate_to_province(finding, step: Step):
    finding.escalated_to = Escalation.PROVINCE


def _effect_needs_other_department(finding, step: Step):
    finding.needs_other_department = True
    _to_county(finding, Severity.DIFFICULT)


RULES: dict[str, Rule] = {
    Action.ISSUE_NOTICE: Rule(frozenset({INSPECTOR, OFFICE}), effect=_effect_issue_notice),
    Action.RESPOND: Rule(frozenset({SCHOOL, OFFICE})),
    Action.ACCEPT: Rule(frozenset({INSPECTOR, OFFICE}), effect=_effect_close),
    Action.REJECT: Rule(frozenset({INSPECTOR, OFFICE}), effect=_effect_urge),
    Action.URGE: Rule(frozenset({PLATFORM}), guard=_guard_date_missed, effect=_effect_urge),
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
    Action.ESCALATE_TO_PROVINCE: Rule(
        frozenset({OFFICE}),
        note_required=True,
        guard=_guard_city_escalated,
        effect=_effect_escalate_to_province,
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


def _is_active_user(actor) -> bool:
    return actor is not None and bool(getattr(actor, "pk", None)) and actor.is_active


def roles_of(actor, finding: Finding) -> set[str]:
    """The actor's roles with respect to this finding's school and office. SYSTEM (the daily
    check) holds only its own role: it urges, it takes no person's action."""
    roles = set()
    if guards.is_system(actor):
        return {PLATFORM}
    if not _is_active_user(actor):
        return roles
    # The guards' predicates: the superuser rule holds here too (dudao/core/guards.py).
    if guards.is_office_admin(actor, finding.office_id):
        roles.add(OFFICE)
    if (
        guards.has_role(actor, Role.INSPECTOR, Role.ZONE_LEADER)
        and actor.inspector_id
        and Assignment.objects.unscoped()
        .current(on=timezone.localdate())
        .filter(inspector_id=actor.inspector_id, school_id=finding.school_id)
        .exists()
    ):
        roles.add(INSPECTOR)
    if guards.has_role(actor, Role.SCHOOL) and actor.school_id == finding.school_id:
        roles.add(SCHOOL)
    return roles


FINDING_WORKFLOW = engine.Workflow(
    model=Finding,
    transitions=TRANSITIONS,
    rules=RULES,
    roles_of=roles_of,
    history_model=FindingEvent,
    history_fk="finding",
    actions=Action,
    version_required=True,  # every change of a finding names the version the user saw
    select_related=("visit",),
    signal=finding_transitioned,
    signal_instance_arg="finding",
    messages=engine.Messages(
        stale=gettext_lazy("Someone else changed this finding; reload it and try again."),
        illegal=gettext_lazy("You cannot %(action)s: the finding is “%(status)s”."),
        not_permitted=gettext_lazy("You may not %(action)s on this finding."),
    ),
)


def allowed_actions(finding: Finding, actor) -> list[str]:
    """The actions the UI may offer this actor now (table and role; preconditions that need
    input, such as a note, are checked on submit)."""
    return engine.allowed_actions(FINDING_WORKFLOW, finding, actor)


def lock(finding: Finding | int, expected_version: int) -> Finding:
    """Lock the finding's row and check it is still the version the user saw. Call inside a
    transaction."""
    return engine.lock(FINDING_WORKFLOW, finding, expected_version)


def record_event(finding, action, actor, *, from_status, note="", data=None) -> FindingEvent:
    """Append a history line and send `finding_transitioned` once the transaction commits."""
    return engine.record(
        FINDING_WORKFLOW, finding, action, actor, from_status=from_status, note=note, data=data
    )


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
    return engine.transition(
        FINDING_WORKFLOW,
        finding,
        action,
        actor,
        expected_version=expected_version,
        note=note,
        apply=apply,
        **data,
    )


# Accountability cases (问责) --------------------------------------------------------------


class CaseAction(models.TextChoices):
    CLOSE = "close", gettext_lazy("close the case")


class CaseEvent:
    """AccountabilityCaseEvent actions written outside the table (no status change)."""

    OPENED = "opened"
    UPDATED = "updated"


C = AccountabilityCase.Status

CASE_TRANSITIONS: dict[tuple[str, str], str] = {(C.OPEN, CaseAction.CLOSE): C.CLOSED}


def _effect_close_case(case, step: Step):
    case.closed_at = timezone.now()
    if step.note:
        case.notes = (case.notes + "\n" if case.notes else "") + step.note


CASE_RULES: dict[str, Rule] = {
    CaseAction.CLOSE: Rule(frozenset({OFFICE}), effect=_effect_close_case),
}


def case_roles_of(actor, case: AccountabilityCase) -> set[str]:
    """Only the office opens and decides accountability cases."""
    if _is_active_user(actor) and guards.is_office_admin(actor, case.office_id):
        return {OFFICE}
    return set()


CASE_WORKFLOW = engine.Workflow(
    model=AccountabilityCase,
    transitions=CASE_TRANSITIONS,
    rules=CASE_RULES,
    roles_of=case_roles_of,
    history_model=AccountabilityCaseEvent,
    history_fk="case",
    actions=CaseAction,
    messages=engine.Messages(
        stale=gettext_lazy("Someone else changed this case; reload it and try again."),
        illegal=gettext_lazy("You cannot %(action)s: the case is “%(status)s”."),
        not_permitted=gettext_lazy("Only the office opens and decides accountability cases."),
    ),
)


def record_case_event(case, action, actor, *, from_status, note="", data=None):
    """Append a line to the case's history (sent as `dudao.core.workflow.transitioned`)."""
    return engine.record(
        CASE_WORKFLOW, case, action, actor, from_status=from_status, note=note, data=data
    )
