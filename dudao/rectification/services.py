"""Rectification services. Status changes are named wrappers around
`workflow.transition` (one table, one set of checks); the rest (creating findings, deadlines,
evidence, accountability cases) locks and audits the same way.

Every function that changes an existing finding takes `expected_version`: the version the
user saw when the page was drawn. If the finding moved on meanwhile, StaleFinding is raised
("someone else changed this finding; reload").

Who (dudao/core/guards.py): plain role and office checks go through the guards (recording a
finding, accountability cases: the office admin of the case's office); what depends on the
actor's relation to a finding goes through the workflow's role rules (`roles_of`), for status
changes and for the edits beside them. Both refuse with NotPermitted before anything is written.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dudao.accounts.models import Role
from dudao.audit import services as audit
from dudao.core import files as uploads
from dudao.core import guards
from dudao.core import workflow as engine
from dudao.core.errors import DomainError
from dudao.core.supervision_items import ITEM_NUMBERS
from dudao.inspectors.models import Assignment
from dudao.schools.models import School
from dudao.visits.models import AreaCheck, Visit

from . import workflow
from .models import (
    AccountabilityCase,
    Escalation,
    Finding,
    FollowUp,
    Notice,
    NoticeSequence,
    RectificationEvidence,
    Response,
    Severity,
    rules_for,
)
from .workflow import (
    CASE_WORKFLOW,
    OFFICE,
    Action,
    CaseAction,
    CaseEvent,
    Event,
    NotPermitted,
    record_case_event,
    record_event,
    roles_of,
    transition,
)

AREA_NUMBERS = ITEM_NUMBERS  # the eight items and the kindergarten areas (rules.md §4)


def _check_deadline(kind, deadline, day) -> datetime.date:
    if kind == Finding.DeadlineKind.ON_THE_SPOT:
        return day
    if kind != Finding.DeadlineKind.BY_DATE:
        raise DomainError(_("Choose how the problem is to be fixed."), field="deadline_kind")
    if deadline is None:
        raise DomainError(_("Enter the deadline."), field="deadline")
    if deadline < timezone.localdate():
        raise DomainError(_("The deadline is in the past."), field="deadline")
    return deadline


def _report_serious(finding: Finding, actor) -> None:
    """A serious violation is reported to the county office at once (docs/rules.md §13): the
    finding is escalated to the county office (unless it is already escalated further) with an
    "escalated" history line. The office admins are told by the "serious" flag of the event
    that made it serious (`receivers.py`), not a second time by this line."""
    if finding.escalated_to != Escalation.NONE:
        return
    finding.escalated_to = Escalation.COUNTY
    finding.save(update_fields=["escalated_to", "updated_at"])
    with translation.override(settings.LANGUAGE_CODE):  # the record's language
        note = _("Serious violation: reported to the county office at once.")
    record_event(
        finding,
        Event.ESCALATED,
        actor,
        from_status=finding.status,
        note=note,
        data={"reason": "serious", "to": Escalation.COUNTY.value},
    )


def _responsible_inspector_id(school, visit, day):
    if visit is not None and visit.inspector_id:
        return visit.inspector_id
    return (
        Assignment.objects.unscoped()
        .current(on=day)
        .filter(school=school)
        .order_by("-start_date")
        .values_list("inspector_id", flat=True)
        .first()
    )


@transaction.atomic
def create_finding(
    actor,
    *,
    school: School,
    area: int,
    description: str,
    visit: Visit | None = None,
    evidence: str = "",
    severity: str = Severity.GENERAL,
    deadline_kind: str = Finding.DeadlineKind.BY_DATE,
    deadline: datetime.date | None = None,
    required_action: str = "",
    campaign_team: bool = False,
) -> Finding:
    """Record a finding: by the inspector of a visit they recorded (the visit's item is
    marked "problem"), by the school's responsible inspector, or by the office admin (with
    or without a visit). `campaign_team`: the caller (`campaigns.checks.raise_finding`) has
    checked that the actor is on the campaign team checking this school (专项督导 teams need
    not be the school's responsible inspectors). An on-the-spot finding's deadline is the day
    of the finding. A serious finding is reported to the county office at once (escalated,
    docs/rules.md §13) and sends a "created" event flagged serious: the office decides on an
    accountability case; none is opened automatically."""
    school = School.objects.unscoped().get(pk=school.pk)
    today = timezone.localdate()
    guards.require_person(actor)  # the finding records who made it
    if visit is not None:
        visit = Visit.objects.unscoped().select_for_update().get(pk=visit.pk)
        if visit.school_id != school.pk:
            raise DomainError(_("The visit was made to another school."), field="visit")
        guards.require_self_or_office_admin(
            actor,
            visit.created_by_id,
            school.office_id,
            message=_("Only the inspector who made the visit can add findings to it."),
        )
    elif not (
        guards.is_office_admin(actor, school.office_id)
        or campaign_team
        or (
            guards.has_role(actor, Role.INSPECTOR, Role.ZONE_LEADER)
            and actor.inspector_id
            and Assignment.objects.unscoped()
            .current(on=today)
            .filter(inspector_id=actor.inspector_id, school=school)
            .exists()
        )
    ):
        raise NotPermitted(
            _("You may not record findings about %(school)s.") % {"school": school.name}
        )
    if area not in AREA_NUMBERS:
        raise DomainError(_("Choose one of the supervision items."), field="area")
    if not (description or "").strip():
        raise DomainError(_("Describe the problem."), field="description")
    if severity not in Severity.values:
        raise DomainError(_("Choose the severity."), field="severity")
    day = visit.visited_on if visit is not None and visit.visited_on else today
    finding = Finding(
        office_id=school.office_id,
        school=school,
        visit=visit,
        inspector_id=_responsible_inspector_id(school, visit, day),
        found_on=day,
        area=area,
        description=description.strip(),
        evidence=evidence,
        severity=severity,
        deadline_kind=deadline_kind,
        deadline=_check_deadline(deadline_kind, deadline, day),
        required_action=required_action,
        created_by=actor,
    )
    finding.save()
    if visit is not None:
        AreaCheck.objects.update_or_create(
            visit=visit, area=area, defaults={"status": AreaCheck.Status.PROBLEM}
        )
    record_event(
        finding,
        Event.CREATED,
        actor,
        from_status="",
        data={"severity": severity, "serious": severity == Severity.SERIOUS},
    )
    if severity == Severity.SERIOUS:
        _report_serious(finding, actor)
    audit.record_create(actor, finding)
    return finding


def _allocate_number(office, year: int) -> tuple[int, str]:
    """The next notice number of the office's year. The sequence row stays locked until the
    transaction ends, so two notices never share a number and a rolled-back notice gives its
    number back (gapless)."""
    sequence, _created = NoticeSequence.objects.select_for_update().get_or_create(
        office=office, year=year
    )
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    rules = rules_for(office.pk)
    prefix = office.document_prefix or ""
    number = rules.notice_number_format.format(
        prefix=prefix, year=year, number=sequence.last_number
    )
    return sequence.last_number, number


def _require_role_rule(actor, finding, action) -> None:
    """The workflow's role rule for `action`, for a service that writes something before the
    transition (which checks it again, with the version, the status and the guard)."""
    if not (roles_of(actor, finding) & workflow.RULES[action].roles):
        flow = workflow.FINDING_WORKFLOW
        raise NotPermitted(str(flow.messages.not_permitted) % {"action": flow.action_label(action)})


@transaction.atomic
def issue_notice(
    actor,
    findings,
    *,
    expected_versions: dict[int, int],
    deadline: datetime.date | None = None,
    note: str = "",
) -> Notice:
    """Issue one rectification notice (整改通知书) for open findings of one school from one
    visit. `expected_versions` maps each finding's id to the version the user saw. With a
    `deadline`, every finding is to be fixed by that date; without one, each keeps its own
    and the notice carries the latest."""
    ids = sorted({f.pk for f in findings})
    if not ids:
        raise DomainError(_("Choose at least one finding."), field="findings")
    rows = list(Finding.objects.unscoped().filter(pk__in=ids).select_related("school__office"))
    if len({(f.school_id, f.visit_id) for f in rows}) != 1:
        raise DomainError(
            _("A notice covers findings of one school from one visit."), field="findings"
        )
    if deadline is not None:
        deadline = _check_deadline(Finding.DeadlineKind.BY_DATE, deadline, None)
    elif any(f.deadline_kind == Finding.DeadlineKind.ON_THE_SPOT for f in rows):
        raise DomainError(
            _("Some findings were to be fixed on the spot: give the notice a deadline."),
            field="deadline",
        )
    for row in rows:  # the workflow's role rule, before the notice takes a number
        _require_role_rule(actor, row, Action.ISSUE_NOTICE)
    school = rows[0].school
    now = timezone.localtime()
    sequence, number = _allocate_number(school.office, now.year)
    notice = Notice.objects.unscoped().create(
        office_id=school.office_id,
        school=school,
        visit_id=rows[0].visit_id,
        year=now.year,
        sequence=sequence,
        number=number,
        issued_by=actor,
        deadline=deadline or max(f.deadline for f in rows),
        note=note,
    )

    def attach(finding):
        notice.findings.add(finding)
        if deadline is not None and finding.deadline != deadline:
            finding.deadline_kind = Finding.DeadlineKind.BY_DATE
            finding.deadline = deadline
            finding.save(update_fields=["deadline_kind", "deadline", "updated_at"])
        return {"notice": notice.number, "notice_id": notice.pk, "deadline": str(finding.deadline)}

    for pk in ids:
        if pk not in expected_versions:
            raise DomainError(_("Reload the page and try again."))
        transition(
            pk,
            Action.ISSUE_NOTICE,
            actor,
            expected_version=expected_versions[pk],
            note=note,
            apply=attach,
        )
    audit.record_create(actor, notice)
    return notice


def _check_files(files):
    return [(f, uploads.check_upload(f)) for f in files or []]


def _store_files(actor, finding, files, response=None):
    stored = []
    for uploaded_file, checked in files:
        evidence = RectificationEvidence(finding=finding, response=response)
        stored.append(uploads.store(evidence, uploaded_file, actor, checked))
    return stored


@transaction.atomic
def respond(actor, finding, *, expected_version, text: str, files=()) -> Response:
    """The school's rectification report, with evidence files (checked before anything is
    written). Also allowed to the office admin, entering a paper report."""
    if not (text or "").strip():
        raise DomainError(_("Describe what the school has done."), field="text")
    checked = _check_files(files)
    created = {}

    def make_response(locked):
        response = Response.objects.create(finding=locked, text=text.strip(), submitted_by=actor)
        stored = _store_files(actor, locked, checked, response)
        created["response"] = response
        return {"response_id": response.pk, "files": len(stored)}

    transition(
        finding, Action.RESPOND, actor, expected_version=expected_version, apply=make_response
    )
    return created["response"]


@transaction.atomic
def record_follow_up(
    actor, finding, *, expected_version, result: str, note: str = "", checked_at=None
) -> FollowUp:
    """A follow-up check (回访/复查): accepted closes the finding; rejected urges the school
    again (urge_count + 1, a new date to respond by) and, at the office's threshold,
    escalates it automatically (docs/rules.md §10-§11)."""
    if result not in FollowUp.Result.values:
        raise DomainError(_("Choose the result of the check."), field="result")
    action = Action.ACCEPT if result == FollowUp.Result.ACCEPTED else Action.REJECT
    if action == Action.REJECT and not (note or "").strip():
        raise DomainError(_("Say what is still not rectified."), field="note")
    created = {}

    def make_follow_up(locked):
        created["follow_up"] = FollowUp.objects.create(
            finding=locked,
            checked_by=actor,
            checked_at=checked_at or timezone.now(),
            result=result,
            note=note,
        )
        return {"follow_up_id": created["follow_up"].pk}

    transition(
        finding, action, actor, expected_version=expected_version, note=note, apply=make_follow_up
    )
    return created["follow_up"]


def escalate(actor, finding, *, expected_version, note: str) -> Finding:
    """Report the finding to the county office (a key problem)."""
    return transition(finding, Action.ESCALATE, actor, expected_version=expected_version, note=note)


def escalate_to_city(actor, finding, *, expected_version, note: str) -> Finding:
    """The office passes a county-escalated finding on to the city (docs/rules.md §12)."""
    return transition(
        finding, Action.ESCALATE_TO_CITY, actor, expected_version=expected_version, note=note
    )


def escalate_to_province(actor, finding, *, expected_version, note: str) -> Finding:
    """The office passes a finding the city could not solve either on to the province
    (难点问题, docs/rules.md §12): only after the city, only by the office admin."""
    return transition(
        finding, Action.ESCALATE_TO_PROVINCE, actor, expected_version=expected_version, note=note
    )


def urge_missed_date(actor, finding, *, expected_version, today: datetime.date) -> Finding:
    """督促: the school let its notice's deadline, or its last urging's date, pass without
    responding (docs/rules.md §10). Taken by the daily check as SYSTEM (the workflow's
    "system" role: no person urges this way); counts toward escalation like a rejected
    follow-up (§11). The note says which date was missed and the new date to respond by."""
    missed = workflow.answer_due(finding)
    note = workflow.urge_note(missed, workflow.respond_by_after_urging(finding.office_id, today))
    return transition(
        finding,
        Action.URGE,
        actor,
        expected_version=expected_version,
        note=note,
        missed=missed.isoformat(),
        checked_on=today.isoformat(),
    )


def mark_needs_other_department(
    actor, finding, *, expected_version, note: str, department: str = ""
) -> Finding:
    """The school cannot fix it alone: a difficult problem for the county office to
    coordinate with `department`."""
    return transition(
        finding,
        Action.MARK_NEEDS_OTHER_DEPARTMENT,
        actor,
        expected_version=expected_version,
        note=note,
        department=department,
    )


def close_on_the_spot(actor, finding, *, expected_version, note: str) -> Finding:
    """立行立改: the inspector saw it fixed during the visit."""
    return transition(
        finding, Action.CLOSE_ON_THE_SPOT, actor, expected_version=expected_version, note=note
    )


def withdraw(actor, finding, *, expected_version, note: str) -> Finding:
    """The office withdraws a finding recorded in error."""
    return transition(finding, Action.WITHDRAW, actor, expected_version=expected_version, note=note)


def reopen(actor, finding, *, expected_version, note: str) -> Finding:
    """The office reopens a closed or withdrawn finding (the problem came back)."""
    return transition(finding, Action.REOPEN, actor, expected_version=expected_version, note=note)


def _edit(actor, finding, expected_version, roles):
    locked = workflow.lock(finding, expected_version)
    if not (roles_of(actor, locked) & roles):
        raise NotPermitted(_("You may not change this finding."))
    if not locked.is_active:
        raise workflow.IllegalTransition(
            _("The finding is “%(status)s”.") % {"status": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def change_deadline(actor, finding, *, expected_version, deadline, note: str = "") -> Finding:
    """Move the deadline (by the inspector or the office). The overdue flag follows at the
    next overdue check."""
    finding = _edit(actor, finding, expected_version, {workflow.INSPECTOR, OFFICE})
    deadline = _check_deadline(Finding.DeadlineKind.BY_DATE, deadline, None)
    before = audit.snapshot(finding)
    old = finding.deadline
    finding.deadline_kind, finding.deadline = Finding.DeadlineKind.BY_DATE, deadline
    finding.version += 1
    finding.save()
    record_event(
        finding,
        Event.DEADLINE_CHANGED,
        actor,
        from_status=finding.status,
        note=note,
        data={"from": str(old), "to": str(deadline)},
    )
    audit.record_update(actor, finding, before)
    return finding


@transaction.atomic
def set_severity(actor, finding, *, expected_version, severity: str, note: str = "") -> Finding:
    """The office re-grades a finding. Making it serious flags the office (event data
    "serious") and reports it to the county office at once (docs/rules.md §13); the
    accountability case is still opened by a person. Lowering the severity does not
    withdraw an escalation."""
    finding = _edit(actor, finding, expected_version, {OFFICE})
    if severity not in Severity.values:
        raise DomainError(_("Choose the severity."), field="severity")
    if severity == finding.severity:
        return finding
    before = audit.snapshot(finding)
    old = finding.severity
    finding.severity = severity
    finding.version += 1
    finding.save()
    record_event(
        finding,
        Event.SEVERITY_CHANGED,
        actor,
        from_status=finding.status,
        note=note,
        data={"from": old, "to": severity, "serious": severity == Severity.SERIOUS},
    )
    if severity == Severity.SERIOUS:
        _report_serious(finding, actor)
    audit.record_update(actor, finding, before)
    return finding


@transaction.atomic
def add_finding_file(actor, finding, uploaded_file) -> RectificationEvidence:
    """A photo or document of the problem itself (by whoever may record findings)."""
    checked = uploads.check_upload(uploaded_file)
    locked = Finding.objects.unscoped().select_for_update().get(pk=finding.pk)
    if not (roles_of(actor, locked) & {workflow.INSPECTOR, OFFICE}):
        raise NotPermitted(_("You may not change this finding."))
    existing = locked.files.filter(response__isnull=True, sha256=checked.sha256).first()
    if existing:
        return existing
    (stored,) = _store_files(actor, locked, [(uploaded_file, checked)])
    record_event(
        locked,
        Event.FILE_ADDED,
        actor,
        from_status=locked.status,
        data={"file_id": stored.pk, "name": stored.original_name},
    )
    audit.record(
        actor,
        audit.Action.CREATE,
        stored,
        {"after": audit.snapshot(stored)},
        office_id=locked.office_id,
    )
    return stored


def _clean_measures(target_kind: str, measures) -> list[str]:
    if target_kind not in AccountabilityCase.TargetKind.values:
        raise DomainError(_("Choose a unit or an individual."), field="target_kind")
    choices = AccountabilityCase.measure_choices(target_kind)
    measures = list(dict.fromkeys(measures or []))
    unknown = [m for m in measures if m not in choices.values]
    if unknown:
        raise DomainError(
            _("Not a measure against a %(kind)s: %(measures)s.")
            % {
                "kind": AccountabilityCase.TargetKind(target_kind).label.lower(),
                "measures": ", ".join(unknown),
            },
            field="measures",
        )
    return measures


def _check_case_actor(actor, office_id):
    """A person, the office admin of the case's office (the case records who decided)."""
    message = _("Only the office opens and decides accountability cases.")
    guards.require_person(actor, message=message)
    guards.require_office_admin(actor, office_id, message=message)


