"""Writes to training (培训, docs/rules.md §29): sessions and their materials, attendance and
the hours credited, and the office's yearly requirement. Every write is the office admin's of
the session's office (dudao/core/guards.py), checked before anything is written."""

import decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dudao.audit import services as audit
from dudao.core import files, guards, idempotency
from dudao.core.errors import DomainError, StaleObject
from dudao.inspectors.models import Inspector

from .models import Attendance, Material, Session, TrainingRules

SESSION_FIELDS = ["topic", "date", "hours", "trainer", "place", "description"]
Presence = Attendance.Presence
MAX_YEARLY_HOURS = decimal.Decimal("500")


def _validate(instance, exclude=("office",)):
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from exc


def _hours(value, field="hours") -> decimal.Decimal | None:
    if value is None or value == "":
        return None
    try:
        hours = decimal.Decimal(str(value))
    except (decimal.InvalidOperation, ValueError) as exc:
        raise DomainError(_("Enter a number of hours."), field=field) from exc
    if not hours.is_finite():
        raise DomainError(_("Enter a number of hours."), field=field)
    return hours.quantize(decimal.Decimal("0.1"), rounding=decimal.ROUND_HALF_UP)


def _check_session(session: Session) -> None:
    session.hours = _hours(session.hours)
    if session.hours is None or session.hours <= 0:
        raise DomainError(_("A session lasts at least half an hour."), field="hours")
    _validate(session)


# ---- sessions ---------------------------------------------------------------------------------


@transaction.atomic
def create_session(actor, office, *, request_key=None, **data) -> Session:
    """A training session of the office. Happens once per form (`request_key`)."""
    guards.require_office_admin(actor, office)
    guards.require_person(actor)

    def create():
        session = Session(
            office_id=getattr(office, "pk", office),
            created_by=actor,
            **{k: v for k, v in data.items() if k in SESSION_FIELDS},
        )
        _check_session(session)
        session.save()
        audit.record_create(actor, session)
        return session

    return idempotency.once(
        actor,
        request_key,
        "training.create_session",
        create,
        lambda pk: Session.objects.unscoped().get(pk=pk),
    )


@transaction.atomic
def update_session(actor, session: Session, *, expected_version=None, **data) -> Session:
    """Change a session. Shorter hours are refused while an attendance credits more."""
    session = Session.objects.unscoped().select_for_update().get(pk=session.pk)
    guards.require_office_admin(actor, session.office_id)
    if expected_version is not None and int(expected_version) != session.version:
        raise StaleObject(_("Someone else changed this session meanwhile; reload it."))
    before = audit.snapshot(session)
    for key, value in data.items():
        if key in SESSION_FIELDS:
            setattr(session, key, value)
    _check_session(session)
    if session.attendance.filter(hours__gt=session.hours).exists():
        raise DomainError(
            _("Some attendance credits more hours than this; correct the attendance first."),
            field="hours",
        )
    session.version += 1
    session.save()
    audit.record_update(actor, session, before)
    return session


@transaction.atomic
def delete_session(actor, session: Session) -> None:
    """Delete a session without attendance (one with attendance is history: correct it)."""
    session = Session.objects.unscoped().select_for_update().get(pk=session.pk)
    guards.require_office_admin(actor, session.office_id)
    if session.attendance.exists():
        raise DomainError(_("This session has attendance recorded; it cannot be deleted."))
    materials = list(session.materials.all())
    audit.record_delete(actor, session)
    session.delete()
    _delete_files_on_commit(materials)


def _delete_files_on_commit(rows) -> None:
    names = [(f.file.storage, f.file.name) for f in rows if f.file]
    names += [(f.preview.storage, f.preview.name) for f in rows if f.preview]

    def delete():
        for storage, name in names:
            storage.delete(name)

    if names:
        transaction.on_commit(delete)


@transaction.atomic
def add_material(actor, session: Session, upload) -> Material:
    """A file of the session (photo or document, checked by its content). The same bytes
    again are the same material."""
    session = Session.objects.unscoped().select_for_update().get(pk=session.pk)
    guards.require_office_admin(actor, session.office_id)
    if not upload:
        raise DomainError(_("Choose a file."), field="file")
    checked = files.check_upload(upload, kinds={files.FileKind.IMAGE, files.FileKind.DOCUMENT})
    found = session.materials.filter(sha256=checked.sha256).first()
    if found is not None:
        return found
    material = files.store(Material(session=session), upload, actor, checked)
    audit.record(
        actor,
        audit.Action.CREATE,
        material,
        {"after": {"session": session.pk, "file": material.original_name}},
        office_id=session.office_id,
    )
    return material


