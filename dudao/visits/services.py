"""Writes to visits. Every function validates, locks what it changes, saves in one
transaction and writes audit rows, so the phone form, the offline replay and any future API
refuse the same things.

Idempotency: the visit form carries a UUID generated on the phone. `save_draft` and
`submit_visit` find the visit by that UUID, so a retried request never makes a second visit;
submitting an already-submitted visit again returns it unchanged.

Who (dudao/core/guards.py): a visit is recorded by a person, the school's responsible
inspector on the day of the visit or the office admin of the school's office; it is changed by
whoever recorded it or the office admin of its office (the workflow's role rules say the same
for the submission). Refusals are NotPermitted, raised before anything is written.
"""

import datetime
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dudao.accounts.models import Role
from dudao.audit import services as audit
from dudao.core import files as uploads
from dudao.core import guards
from dudao.core.errors import DomainError, NotPermitted, StaleObject
from dudao.core.supervision_items import ITEM_NUMBERS, default_items
from dudao.inspectors.models import Assignment
from dudao.rectification import services as rectification
from dudao.rectification.models import Finding, Severity
from dudao.schools.models import School, SchoolType

from . import school_rules, workflow
from .models import (
    AreaCheck,
    Attachment,
    FocusPoint,
    Period,
    SchoolTypeRule,
    SixMinimum,
    Visit,
    VisitMethod,
)

RECORD_ROLES = (Role.OFFICE_ADMIN, Role.INSPECTOR, Role.ZONE_LEADER)
VISIT_FIELDS = [
    "visited_at",
    "unannounced",
    "methods",
    "minimums",
    "feedback",
    "next_visit_plan",
    "summary",
    "notes",
]
AREA_NUMBERS = ITEM_NUMBERS  # the eight items and the kindergarten areas (rules.md §4)
FUTURE_TOLERANCE = datetime.timedelta(hours=1)  # phones with a clock slightly ahead
# The requirement (整改要求) of a one-pass finding fixed on the spot when none was written.
ON_THE_SPOT_REQUIREMENT = gettext_lazy("Rectify it at once, on the spot.")


def on_the_spot_requirement() -> str:
    """ON_THE_SPOT_REQUIREMENT in the office's language (settings.LANGUAGE_CODE, the
    documents' language), whatever language the inspector's screens speak: it is stored
    with the finding and printed in the notice."""
    with translation.override(settings.LANGUAGE_CODE):
        return str(ON_THE_SPOT_REQUIREMENT)


def assigned_on(inspector_id, school_id, day: datetime.date) -> bool:
    """Was this inspector the school's responsible inspector (挂牌) on `day`?"""
    return (
        Assignment.objects.unscoped()
        .current(on=day)
        .filter(inspector_id=inspector_id, school_id=school_id)
        .exists()
    )


def _local_date(moment: datetime.datetime | None) -> datetime.date:
    return timezone.localdate(moment) if moment else timezone.localdate()


def _recorder_inspector(actor, school: School, day: datetime.date, inspector=None):
    """Who may record a visit to `school` on `day`, and for which inspector record: the
    inspector assigned to the school on that day, or the office admin of the school's office
    (for any inspector of the office, or none). Raises NotPermitted otherwise."""
    guards.require_person(actor)  # the visit records who made it
    if guards.is_office_admin(actor, school.office_id):
        if inspector is not None and inspector.office_id != school.office_id:
            raise DomainError(_("The inspector belongs to another office."), field="inspector")
        return inspector
    if guards.has_role(actor, Role.INSPECTOR, Role.ZONE_LEADER) and actor.inspector_id:
        if actor.inspector.office_id == school.office_id and assigned_on(
            actor.inspector_id, school.pk, day
        ):
            return actor.inspector
        raise NotPermitted(
            _("You are not the responsible inspector of %(school)s on %(day)s.")
            % {"school": school.name, "day": day.isoformat()},
            field="school",
        )
    raise NotPermitted(_("You may not record visits to %(school)s.") % {"school": school.name})