@transaction.atomic
def open_accountability_case(
    actor,
    *,
    office,
    target_kind: str,
    target_name: str,
    finding: Finding | None = None,
    measures=(),
    notes: str = "",
) -> AccountabilityCase:
    """Open an accountability case (问责, docs/rules.md §13), about a finding or not. The platform
    records the measures the office decides; it never applies them itself."""
    _check_case_actor(actor, office.pk)
    if not (target_name or "").strip():
        raise DomainError(_("Name the unit or the person."), field="target_name")
    case = AccountabilityCase(
        office=office,
        target_kind=target_kind,
        target_name=target_name.strip(),
        measures=_clean_measures(target_kind, measures),
        notes=notes,
        opened_by=actor,
    )
    if finding is not None:
        finding = Finding.objects.unscoped().select_for_update().get(pk=finding.pk)
        if finding.office_id != office.pk:
            raise DomainError(_("The finding belongs to another office."), field="finding")
        case.finding = finding
    case.save()
    audit.record_create(actor, case)
    record_case_event(
        case,
        CaseEvent.OPENED,
        actor,
        from_status="",
        data={"finding_id": case.finding_id, "measures": case.measures},
    )
    if finding is not None:
        record_event(
            finding,
            Event.ACCOUNTABILITY_OPENED,
            actor,
            from_status=finding.status,
            data={"case_id": case.pk, "target": case.target_name, "measures": case.measures},
        )
    return case


