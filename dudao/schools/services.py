"""Writes to the school registry. Each function checks the acting user (the office admin of
the school's office, dudao/core/guards.py), validates, saves in a transaction and audits."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from dudao.audit import services as audit
from dudao.core import guards
from dudao.core.errors import DomainError

from .models import ENROLMENT_FIELDS, LEVELS_BY_TYPE, School, SchoolType

SCHOOL_FIELDS = [
    "code",
    "name",
    "type",
    "ownership",
    "location",
    "township",
    "zone",
    "address",
    "principal",
    "phone",
    "enrolment_kindergarten",
    "enrolment_primary",
    "enrolment_junior",
    "enrolment_senior",
    "host_school",
    "is_active",
]


def check_school_rules(school: School) -> None:
    """Cross-field rules a single field validator cannot see. Raises DomainError."""
    if school.township_id and not school.township.path.startswith(school.office.region.path):
        raise DomainError(_("The township is not in this office's county."), field="township")
    if school.zone_id and school.zone.office_id != school.office_id:
        raise DomainError(_("The zone belongs to another office."), field="zone")
    if school.type == SchoolType.TEACHING_POINT:
        if not school.host_school_id:
            raise DomainError(_("A teaching point needs a host school."), field="host_school")
        if school.host_school.type == SchoolType.TEACHING_POINT:
            raise DomainError(
                _("A teaching point cannot host another teaching point."), field="host_school"
            )
        if school.host_school.office_id != school.office_id:
            raise DomainError(_("The host school belongs to another office."), field="host_school")
        if school.host_school_id == school.pk:
            raise DomainError(_("A school cannot host itself."), field="host_school")
    elif school.host_school_id:
        raise DomainError(_("Only a teaching point has a host school."), field="host_school")
    allowed = LEVELS_BY_TYPE.get(school.type, set())
    for level, field in ENROLMENT_FIELDS.items():
        if level not in allowed and getattr(school, field):
            raise DomainError(
                _("A %(type)s has no %(level)s enrolment.")
                % {
                    "type": school.get_type_display(),
                    "level": School._meta.get_field(field).verbose_name,
                },
                field=field,
            )


def _save(school: School):
    try:
        school.full_clean(exclude=["office"], validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=field) from exc
    check_school_rules(school)
    try:
        with transaction.atomic():
            school.save()
    except IntegrityError as exc:
        raise DomainError(
            _("A school with code %(code)s already exists.") % {"code": school.code},
            field="code",
        ) from exc


@transaction.atomic
def create_school(actor, office, **data) -> School:
    guards.require_office_admin(actor, office)
    school = School(office=office, **{k: v for k, v in data.items() if k in SCHOOL_FIELDS})
    _save(school)
    audit.record_create(actor, school)
    return school


@transaction.atomic
def update_school(actor, school: School, **data) -> School:
    school = School.objects.unscoped().select_for_update().get(pk=school.pk)
    guards.require_office_admin(actor, school.office_id)
    before = audit.snapshot(school)
    for key, value in data.items():
        if key in SCHOOL_FIELDS:
            setattr(school, key, value)
    _save(school)
    audit.record_update(actor, school, before)
    return school


@transaction.atomic
def delete_school(actor, school: School) -> None:
    """Delete a school entered by mistake. A school with history (assignments, teaching
    points) is deactivated instead: records are never lost."""
    school = School.objects.unscoped().select_for_update().get(pk=school.pk)
    guards.require_office_admin(actor, school.office_id)
    if school.assignments.exists() or school.teaching_points.exists() or school.users.exists():
        raise DomainError(
            _(
                "This school has assignments, teaching points or user accounts; "
                "mark it inactive instead of deleting it."
            )
        )
    audit.record_delete(actor, school)
    school.delete()
