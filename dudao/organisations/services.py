"""The office's own settings and its government units (督政对象), edited by its office admin
(dudao/core/guards.py)."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from dudao.audit import services as audit
from dudao.core import guards
from dudao.core.errors import DomainError, StaleObject
from dudao.core.validators import phone_validator

from .models import GovernmentUnit, Office, Region

# What the office admin edits: the contacts the public sees (the school's public page and
# the signboards). The name, region and document prefix stay with the superuser (Django admin).
CONTACT_FIELDS = ["hotline", "public_phone", "email", "address"]


@transaction.atomic
def update_office_contacts(actor, office: Office, **data) -> Office:
    office = Office.objects.select_for_update().get(pk=office.pk)
    guards.require_office_admin(actor, office)
    before = audit.snapshot(office)
    for key, value in data.items():
        if key in CONTACT_FIELDS:
            setattr(office, key, (value or "").strip())
    try:
        office.full_clean(
            exclude=[f.name for f in Office._meta.fields if f.name not in CONTACT_FIELDS]
        )
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=field) from None
    office.save(update_fields=CONTACT_FIELDS)
    audit.record_update(actor, office, before)
    return office


# ---- government units (督政对象), docs/rules.md §24 -----------------------------------------
#
# The county government, its departments and the township governments an office supervises
# (GovernmentUnit). Every write is the office admin's of the unit's office. A unit is never
# deleted once it was evaluated (the round's targets PROTECT it): it is deactivated instead.

IMPORT_KIND = (
    "government_units"  # the spreadsheet import (dudao/imports/importers/government_units.py)
)
UNIT_FIELDS = ["kind", "name", "parent", "region", "contact", "phone", "position"]
Kind = GovernmentUnit.Kind


def unit_version(unit: GovernmentUnit) -> str:
    """The version of a unit a form carries (`expected_version`): a save after someone
    else's change is refused (StaleObject)."""
    return str(unit.version)


def township_name(region: Region) -> str:
    """The usual name of a township's government: 城关镇人民政府, 城南街道办事处."""
    return region.name + ("办事处" if region.name.endswith("街道") else "人民政府")


def county_government_of(office) -> GovernmentUnit | None:
    """The office's county government (at most one), active or not."""
    office_id = office.pk if isinstance(office, Office) else office
    return (
        GovernmentUnit.objects.unscoped()
        .filter(office_id=office_id, kind=Kind.COUNTY_GOVERNMENT)
        .order_by("pk")
        .first()
    )