@transaction.atomic
def update_accountability_case(
    actor, case, *, measures=None, notes=None, expected_version=None
) -> AccountabilityCase:
    """Change an open case's measures or notes (a line in the case's history when the
    measures change)."""
    case = engine.lock(CASE_WORKFLOW, case, expected_version)
    _check_case_actor(actor, case.office_id)
    if case.status == AccountabilityCase.Status.CLOSED:
        raise DomainError(_("This case is closed."))
    before = audit.snapshot(case)
    if measures is not None:
        case.measures = _clean_measures(case.target_kind, measures)
    if notes is not None:
        case.notes = notes
    changes = audit.diff(before, audit.snapshot(case))
    if not changes:
        return case
    case.version += 1
    case.save()
    record_case_event(
        case,
        CaseEvent.UPDATED,
        actor,
        from_status=case.status,
        data={"changed": sorted(changes), "measures": case.measures},
    )
    audit.record(actor, audit.Action.UPDATE, case, changes)
    return case


@transaction.atomic
def close_accountability_case(
    actor, case, *, notes: str = "", expected_version=None
) -> AccountabilityCase:
    """The office closes the case (closing a closed case again changes nothing); `notes` are
    appended to the case's notes."""
    case = engine.lock(CASE_WORKFLOW, case, expected_version)
    _check_case_actor(actor, case.office_id)
    if case.status == AccountabilityCase.Status.CLOSED:
        return case
    return engine.transition(CASE_WORKFLOW, case, CaseAction.CLOSE, actor, note=notes)


