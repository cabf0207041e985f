"""Writes to inspectors' terms of appointment (任期) and certificates (督学资格证, 培训合格证), the
office's reminder days, and the daily reminders before a term or a certificate ends
(docs/rules.md §31). Every write is the office admin's of the inspector's office
(dudao/core/guards.py), checked before anything is written."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts.models import Role, User
from dudao.audit import services as audit
from dudao.core import files, guards
from dudao.core.errors import DomainError

from .models import Certificate, CertificateFile, Inspector, InspectorRules, Term

TERM_FIELDS = ["start_date", "end_date", "letter_number", "appointed_by", "note"]
CERTIFICATE_FIELDS = ["kind", "name", "number", "issuer", "issued_on", "expires_on", "note"]
MAX_REMINDER_DAYS = 365


def _validate(instance):
    try:
        instance.full_clean(exclude=["office", "inspector"], validate_unique=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from exc


def _inspector(inspector) -> Inspector:
    return Inspector.objects.unscoped().get(pk=getattr(inspector, "pk", inspector))


# ---- terms ------------------------------------------------------------------------------------


def check_term(term: Term) -> None:
    """A term ends on or after its start and overlaps no other term of the inspector."""
    if term.start_date and term.end_date and term.end_date < term.start_date:
        raise DomainError(_("The term ends before it starts."), field="end_date")
    _validate(term)
    overlapping = (
        Term.objects.unscoped()
        .filter(inspector_id=term.inspector_id)
        .filter(start_date__lte=term.end_date, end_date__gte=term.start_date)
        .exclude(pk=term.pk)
    )
    if overlapping.exists():
        raise DomainError(
            _("This term overlaps another term of the inspector."), field="start_date"
        )


@transaction.atomic
def create_term(actor, inspector, **data) -> Term:
    inspector = _inspector(inspector)
    guards.require_office_admin(actor, inspector.office_id)
    Inspector.objects.unscoped().select_for_update().filter(pk=inspector.pk).first()
    term = Term(
        office_id=inspector.office_id,
        inspector=inspector,
        **{k: v for k, v in data.items() if k in TERM_FIELDS},
    )
    check_term(term)
    term.save()
    audit.record_create(actor, term)
    return term


@transaction.atomic
def update_term(actor, term: Term, **data) -> Term:
    term = Term.objects.unscoped().select_for_update().get(pk=term.pk)
    guards.require_office_admin(actor, term.office_id)
    before = audit.snapshot(term)
    for key, value in data.items():
        if key in TERM_FIELDS:
            setattr(term, key, value)
    check_term(term)
    term.save()
    audit.record_update(actor, term, before)
    return term


@transaction.atomic
def delete_term(actor, term: Term) -> None:
    term = Term.objects.unscoped().select_for_update().get(pk=term.pk)
    guards.require_office_admin(actor, term.office_id)
    audit.record_delete(actor, term)
    term.delete()


# ---- certificates -----------------------------------------------------------------------------


def check_certificate(certificate: Certificate) -> None:
    if (
        certificate.expires_on
        and certificate.issued_on
        and certificate.expires_on < certificate.issued_on
    ):
        raise DomainError(_("The certificate expires before it was issued."), field="expires_on")
    _validate(certificate)


def _attach(actor, certificate: Certificate, upload) -> CertificateFile | None:
    if not upload:
        return None
    checked = files.check_upload(upload, kinds={files.FileKind.IMAGE, files.FileKind.DOCUMENT})
    found = certificate.files.filter(sha256=checked.sha256).first()
    if found is not None:  # the same scan again: the same file
        return found
    stored = files.store(CertificateFile(certificate=certificate), upload, actor, checked)
    audit.record(
        actor,
        audit.Action.CREATE,
        stored,
        {"after": {"certificate": certificate.pk, "file": stored.original_name}},
        office_id=certificate.office_id,
    )
    return stored


@transaction.atomic
def create_certificate(actor, inspector, *, upload=None, **data) -> Certificate:
    """Record a certificate, with an optional scan (a photo or a PDF/Word document, checked by
    its content)."""
    inspector = _inspector(inspector)
    guards.require_office_admin(actor, inspector.office_id)
    certificate = Certificate(
        office_id=inspector.office_id,
        inspector=inspector,
        **{k: v for k, v in data.items() if k in CERTIFICATE_FIELDS},
    )
    check_certificate(certificate)
    certificate.save()
    audit.record_create(actor, certificate)
    _attach(actor, certificate, upload)
    return certificate


@transaction.atomic
def update_certificate(actor, certificate: Certificate, *, upload=None, **data) -> Certificate:
    """Change a certificate; an `upload` adds a scan beside those it has."""
    certificate = Certificate.objects.unscoped().select_for_update().get(pk=certificate.pk)
    guards.require_office_admin(actor, certificate.office_id)
    before = audit.snapshot(certificate)
    for key, value in data.items():
        if key in CERTIFICATE_FIELDS:
            setattr(certificate, key, value)
    check_certificate(certificate)
    certificate.save()
    audit.record_update(actor, certificate, before)
    _attach(actor, certificate, upload)
    return certificate


def _delete_files_on_commit(rows) -> None:
    names = [(f.file.storage, f.file.name) for f in rows if f.file]
    names += [(f.preview.storage, f.preview.name) for f in rows if f.preview]

    def delete():
        for storage, name in names:
            storage.delete(name)

    if names:
        transaction.on_commit(delete)


@transaction.atomic
def delete_certificate(actor, certificate: Certificate) -> None:
    certificate = Certificate.objects.unscoped().select_for_update().get(pk=certificate.pk)
    guards.require_office_admin(actor, certificate.office_id)
    stored = list(certificate.files.all())
    audit.record_delete(actor, certificate)
    certificate.delete()
    _delete_files_on_commit(stored)


@transaction.atomic
def delete_certificate_file(actor, stored: CertificateFile) -> None:
    stored = CertificateFile.objects.select_related("certificate").get(pk=stored.pk)
    guards.require_office_admin(actor, stored.certificate.office_id)
    audit.record(
        actor,
        audit.Action.DELETE,
        stored,
        {"before": {"certificate": stored.certificate_id, "file": stored.original_name}},
        office_id=stored.certificate.office_id,
    )
    stored.delete()
    _delete_files_on_commit([stored])


# ---- the office's reminder days ---------------------------------------------------------------


@transaction.atomic
def save_reminder_days(
    actor, office, *, term_reminder_days: int, certificate_reminder_days: int
) -> InspectorRules:
    """How many days before a term ends or a certificate expires the office is reminded
    (docs/rules.md §31: numbers are data)."""
    guards.require_office_admin(actor, office)
    office_id = getattr(office, "pk", office)
    for field, value in (
        ("term_reminder_days", term_reminder_days),
        ("certificate_reminder_days", certificate_reminder_days),
    ):
        if value is None or not 1 <= int(value) <= MAX_REMINDER_DAYS:
            raise DomainError(_("Enter between 1 and 365 days."), field=field)
    rules = InspectorRules.objects.select_for_update().filter(office_id=office_id).first()
    if rules is None:
        rules = InspectorRules.objects.create(
            office_id=office_id,
            term_reminder_days=int(term_reminder_days),
            certificate_reminder_days=int(certificate_reminder_days),
        )
        audit.record_create(actor, rules)
        return rules
    before = audit.snapshot(rules)
    rules.term_reminder_days = int(term_reminder_days)
    rules.certificate_reminder_days = int(certificate_reminder_days)
    rules.save()
    audit.record_update(actor, rules, before)
    return rules


# ---- the daily reminders ----------------------------------------------------------------------


def _days(office_ids) -> dict[int, tuple[int, int]]:
    term_default = InspectorRules._meta.get_field("term_reminder_days").default
    cert_default = InspectorRules._meta.get_field("certificate_reminder_days").default
    days = dict.fromkeys(office_ids, (term_default, cert_default))
    for office_id, term, cert in InspectorRules.objects.filter(
        office_id__in=office_ids
    ).values_list("office_id", "term_reminder_days", "certificate_reminder_days"):
        days[office_id] = (term, cert)
    return days


def _recipients(office_id: int, inspector_id: int) -> list[User]:
    """The office's admins and the inspector's own account (current facts only)."""
    return list(
        User.objects.filter(is_active=True).filter(
            Q(role=Role.OFFICE_ADMIN, office_id=office_id) | Q(inspector_id=inspector_id)
        )
    )


def due_terms(today: datetime.date):
    """Terms of active inspectors that end within their office's reminder days from `today`
    and whose end has not been reminded of yet."""
    rows = (
        Term.objects.unscoped()
        .filter(end_date__gte=today, inspector__is_active=True)
        .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("end_date")))
        .select_related("inspector")
    )
    days = _days(set(rows.values_list("office_id", flat=True)))
    return [t for t in rows if (t.end_date - today).days <= days[t.office_id][0]]


def due_certificates(today: datetime.date):
    rows = (
        Certificate.objects.unscoped()
        .filter(expires_on__gte=today, inspector__is_active=True)
        .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("expires_on")))
        .select_related("inspector")
    )
    days = _days(set(rows.values_list("office_id", flat=True)))
    return [c for c in rows if (c.expires_on - today).days <= days[c.office_id][1]]


def send_reminders(today: datetime.date | None = None) -> dict:
    """The daily job (`JOBS` in dudao/core/schedule.py): one notification per term or
    certificate and end date, to the office's admins and the inspector. Idempotent: the end
    date reminded of is kept on the row (`reminded_for`), so a second run the same day or the
    next sends nothing; a changed end date is reminded of again. A term that is followed by
    another term (reappointed) is not reminded of."""
    from dudao.notifications.services import notify

    today = today or timezone.localdate()
    sent = {"terms": 0, "certificates": 0}
    for term in due_terms(today):
        renewed = (
            Term.objects.unscoped()
            .filter(inspector_id=term.inspector_id, start_date__gt=term.end_date)
            .exists()
        )
        with transaction.atomic():
            claimed = (
                Term.objects.unscoped()
                .filter(pk=term.pk)
                .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("end_date")))
                .update(reminded_for=F("end_date"))
            )
            if not claimed or renewed:
                continue
            notify(
                _recipients(term.office_id, term.inspector_id),
                "inspector.term_ending",
                {"inspector": term.inspector.name, "date": term.end_date.isoformat()},
                url=reverse("inspectors:detail", args=[term.inspector_id]),
            )
            sent["terms"] += 1
    for cert in due_certificates(today):
        with transaction.atomic():
            claimed = (
                Certificate.objects.unscoped()
                .filter(pk=cert.pk)
                .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("expires_on")))
                .update(reminded_for=F("expires_on"))
            )
            if not claimed:
                continue
            notify(
                _recipients(cert.office_id, cert.inspector_id),
                "inspector.certificate_expiring",
                {
                    "inspector": cert.inspector.name,
                    "certificate": cert.name,
                    "date": cert.expires_on.isoformat(),
                },
                url=reverse("inspectors:detail", args=[cert.inspector_id]),
            )
            sent["certificates"] += 1
    return sent