def _clean_choices(values, choices, field: str, label: str) -> list[str]:
    values = list(dict.fromkeys(values or []))  # unique, order kept
    unknown = [v for v in values if v not in choices.values]
    if unknown:
        raise DomainError(
            _("Unknown %(label)s: %(values)s.") % {"label": label, "values": ", ".join(unknown)},
            field=field,
        )
    return values


def _apply_fields(visit: Visit, fields: dict) -> None:
    unexpected = set(fields) - set(VISIT_FIELDS)
    if unexpected:
        raise TypeError(f"Unexpected visit fields: {sorted(unexpected)}")
    for key, value in fields.items():
        setattr(visit, key, value)
    visit.methods = _clean_choices(visit.methods, VisitMethod, "methods", _("method"))
    visit.minimums = _clean_choices(visit.minimums, SixMinimum, "minimums", _("minimum"))
    if visit.visited_at is not None:
        if timezone.is_naive(visit.visited_at):
            visit.visited_at = timezone.make_aware(visit.visited_at)
        if visit.visited_at > timezone.now() + FUTURE_TOLERANCE:
            raise DomainError(_("The visit time is in the future."), field="visited_at")
        visit.visited_on = timezone.localdate(visit.visited_at)
    else:
        visit.visited_on = None


def _save_areas(visit: Visit, areas, *, fill_missing: bool) -> None:
    """`areas`: iterable of {"area": item number, "status": ..., "note": ...}. Replaces the
    visit's checks for the areas given; on submit every missing item of the school's type
    (docs/rules.md §4) is stored as not checked. Any item of the catalogue is accepted."""
    given = {}
    for row in areas or []:
        number = row.get("area")
        if number not in AREA_NUMBERS:
            raise DomainError(
                _("Unknown supervision item: %(area)s.") % {"area": number}, field="areas"
            )
        status = row.get("status", AreaCheck.Status.NOT_CHECKED)
        if status not in AreaCheck.Status.values:
            raise DomainError(
                _("Unknown result for supervision item %(area)s.") % {"area": number},
                field="areas",
            )
        # A "problem" row may carry its finding (the visit form always does): submitting
        # records it. Without one (an import, the demo) the finding is recorded separately.
        planned = (
            planned_finding(row["finding"])
            if status == AreaCheck.Status.PROBLEM and row.get("finding") is not None
            else {}
        )
        given[number] = (status, row.get("note", "") or "", planned)
    existing = {check.area: check for check in visit.area_checks.all()}
    expected = _checklist(visit, set(given) | set(existing)) if fill_missing else set()
    new_checks = []
    for number in sorted(set(given) | expected):
        if number in given:
            status, note, planned = given[number]
        elif fill_missing and number not in existing:
            status, note, planned = AreaCheck.Status.NOT_CHECKED, "", {}
        else:
            continue
        check = existing.get(number)
        if check is None:
            new_checks.append(
                AreaCheck(
                    visit=visit, area=number, status=status, note=note, planned_finding=planned
                )
            )
        elif (check.status, check.note, check.planned_finding) != (status, note, planned):
            check.status, check.note, check.planned_finding = status, note, planned
            check.save(update_fields=["status", "note", "planned_finding"])
    # One INSERT for a visit's items, not one per item (issue 10: submitting at month end).
    AreaCheck.objects.bulk_create(new_checks)


def _checklist(visit: Visit, recorded: set[int]) -> set[int]:
    """The items a submitted visit is completed on (rules.md §4): those of the school's type,
    or, for a visit recorded on another list (an import, a draft from before the office
    changed its rules), the eight items or the kindergarten areas if they hold what it
    recorded; else only what it recorded."""
    own = set(school_rules.RuleBook([visit.office_id]).items_numbers(visit.school))
    for numbers in (own, *(set(default_items(t)) for t in ("primary", "kindergarten"))):
        if recorded <= numbers:
            return numbers
    return recorded