@transaction.atomic
def remove_material(actor, material: Material) -> None:
    material = Material.objects.select_related("session").get(pk=material.pk)
    guards.require_office_admin(actor, material.session.office_id)
    audit.record(
        actor,
        audit.Action.DELETE,
        material,
        {"before": {"session": material.session_id, "file": material.original_name}},
        office_id=material.session.office_id,
    )
    material.delete()
    _delete_files_on_commit([material])


# ---- attendance -------------------------------------------------------------------------------


def credited_hours(session: Session, presence: str, hours=None) -> decimal.Decimal:
    """The hours an attendance credits (docs/rules.md §29): attended, the session's hours
    unless fewer are given (left early), never more; absent or excused, none. Raises
    DomainError (the importer reports it as the row's error)."""
    if presence not in Presence.values:
        raise DomainError(_("Choose attended, absent or excused."), field="presence")
    hours = _hours(hours)
    if presence != Presence.ATTENDED:
        if hours:
            raise DomainError(_("Only an inspector who attended is credited hours."), field="hours")
        return decimal.Decimal("0.0")
    if hours is None:
        return session.hours
    if hours <= 0 or hours > session.hours:
        raise DomainError(
            _("Credit between 0.1 and %(hours)s hours (the session's length).")
            % {"hours": session.hours},
            field="hours",
        )
    return hours


def check_attendee(session: Session, inspector: Inspector) -> None:
    """An inspector of the session's office (any kind, docs/rules.md §31), active on record
    or already recorded at the session."""
    if inspector.office_id != session.office_id:
        raise DomainError(_("The inspector belongs to another office."), field="inspector")
    if not inspector.is_active and not (
        Attendance.objects.unscoped().filter(session=session, inspector=inspector).exists()
    ):
        raise DomainError(
            _("%(inspector)s is inactive.") % {"inspector": inspector.name}, field="inspector"
        )


@transaction.atomic
def record_attendance(
    actor, session: Session, inspector, *, presence: str, hours=None, note: str = ""
) -> tuple[Attendance, str]:
    """Set an inspector's attendance at a session (created or changed). Returns the row and
    "created", "updated" or "unchanged"; the same values again change nothing."""
    session = Session.objects.unscoped().select_for_update().get(pk=session.pk)
    guards.require_office_admin(actor, session.office_id)
    inspector = Inspector.objects.unscoped().filter(pk=getattr(inspector, "pk", inspector)).first()
    if inspector is None:
        raise DomainError(_("Choose an inspector of the office."), field="inspector")
    check_attendee(session, inspector)
    credited = credited_hours(session, presence, hours)
    note = (note or "").strip()[:200]
    row = (
        Attendance.objects.unscoped()
        .select_for_update()
        .filter(session=session, inspector=inspector)
        .first()
    )
    if row is None:
        row = Attendance(
            office_id=session.office_id,
            session=session,
            inspector=inspector,
            presence=presence,
            hours=credited,
            note=note,
        )
        try:
            with transaction.atomic():
                row.save()
        except IntegrityError as exc:  # recorded at the same moment by someone else
            raise DomainError(_("This attendance was just recorded by someone else.")) from exc
        audit.record_create(actor, row)
        return row, "created"
    if (row.presence, row.hours, row.note) == (presence, credited, note):
        return row, "unchanged"
    before = audit.snapshot(row)
    row.presence, row.hours, row.note = presence, credited, note
    row.save()
    audit.record_update(actor, row, before)
    return row, "updated"


@transaction.atomic
def remove_attendance(actor, attendance: Attendance) -> None:
    attendance = Attendance.objects.unscoped().select_for_update().get(pk=attendance.pk)
    guards.require_office_admin(actor, attendance.office_id)
    audit.record_delete(actor, attendance)
    attendance.delete()


# ---- the office's requirement -----------------------------------------------------------------


@transaction.atomic
def save_requirement(actor, office, *, yearly_hours) -> TrainingRules:
    """The training hours each inspector is to complete in a calendar year."""
    guards.require_office_admin(actor, office)
    office_id = getattr(office, "pk", office)
    hours = _hours(yearly_hours, field="yearly_hours")
    if hours is None or not 1 <= hours <= MAX_YEARLY_HOURS:
        raise DomainError(_("Enter between 1 and 500 hours."), field="yearly_hours")
    rules = TrainingRules.objects.select_for_update().filter(office_id=office_id).first()
    if rules is None:
        rules = TrainingRules.objects.create(office_id=office_id, yearly_hours=hours)
        audit.record_create(actor, rules)
        return rules
    before = audit.snapshot(rules)
    rules.yearly_hours = hours
    rules.save()
    audit.record_update(actor, rules, before)
    return rules
