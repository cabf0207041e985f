"""Writes to inspectors, zones, conflicts and assignments (挂牌). Recusal (回避, docs/rules.md §3)
is enforced here, so the form, the import and the API refuse the same assignments. Every write
is the office admin's of the office concerned (dudao/core/guards.py), checked first."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.audit import services as audit
from dudao.core import guards
from dudao.core.errors import DomainError
from dudao.schools.models import School

from .models import DEFAULT_RECUSAL_GROUNDS, Assignment, Conflict, Inspector, RecusalGround, Zone

INSPECTOR_FIELDS = [
    "name",
    "gender",
    "phone",
    "show_mobile_publicly",
    "email",
    "photo",
    "employment",
    "kind",
    "employer_school",
    "employer_name",
    "zone",
    "is_active",
]
ASSIGNABLE_KINDS = {Inspector.Kind.RESPONSIBLE, Inspector.Kind.PRINCIPAL}


def _validate(instance, exclude=("office",)):
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from exc


def check_inspector(inspector: Inspector):
    """The cross-office rules of an inspector (the importer calls it too)."""
    if inspector.employer_school_id and inspector.employer_school.office_id != inspector.office_id:
        raise DomainError(
            _("The employer school belongs to another office."), field="employer_school"
        )
    if inspector.zone_id and inspector.zone.office_id != inspector.office_id:
        raise DomainError(_("The zone belongs to another office."), field="zone")


def _duplicate_phone(inspector) -> bool:
    return (
        Inspector.objects.unscoped()
        .filter(office_id=inspector.office_id, phone=inspector.phone)
        .exclude(pk=inspector.pk)
        .exists()
    )


@transaction.atomic
def create_inspector(actor, office, **data) -> Inspector:
    guards.require_office_admin(actor, office)
    inspector = Inspector(office=office, **{k: v for k, v in data.items() if k in INSPECTOR_FIELDS})
    _validate(inspector)
    check_inspector(inspector)
    if _duplicate_phone(inspector):
        raise DomainError(_("Another inspector already has this phone number."), field="phone")
    inspector.save()
    audit.record_create(actor, inspector)
    return inspector


@transaction.atomic
def update_inspector(actor, inspector: Inspector, **data) -> Inspector:
    inspector = Inspector.objects.unscoped().select_for_update().get(pk=inspector.pk)
    guards.require_office_admin(actor, inspector.office_id)
    before = audit.snapshot(inspector)
    for key, value in data.items():
        if key in INSPECTOR_FIELDS:
            setattr(inspector, key, value)
    _validate(inspector)
    check_inspector(inspector)
    if _duplicate_phone(inspector):
        raise DomainError(_("Another inspector already has this phone number."), field="phone")
    inspector.save()
    audit.record_update(actor, inspector, before)
    if before["is_active"] and not inspector.is_active:
        # An inactive inspector supervises nobody: their open assignments that are current end
        # today; those made ahead of term never take effect and are removed.
        today = timezone.localdate()
        for assignment in inspector.assignments.filter(end_date__isnull=True):
            if assignment.is_current_on(today):
                end_assignment(actor, assignment, today, note=_("Inspector deactivated"))
            else:
                _cancel_assignment(actor, assignment)
    return inspector


@transaction.atomic
def create_zone(actor, office, *, name, leader=None) -> Zone:
    guards.require_office_admin(actor, office)
    zone = Zone(office=office, name=name, leader=leader)
    _check_zone(zone)
    zone.save()
    audit.record_create(actor, zone)
    return zone


@transaction.atomic
def update_zone(actor, zone: Zone, *, name, leader=None) -> Zone:
    zone = Zone.objects.unscoped().select_for_update().get(pk=zone.pk)
    guards.require_office_admin(actor, zone.office_id)
    before = audit.snapshot(zone)
    zone.name, zone.leader = name, leader
    _check_zone(zone)
    zone.save()
    audit.record_update(actor, zone, before)
    return zone


def _check_zone(zone: Zone):
    if zone.leader_id and zone.leader.office_id != zone.office_id:
        raise DomainError(_("The zone leader belongs to another office."), field="leader")
    if zone.leader_id and zone.leader.kind not in ASSIGNABLE_KINDS:
        # docs/rules.md §31: parent and invited inspectors hold no schools and lead no zone.
        raise DomainError(
            _("A %(kind)s cannot lead a zone.") % {"kind": zone.leader.get_kind_display()},
            field="leader",
        )
    if (
        Zone.objects.unscoped()
        .filter(office_id=zone.office_id, name=zone.name)
        .exclude(pk=zone.pk)
        .exists()
    ):
        raise DomainError(_("A zone with this name already exists."), field="name")


def ensure_default_recusal_grounds(office) -> None:
    for name in DEFAULT_RECUSAL_GROUNDS:
        RecusalGround.objects.get_or_create(office=office, name=name)


@transaction.atomic
def record_conflict(actor, inspector: Inspector, school: School, ground: RecusalGround, note=""):
    guards.require_office_admin(actor, inspector.office_id)
    if school.office_id != inspector.office_id or ground.office_id != inspector.office_id:
        raise DomainError(_("The school and the inspector belong to different offices."))
    conflict, created = Conflict.objects.unscoped().get_or_create(
        inspector=inspector, school=school, ground=ground, defaults={"note": note}
    )
    if created:
        # A conflict has no office of its own: file the audit row under the inspector's.
        audit.record(
            actor,
            audit.Action.CREATE,
            conflict,
            {"after": audit.snapshot(conflict)},
            office_id=inspector.office_id,
        )
    return conflict


@transaction.atomic
def remove_conflict(actor, conflict: Conflict):
    conflict = (
        Conflict.objects.unscoped().select_related("inspector").select_for_update(of=("self",))
    ).get(pk=conflict.pk)
    guards.require_office_admin(actor, conflict.inspector.office_id)
    audit.record(
        actor,
        audit.Action.DELETE,
        conflict,
        {"before": audit.snapshot(conflict)},
        office_id=conflict.inspector.office_id,
    )
    conflict.delete()


def recusal_reason(inspector: Inspector, school: School) -> str | None:
    """Why this inspector may not supervise this school (回避), or None."""
    employer_id = inspector.employer_school_id
    if employer_id and employer_id in (school.pk, school.host_school_id):
        return _("%(inspector)s is employed by %(school)s and must recuse (回避).") % {
            "inspector": inspector.name,
            "school": inspector.employer_school.name,
        }
    conflict = (
        Conflict.objects.unscoped()
        .filter(inspector=inspector)
        .filter(Q(school=school) | Q(school_id=school.host_school_id))
        .select_related("ground")
        .first()
    )
    if conflict:
        return _("%(inspector)s has a recorded conflict with %(school)s: %(ground)s.") % {
            "inspector": inspector.name,
            "school": conflict.school.name,
            "ground": conflict.ground.name,
        }
    return None


def assignment_refusal(inspector: Inspector, school: School, *, current: bool = True):
    """Why `inspector` may not be `school`'s responsible inspector, as (field, message), or
    None. `current`: the assignment is in force (an ended one may name an inactive inspector
    or school). assign_inspector and the assignments import both ask this."""
    if current and not inspector.is_active:
        return "inspector", _("%(inspector)s is inactive and cannot be assigned.") % {
            "inspector": inspector.name
        }
    if current and not school.is_active:
        return "school", _("%(school)s is inactive.") % {"school": school.name}
    if inspector.kind not in ASSIGNABLE_KINDS:
        return "inspector", _("A %(kind)s cannot be a school's responsible inspector.") % {
            "kind": inspector.get_kind_display()
        }
    reason = recusal_reason(inspector, school)
    return ("inspector", reason) if reason else None


@transaction.atomic
def assign_inspector(
    actor, school: School, inspector: Inspector, start_date: datetime.date, note: str = ""
) -> Assignment:
    """Make `inspector` the school's responsible inspector from `start_date`. The current
    assignment, if any, ends the day before. Idempotent: assigning the current inspector
    again changes nothing."""
    school = (
        School.objects.unscoped()
        .select_for_update(of=("self",))
        .select_related("host_school")
        .get(pk=school.pk)
    )
    guards.require_office_admin(actor, school.office_id)
    inspector = Inspector.objects.unscoped().select_related("employer_school").get(pk=inspector.pk)
    if inspector.office_id != school.office_id:
        raise DomainError(_("The inspector belongs to another office."), field="inspector")
    refusal = assignment_refusal(inspector, school)
    if refusal:
        raise DomainError(refusal[1], field=refusal[0])
    # The open assignment (no end date; at most one per school): the current one, or one made
    # ahead of term that has not started yet.
    current = school.assignments.filter(end_date__isnull=True).select_related("inspector").first()
    if current and current.inspector_id == inspector.pk:
        return current
    later = school.assignments.filter(
        Q(start_date__gte=start_date) | Q(end_date__gte=start_date)
    ).exclude(pk=getattr(current, "pk", None))
    if later.exists() or (current and current.start_date >= start_date):
        raise DomainError(
            _("The start date overlaps an earlier assignment of this school; choose a later date."),
            field="start_date",
        )
    if current:
        end_assignment(actor, current, start_date - datetime.timedelta(days=1))
    assignment = Assignment(inspector=inspector, school=school, start_date=start_date, note=note)
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError as exc:  # a concurrent assignment won the race
        raise DomainError(_("This school was just assigned by someone else; reload.")) from exc
    audit.record(
        actor,
        audit.Action.CREATE,
        assignment,
        {"after": audit.snapshot(assignment)},
        office_id=school.office_id,
    )
    return assignment


def _cancel_assignment(actor, assignment: Assignment) -> None:
    """Remove an assignment that has not started yet (nothing happened under it)."""
    audit.record(
        actor,
        audit.Action.DELETE,
        assignment,
        {"before": audit.snapshot(assignment)},
        office_id=assignment.school.office_id,
    )
    assignment.delete()


@transaction.atomic
def end_assignment(actor, assignment: Assignment, end_date: datetime.date, note: str = ""):
    assignment = (
        Assignment.objects.unscoped()
        .select_related("school")
        .select_for_update(of=("self",))
        .get(pk=assignment.pk)
    )
    guards.require_office_admin(actor, assignment.school.office_id)
    if assignment.end_date is not None:
        return assignment  # already ended: retrying is harmless
    if end_date < assignment.start_date:
        raise DomainError(_("The end date is before the start date."), field="end_date")
    before = audit.snapshot(assignment)
    assignment.end_date = end_date
    if note:
        assignment.note = (assignment.note + "; " if assignment.note else "") + note
    assignment.save(update_fields=["end_date", "note"])
    audit.record(
        actor,
        audit.Action.UPDATE,
        assignment,
        audit.diff(before, audit.snapshot(assignment)),
        office_id=assignment.school.office_id,
    )
    return assignment