def planned_finding(data) -> dict:
    """A "problem" item's finding as the form gives it, kept with the draft as plain JSON:
    {"severity", "deadline_kind", "deadline" (ISO date or ""), "required_action" (整改要求),
    "photos" (attachment ids)}. A draft may be incomplete; `submit_visit` checks it when it
    records the finding."""
    data = data or {}
    deadline = data.get("deadline")
    if isinstance(deadline, datetime.date):
        deadline = deadline.isoformat()
    photos = []
    for value in data.get("photos") or []:
        try:
            photos.append(int(value))
        except (TypeError, ValueError):
            continue
    return {
        "severity": str(data.get("severity") or Severity.GENERAL),
        "deadline_kind": str(data.get("deadline_kind") or Finding.DeadlineKind.BY_DATE),
        "deadline": str(deadline or ""),
        "required_action": str(data.get("required_action") or "").strip(),
        "photos": sorted(set(photos)),
    }


class ItemErrors(DomainError):
    """Refusals of several supervision items at once (`errors`: form field → message), so
    the form shows each beside its item. The first one is the error's own message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        field, message = next(iter(self.errors.items()))
        super().__init__(message, field=field)


# The field of `create_finding`'s refusal → the visit form's field of that item.
FINDING_FIELDS = {
    "description": "note",
    "severity": "severity",
    "deadline_kind": "deadline_kind",
    "deadline": "deadline",
    "required_action": "required_action",
    "photos": "photos",
}


def _record_findings(actor, visit: Visit) -> list[Finding]:
    """One finding for each "problem" item of the visit that carries one (`planned_finding`),
    through the rectification services
    (the note is the description; the photos chosen are copied to the finding; a finding
    fixed on the spot without a requirement gets `on_the_spot_requirement()`). An item that
    already has a finding of this visit gets no second one. Every item is tried, so each
    refusal is shown beside its item (ItemErrors), and then nothing is kept."""
    recorded = set(Finding.objects.unscoped().filter(visit=visit).values_list("area", flat=True))
    attachments = {a.pk: a for a in visit.attachments.all()}
    errors, findings = {}, []
    for check in visit.area_checks.all():
        if (
            check.status != AreaCheck.Status.PROBLEM
            or not check.planned_finding
            or check.area in recorded
        ):
            continue
        planned = planned_finding(check.planned_finding)
        try:
            photos = [attachments[pk] for pk in planned["photos"] if pk in attachments]
            if len(photos) != len(planned["photos"]):
                raise DomainError(_("Choose among the files of this visit."), field="photos")
            try:
                deadline = (
                    datetime.date.fromisoformat(planned["deadline"])
                    if planned["deadline"]
                    else None
                )
            except ValueError as exc:
                raise DomainError(_("Enter a valid date."), field="deadline") from exc
            required_action = planned["required_action"]
            if not required_action and planned["deadline_kind"] == Finding.DeadlineKind.ON_THE_SPOT:
                required_action = on_the_spot_requirement()
            finding = rectification.create_finding(
                actor,
                school=visit.school,
                area=check.area,
                description=check.note,
                visit=visit,
                severity=planned["severity"],
                deadline_kind=planned["deadline_kind"],
                deadline=deadline,
                required_action=required_action,
            )
            if photos:
                rectification.attach_visit_files(actor, finding, photos)
            findings.append(finding)
        except NotPermitted:
            raise
        except DomainError as error:
            suffix = FINDING_FIELDS.get(error.field, "note")
            errors[f"area_{check.area}_{suffix}"] = str(error)
    if errors:
        raise ItemErrors(errors)
    return findings


def _uuid(client_uuid) -> uuid.UUID:
    try:
        return uuid.UUID(str(client_uuid))
    except ValueError as exc:
        raise DomainError(_("The form's identifier is invalid; reload the form.")) from exc


def _locked_visit(client_uuid) -> Visit | None:
    return (
        Visit.objects.unscoped()
        .select_for_update(of=("self",))
        .select_related("school", "created_by")
        .filter(client_uuid=_uuid(client_uuid))
        .first()
    )


def _check_owner(actor, visit: Visit) -> None:
    """Whoever recorded the visit, or the office admin of its office."""
    guards.require_self_or_office_admin(
        actor,
        visit.created_by_id,
        visit.office_id,
        message=_("This visit was recorded by someone else."),
    )


def _check_version(visit: Visit, expected_version) -> None:
    if expected_version is not None and visit.version != expected_version:
        raise DomainError(_("Someone else changed this visit; reload it and try again."))


def _create(actor, school: School, client_uuid, inspector, fields) -> Visit:
    school = School.objects.unscoped().select_related("office").get(pk=school.pk)
    guards.require_person(actor)
    guards.require_role(
        actor,
        *RECORD_ROLES,
        message=_("You may not record visits to %(school)s.") % {"school": school.name},
    )
    if not school.is_active:
        raise DomainError(_("%(school)s is inactive.") % {"school": school.name}, field="school")
    visit = Visit(
        office_id=school.office_id,
        school=school,
        created_by=actor,
        client_uuid=_uuid(client_uuid),
    )
    _apply_fields(visit, fields)
    visit.inspector = _recorder_inspector(
        actor, school, visit.visited_on or timezone.localdate(), inspector
    )
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError as exc:  # the same UUID arrived twice at the same moment
        raise DomainError(_("This visit is being saved already; reload.")) from exc
    audit.record_create(actor, visit)
    return visit


def _update(actor, visit: Visit, fields, expected_version) -> Visit:
    _check_owner(actor, visit)
    _check_version(visit, expected_version)
    before = audit.snapshot(visit)
    _apply_fields(visit, fields)
    _recorder_inspector(
        actor, visit.school, visit.visited_on or timezone.localdate(), visit.inspector
    )
    visit.version += 1
    visit.save()
    audit.record_update(actor, visit, before)
    return visit


@transaction.atomic
def save_draft(
    actor,
    school: School,
    client_uuid,
    *,
    areas=None,
    inspector=None,
    expected_version=None,
    **fields,
) -> Visit:
    """Create or update the draft with this UUID. Idempotent. Refuses when the UUID belongs
    to a submitted visit, to another user's visit or to another school."""
    visit = _locked_visit(client_uuid)
    if visit is None:
        visit = _create(actor, school, client_uuid, inspector, fields)
    else:
        if visit.school_id != school.pk:
            raise DomainError(_("This visit belongs to another school."), field="school")
        _check_owner(actor, visit)
        if not visit.is_draft:
            raise DomainError(_("This visit has been submitted and can no longer be edited."))
        visit = _update(actor, visit, fields, expected_version)
    _save_areas(visit, areas, fill_missing=False)
    return visit