@transaction.atomic
def attach_visit_files(actor, finding, attachments) -> list[RectificationEvidence]:
    """Attach photos (or other files) already uploaded to the finding's visit to the finding as
    its evidence of the problem: the inspector chooses them on the visit form instead of
    uploading them again. Each file is copied into the finding's own evidence (checked again
    by content, so a finding's files never depend on the visit's rows); a file already
    attached (same bytes) is not attached twice. By the visit's recorder or the office
    admin, as for `create_finding` with a visit."""
    from django.core.files import File

    locked = Finding.objects.unscoped().select_for_update().get(pk=finding.pk)
    if locked.visit_id is None:
        raise DomainError(_("This finding was not recorded during a visit."), field="photos")
    visit = Visit.objects.unscoped().get(pk=locked.visit_id)
    guards.require_person(actor)
    guards.require_self_or_office_admin(
        actor,
        visit.created_by_id,
        locked.office_id,
        message=_("Only the inspector who made the visit can add findings to it."),
    )
    stored = []
    for attachment in attachments:
        if attachment.visit_id != visit.pk:
            raise DomainError(_("The file belongs to another visit."), field="photos")
        existing = locked.files.filter(response__isnull=True, sha256=attachment.sha256).first()
        if existing:
            stored.append(existing)
            continue
        with attachment.file.open("rb") as opened:
            source = File(opened.file, name=attachment.original_name)
            checked = uploads.check_upload(source)
            (evidence,) = _store_files(actor, locked, [(source, checked)])
        record_event(
            locked,
            Event.FILE_ADDED,
            actor,
            from_status=locked.status,
            data={"file_id": evidence.pk, "name": evidence.original_name, "visit_file": True},
        )
        audit.record(
            actor,
            audit.Action.CREATE,
            evidence,
            {"after": audit.snapshot(evidence)},
            office_id=locked.office_id,
        )
        stored.append(evidence)
    return stored