def check_unit(unit: GovernmentUnit) -> None:
    """The rules of a unit (the form, the import and the API refuse the same). Raises
    DomainError naming the field. The unit need not be saved: the import checks its rows with
    it before writing anything."""
    unit.name = " ".join((unit.name or "").split())
    unit.contact = (unit.contact or "").strip()
    unit.phone = (unit.phone or "").strip()
    try:
        unit.full_clean(exclude=["office", "parent", "region"], validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from None
    if unit.phone:
        try:
            phone_validator(unit.phone)
        except ValidationError as exc:
            raise DomainError(exc.messages[0], field="phone") from None
    others = GovernmentUnit.objects.unscoped().filter(office_id=unit.office_id)
    if unit.pk is not None:
        others = others.exclude(pk=unit.pk)
    if others.filter(name=unit.name).exists():
        raise DomainError(
            _("This office already has a unit named “%(name)s”.") % {"name": unit.name},
            field="name",
        )
    if unit.kind == Kind.DEPARTMENT:
        parent = unit.parent
        if parent is None:
            raise DomainError(
                _(
                    "A department is under the county government, and this office has none "
                    "yet: create the county government first."
                ),
                field="parent",
            )
        if parent.kind != Kind.COUNTY_GOVERNMENT or parent.office_id != unit.office_id:
            raise DomainError(
                _("A department's parent must be the county government of the same office."),
                field="parent",
            )
        if unit.is_active and not parent.is_active:
            raise DomainError(
                _("The county government is inactive: reactivate it first."), field="parent"
            )
    elif unit.parent_id is not None or unit.parent is not None:
        raise DomainError(_("Only a department is under the county government."), field="parent")
    if unit.kind == Kind.COUNTY_GOVERNMENT and others.filter(kind=Kind.COUNTY_GOVERNMENT).exists():
        raise DomainError(_("This office already has a county government."), field="kind")
    if (
        unit.pk is not None
        and unit.kind != Kind.COUNTY_GOVERNMENT
        and GovernmentUnit.objects.unscoped().filter(parent_id=unit.pk).exists()
    ):
        raise DomainError(
            _("This unit has departments: it stays the county government."), field="kind"
        )
    if unit.region_id is not None or unit.region is not None:
        region = unit.region
        if unit.kind != Kind.TOWNSHIP:
            raise DomainError(_("Only a township government has a township."), field="region")
        county = unit.office.region
        if region.level != Region.Level.TOWNSHIP or not region.path.startswith(county.path):
            raise DomainError(
                _("The township is not in this office's county (%(county)s).")
                % {"county": county.name},
                field="region",
            )
        if others.filter(region_id=region.pk).exists():
            raise DomainError(
                _("Another township government already stands for %(township)s.")
                % {"township": region.name},
                field="region",
            )


def _clean_data(data: dict) -> dict:
    values = {k: v for k, v in data.items() if k in UNIT_FIELDS}
    for key in ("contact", "phone"):
        if key in values and values[key] is None:
            values[key] = ""
    if values.get("position") is None:
        values.pop("position", None)
    return values


def _save_unit(unit: GovernmentUnit) -> None:
    if unit.kind == Kind.DEPARTMENT and unit.parent is None:
        # A department's only possible parent: the office's county government.
        unit.parent = county_government_of(unit.office_id)
    check_unit(unit)
    try:
        with transaction.atomic():
            unit.save()
    except IntegrityError as exc:  # a concurrent create of the same name
        raise DomainError(
            _("This office already has a unit named “%(name)s”.") % {"name": unit.name},
            field="name",
        ) from exc


def _locked_unit(unit) -> GovernmentUnit:
    return (
        GovernmentUnit.objects.unscoped()
        .select_for_update(of=("self",))
        .select_related("office__region")
        .get(pk=unit.pk)
    )


def _check_version(unit, expected_version) -> None:
    if expected_version not in (None, "") and str(expected_version) != unit_version(unit):
        raise StaleObject(
            _("Someone else changed this unit meanwhile; reload the page and try again.")
        )


@transaction.atomic
def create_unit(actor, office, **data) -> GovernmentUnit:
    """A new unit of `office`: `kind`, `name`, and `parent` (a department: the county
    government, by default), `region` (a township), `contact`, `phone`, `position`."""
    guards.require_office_admin(actor, office)
    office = Office.objects.select_related("region").get(pk=office.pk)
    unit = GovernmentUnit(office=office, **_clean_data(data))
    _save_unit(unit)
    audit.record_create(actor, unit)
    return unit


@transaction.atomic
def update_unit(actor, unit: GovernmentUnit, *, expected_version=None, **data) -> GovernmentUnit:
    """Change a unit's fields (those of UNIT_FIELDS given). `expected_version` is the
    `unit_version` the form was shown with; StaleObject when the unit changed since."""
    unit = _locked_unit(unit)
    guards.require_office_admin(actor, unit.office_id)
    _check_version(unit, expected_version)
    before = audit.snapshot(unit)
    for key, value in _clean_data(data).items():
        setattr(unit, key, value)
    if audit.diff(before, audit.snapshot(unit)):
        unit.version += 1
    _save_unit(unit)
    audit.record_update(actor, unit, before)
    return unit


@transaction.atomic
def deactivate_unit(actor, unit: GovernmentUnit, *, expected_version=None) -> GovernmentUnit:
    """Take a unit out of use (no longer offered as a target); its results stay."""
    return _set_active(actor, unit, False, expected_version)


@transaction.atomic
def reactivate_unit(actor, unit: GovernmentUnit, *, expected_version=None) -> GovernmentUnit:
    return _set_active(actor, unit, True, expected_version)


def _set_active(actor, unit, active: bool, expected_version) -> GovernmentUnit:
    unit = _locked_unit(unit)
    guards.require_office_admin(actor, unit.office_id)
    _check_version(unit, expected_version)
    if unit.is_active == active:
        raise DomainError(
            _("This unit is already active.") if active else _("This unit is already inactive.")
        )
    if active and unit.parent_id and not unit.parent.is_active:
        raise DomainError(_("The county government is inactive: reactivate it first."))
    if not active and unit.departments.filter(is_active=True).exists():
        raise DomainError(_("Deactivate the departments under the county government first."))
    before = audit.snapshot(unit)
    unit.is_active = active
    unit.version += 1
    unit.save(update_fields=["is_active", "version"])
    audit.record_update(actor, unit, before)
    return unit


@transaction.atomic
def delete_unit(actor, unit: GovernmentUnit) -> None:
    """Delete a unit entered by mistake. A unit that was evaluated, or has departments, is
    kept (deactivate it instead): results are never lost."""
    unit = _locked_unit(unit)
    guards.require_office_admin(actor, unit.office_id)
    if unit.evaluation_targets.exists() or unit.departments.exists():
        raise DomainError(
            _(
                "This unit has been evaluated or has departments; "
                "mark it inactive instead of deleting it."
            )
        )
    audit.record_delete(actor, unit)
    try:
        with transaction.atomic():
            unit.delete()
    except ProtectedError as exc:  # a reference the check above does not know yet
        raise DomainError(
            _(
                "This unit has been evaluated or has departments; "
                "mark it inactive instead of deleting it."
            )
        ) from exc