@transaction.atomic
def submit_visit(
    actor,
    client_uuid,
    *,
    school: School | None = None,
    areas=None,
    inspector=None,
    expected_version=None,
    **fields,
) -> Visit:
    """Submit the visit with this UUID (creating it when the draft never reached the server),
    with the findings of its "problem" items (`_record_findings`), all in one transaction.
    Submitting the same UUID again returns the same visit and changes nothing (no second
    finding either). A refused item (ItemErrors) saves nothing."""
    visit = _locked_visit(client_uuid)
    if visit is not None and not visit.is_draft:
        _check_owner(actor, visit)
        return visit
    if visit is None:
        if school is None:
            raise DomainError(_("Choose the school."), field="school")
        visit = _create(actor, school, client_uuid, inspector, fields)
    else:
        if school is not None and visit.school_id != school.pk:
            raise DomainError(_("This visit belongs to another school."), field="school")
        visit = _update(actor, visit, fields, expected_version)
    workflow.require_visit_time(visit)
    _save_areas(visit, areas, fill_missing=True)
    # The findings of the "problem" items, in the same transaction: a refused item refuses
    # the whole submission, and a retried submission returned above, so none is made twice.
    _record_findings(actor, visit)
    # Draft → submitted through the workflow engine (VisitEvent, audit row, signal after
    # commit). The row is locked already; the version is the one just saved.
    return workflow.submit(visit, actor, expected_version=visit.version)


@transaction.atomic
def delete_draft(actor, visit: Visit) -> None:
    visit = Visit.objects.unscoped().select_for_update().get(pk=visit.pk)
    _check_owner(actor, visit)
    if not visit.is_draft:
        raise DomainError(_("A submitted visit cannot be deleted."))
    if hasattr(visit, "findings") and visit.findings.exists():
        raise DomainError(
            _("This draft already has findings; withdraw them before deleting the visit.")
        )
    files = [f for a in visit.attachments.all() for f in (a.file, a.preview)]
    audit.record_delete(actor, visit)
    visit.delete()
    uploads.delete_on_commit(*files)


@transaction.atomic
def add_attachment(actor, visit: Visit, uploaded_file) -> Attachment:
    """Attach a photo, a recording or a document to a visit (draft or submitted: photos often
    arrive after the form). Uploading the same bytes again returns the existing attachment."""
    guards.require_person(actor)  # the file records who uploaded it
    checked = uploads.check_upload(uploaded_file)  # before any lock: may read 20 MB
    visit = Visit.objects.unscoped().select_for_update().get(pk=visit.pk)
    _check_owner(actor, visit)
    existing = visit.attachments.filter(sha256=checked.sha256).first()
    if existing:
        return existing
    attachment = uploads.store(Attachment(visit=visit), uploaded_file, actor, checked)
    audit.record(
        actor,
        audit.Action.CREATE,
        attachment,
        {"after": audit.snapshot(attachment)},
        office_id=visit.office_id,
    )
    return attachment


@transaction.atomic
def delete_attachment(actor, attachment: Attachment) -> None:
    visit = Visit.objects.unscoped().select_for_update().get(pk=attachment.visit_id)
    _check_owner(actor, visit)
    if not visit.is_draft:
        raise DomainError(_("Attachments of a submitted visit cannot be deleted."))
    files = [attachment.file, attachment.preview]
    audit.record(
        actor,
        audit.Action.DELETE,
        attachment,
        {"before": audit.snapshot(attachment)},
        office_id=visit.office_id,
    )
    attachment.delete()
    uploads.delete_on_commit(*files)


# --- the written feedback (书面反馈意见书) ------------------------------------------------


@transaction.atomic
def issue_feedback_letter(actor, visit: Visit) -> Visit:
    """Record that the visit's written feedback was issued to the school (printed and signed
    there; counted in the reports). Issuing it again keeps the first time."""
    visit = Visit.objects.unscoped().select_for_update().get(pk=visit.pk)
    _check_owner(actor, visit)
    if visit.is_draft:
        raise DomainError(_("Submit the visit before issuing its feedback letter."))
    if visit.feedback_issued_at is not None:
        return visit
    before = audit.snapshot(visit)
    visit.feedback_issued_at = timezone.now()
    visit.version += 1
    visit.save(update_fields=["feedback_issued_at", "version", "updated_at"])
    audit.record_update(actor, visit, before)
    workflow.record_feedback_issued(visit, actor)
    return visit


# --- monthly focus points (月度督导要点) ---------------------------------------------------

FOCUS_FIELDS = ("year", "month", "title", "text", "ordering")


def _check_focus_point(point: FocusPoint) -> None:
    if not (point.title or "").strip():
        raise DomainError(_("Enter a title."), field="title")
    if not 1 <= int(point.month or 0) <= 12:
        raise DomainError(_("Enter a month as YYYY-MM."), field="month")
    if not 2000 <= int(point.year or 0) <= 2100:
        raise DomainError(_("Enter a month as YYYY-MM."), field="month")
    point.title = point.title.strip()
    point.text = (point.text or "").strip()


@transaction.atomic
def create_focus_point(
    actor, *, office, year: int, month: int, title: str, text: str = "", ordering: int = 0
) -> FocusPoint:
    """The office publishes one focus point for a month (its office admin only)."""
    guards.require_person(actor)
    guards.require_office_admin(actor, office)
    point = FocusPoint(
        office_id=getattr(office, "pk", office),
        year=year,
        month=month,
        title=title,
        text=text,
        ordering=ordering or 0,
    )
    _check_focus_point(point)
    point.save()
    audit.record_create(actor, point)
    return point


@transaction.atomic
def update_focus_point(actor, point: FocusPoint, *, expected_version=None, **fields) -> FocusPoint:
    point = FocusPoint.objects.unscoped().select_for_update().get(pk=point.pk)
    guards.require_office_admin(actor, point.office_id)
    if expected_version is not None and point.version != expected_version:
        raise DomainError(_("Someone else changed this focus point; reload it and try again."))
    unexpected = set(fields) - set(FOCUS_FIELDS)
    if unexpected:
        raise TypeError(f"Unexpected focus point fields: {sorted(unexpected)}")
    before = audit.snapshot(point)
    for key, value in fields.items():
        setattr(point, key, value)
    point.ordering = point.ordering or 0
    _check_focus_point(point)
    if not audit.diff(before, audit.snapshot(point)):
        return point
    point.version += 1
    point.save()
    audit.record_update(actor, point, before)
    return point


@transaction.atomic
def delete_focus_point(actor, point: FocusPoint) -> None:
    point = FocusPoint.objects.unscoped().select_for_update().get(pk=point.pk)
    guards.require_office_admin(actor, point.office_id)
    audit.record_delete(actor, point)
    point.delete()


# --- school-type rules (docs/rules.md §4, §6, §8) ----------------------------------------

RULE_FIELDS = [
    "items",
    "minimums",
    "visits",
    "period",
    "large_from",
    "large_visits",
    "large_period",
    "with_host",
]


def check_school_type_rule(rule: SchoolTypeRule) -> None:
    """A rule names catalogue items (at least one), known minimums, a frequency of at least
    one visit per period, and a complete large-school rule or none."""
    items = sorted({int(n) for n in rule.items or []})
    unknown = [n for n in items if n not in ITEM_NUMBERS]
    if unknown or not items:
        raise DomainError(_("Choose at least one supervision item."), field="items")
    rule.items = items
    rule.minimums = [key for key in SixMinimum.values if key in set(rule.minimums or [])]
    if not rule.visits or rule.visits < 1:
        raise DomainError(_("Enter at least one visit."), field="visits")
    if rule.period not in Period.values:
        raise DomainError(_("Choose a period."), field="period")
    if rule.large_from is None:
        rule.large_visits, rule.large_period = None, ""
    else:
        if not rule.large_visits or rule.large_visits < 1:
            raise DomainError(_("Enter at least one visit."), field="large_visits")
        if rule.large_period not in Period.values:
            raise DomainError(_("Choose a period."), field="large_period")
    if rule.school_type != SchoolType.TEACHING_POINT:
        rule.with_host = False


@transaction.atomic
def save_school_type_rule(
    actor, office, school_type: str, *, expected_version=None, **fields
) -> SchoolTypeRule:
    """The office admin sets the rule of one school type (creates the office's row from the
    defaults the first time). Audited; a change nobody made writes nothing."""
    guards.require_person(actor)
    guards.require_office_admin(actor, office)
    office_id = getattr(office, "pk", office)
    if school_type not in SchoolType.values:
        raise DomainError(_("Unknown school type."), field="school_type")
    unexpected = set(fields) - set(RULE_FIELDS)
    if unexpected:
        raise TypeError(f"Unexpected rule fields: {sorted(unexpected)}")
    rule = (
        SchoolTypeRule.objects.select_for_update()
        .filter(office_id=office_id, school_type=school_type)
        .first()
    )
    created = rule is None
    if created:
        rule = school_rules.default_rule(office_id, school_type)
    elif expected_version is not None and rule.version != expected_version:
        raise StaleObject(_("Someone else changed this rule; reload it and try again."))
    before = audit.snapshot(rule)
    for key, value in fields.items():
        setattr(rule, key, value)
    check_school_type_rule(rule)
    if created:
        rule.save()
        audit.record_create(actor, rule)
        return rule
    if not audit.diff(before, audit.snapshot(rule)):
        return rule
    rule.version += 1
    rule.save()
    audit.record_update(actor, rule, before)
    return rule
