"""Writes to complaints (投诉、举报、咨询). Status changes are named wrappers around
`workflow.transition` (one table, one set of checks: the office admin triages, assigns,
transfers, merges and closes; the assigned inspector investigates and replies); the rest
(the public intake, the reply's draft, raising a finding, the office's rules) locks, checks
and audits the same way.

**The public intake** (`submit_complaint`) has no account behind it: its guard is the public
form's (the challenge, the honeypot, the rate limits, `public_views.py`). Its history and
audit rows name the sender as "the public", and they do not keep the request's address: the
audit log records every request's address (`dudao.audit.middleware`), and a sender's address
must not be kept, only its keyed hash (`codes.client_hash`), so the intake runs inside
`audit.without_origin()`. Nor does the audit row copy the sender's name and phone.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from dudao.audit import services as audit
from dudao.core import files as uploads
from dudao.core import guards
from dudao.core.errors import DomainError, IllegalTransition, NotPermitted
from dudao.core.guards import SYSTEM
from dudao.core.supervision_items import KINDERGARTEN_AREAS, SUPERVISION_ITEMS
from dudao.core.validators import phone_validator
from dudao.rectification import services as rectification
from dudao.rectification.models import Finding, Severity
from dudao.schools.models import School, SchoolType

from . import codes, workflow
from .models import Category, Complaint, ComplaintPhoto, ComplaintRules, Status, rules_for
from .workflow import INSPECTOR, OFFICE, Action, Event

MAX_TEXT = 2000
MIN_TEXT = 4
MAX_NAME = 30
MAX_PHOTOS = 3
DUPLICATE_WINDOW = datetime.timedelta(hours=24)
CODE_ATTEMPTS = 5
# The audit row of an intake keeps these fields, not the sender's contact details.
AUDITED_AT_INTAKE = ("category", "school", "tracking_code", "anonymous", "deadline")


class PublicSender:
    """The public acting through the complaint form: no account, no office. Looks enough like
    an actor for history and audit rows (no user, a name)."""

    pk = id = None
    is_active = True
    is_authenticated = False
    is_superuser = False
    role = ""
    office_id = inspector_id = school_id = None

    def __str__(self):
        return _("The public")


PUBLIC = PublicSender()


# --- the public intake ---------------------------------------------------------------------


def check_photos(photos) -> list:
    """Up to MAX_PHOTOS photos, each checked by content and size (as for visits); raises
    DomainError(field="photos") before anything is written."""
    photos = [p for p in photos or [] if p]
    if len(photos) > MAX_PHOTOS:
        raise DomainError(
            _("Send at most %(n)s photos.") % {"n": MAX_PHOTOS},
            field="photos",
        )
    checked = []
    for photo in photos:
        try:
            checked.append((photo, uploads.check_upload(photo, kinds={uploads.FileKind.IMAGE})))
        except DomainError as error:
            raise DomainError(str(error), field="photos") from error
    return checked


def check_contact(name: str, phone: str, anonymous: bool) -> tuple[str, str]:
    """The sender's contact details as kept: none when anonymous."""
    if anonymous:
        return "", ""
    name, phone = (name or "").strip(), (phone or "").strip().replace(" ", "")
    if len(name) > MAX_NAME:
        raise DomainError(_("The name is too long."), field="name")
    if phone:
        try:
            phone_validator(phone)
        except ValidationError as error:
            raise DomainError(
                _("Enter a valid phone number, or leave it empty."), field="phone"
            ) from error
    return name, phone


def check_text(text: str) -> str:
    text = (text or "").strip()
    if len(text) < MIN_TEXT:
        raise DomainError(_("Describe what happened in a few words at least."), field="text")
    if len(text) > MAX_TEXT:
        raise DomainError(
            _("The text is too long (at most %(n)s characters).") % {"n": MAX_TEXT},
            field="text",
        )
    return text


def find_original(office_id, school_id, text_hash: str, client_hash: str):
    """The earlier complaint this one repeats: the same text (normalised) about the same
    school (or about no school, to the same office) from the same address, received within
    the last 24 hours; None if there is none."""
    if not client_hash:
        return None
    earlier = (
        Complaint.objects.unscoped()
        .filter(
            office_id=office_id,
            school_id=school_id,
            text_hash=text_hash,
            client_hash=client_hash,
            received_at__gte=timezone.now() - DUPLICATE_WINDOW,
        )
        .order_by("received_at", "pk")
        .first()
    )
    return workflow.root_of(earlier) if earlier is not None else None


def _save_with_new_code(complaint: Complaint, rng) -> None:
    for attempt in range(CODE_ATTEMPTS):
        complaint.tracking_code = codes.new_tracking_code(rng)
        try:
            with transaction.atomic():
                complaint.save()
            return
        except IntegrityError:
            if (
                attempt == CODE_ATTEMPTS - 1
                or not Complaint.objects.unscoped()
                .filter(tracking_code=complaint.tracking_code)
                .exists()
            ):
                raise
            complaint.pk = None


def submit_complaint(
    *,
    office,
    school: School | None = None,
    category: str,
    text: str,
    name: str = "",
    phone: str = "",
    anonymous: bool = False,
    photos=(),
    client_address: str | None = None,
    rng=None,
) -> Complaint:
    """Receive a complaint from the public form, with a new tracking code and a deadline of
    the office's `reply_days`. The same text about the same school from the same address
    within 24 hours is received and at once merged into the first (by the platform, with its
    history line), so it is counted once. `rng`: the demo's generator for reproducible codes
    (production draws with `secrets`)."""
    with audit.without_origin():  # the sender's address is never stored
        return _submit(
            office=office,
            school=school,
            category=category,
            text=text,
            name=name,
            phone=phone,
            anonymous=anonymous,
            photos=photos,
            client_address=client_address,
            rng=rng,
        )


@transaction.atomic
def _submit(
    *, office, school, category, text, name, phone, anonymous, photos, client_address, rng
) -> Complaint:
    office_id = office.pk if hasattr(office, "pk") else office
    if office_id is None:
        raise DomainError(_("Choose the county or district."), field="office")
    if school is not None:
        school = School.objects.unscoped().filter(pk=school.pk, is_active=True).first()
        if school is None or school.office_id != office_id:
            raise DomainError(_("Choose a school of this county or district."), field="school")
    if category not in Category.values:
        raise DomainError(_("Choose what kind of report this is."), field="category")
    text = check_text(text)
    name, phone = check_contact(name, phone, bool(anonymous))
    checked = check_photos(photos)
    client = codes.client_hash(client_address)
    fingerprint = codes.text_fingerprint(text)
    original = find_original(office_id, school.pk if school else None, fingerprint, client)
    today = timezone.localdate()
    complaint = Complaint(
        office_id=office_id,
        school=school,
        category=category,
        text=text,
        sender_name=name,
        sender_phone=phone,
        anonymous=bool(anonymous),
        deadline=today + datetime.timedelta(days=rules_for(office_id).reply_days),
        client_hash=client,
        text_hash=fingerprint,
    )
    _save_with_new_code(complaint, rng)
    seen = set()
    for uploaded, check in checked:
        if check.sha256 in seen:
            continue
        seen.add(check.sha256)
        uploads.store(ComplaintPhoto(complaint=complaint), uploaded, None, check)
    with translation.override(settings.LANGUAGE_CODE):  # the record's language
        workflow.record_event(
            complaint, Event.RECEIVED, PUBLIC, from_status="", data={"photos": len(seen)}
        )
        audit.record(
            PUBLIC,
            audit.Action.CREATE,
            complaint,
            {
                "after": {
                    k: v for k, v in audit.snapshot(complaint).items() if k in AUDITED_AT_INTAKE
                }
            },
        )
        if original is not None:
            note = _("The same report from the same sender within 24 hours: merged into %(code)s.")
            complaint = workflow.transition(
                complaint,
                Action.MERGE,
                SYSTEM,
                expected_version=complaint.version,
                note=note % {"code": original.tracking_code},
                original=original,
            )
    return complaint


# --- the office and the inspector -----------------------------------------------------------


@transaction.atomic
def assign(
    actor,
    complaint,
    *,
    expected_version,
    inspector,
    deadline: datetime.date | None = None,
    note: str = "",
) -> Complaint:
    """Assign (分办) or reassign to an inspector of the office, who must not recuse from the
    school (docs/rules.md §3); a `deadline` replaces the one set at intake."""
    return workflow.transition(
        complaint,
        Action.ASSIGN,
        actor,
        expected_version=expected_version,
        note=note,
        inspector=inspector,
        deadline=deadline,
    )


@transaction.atomic
def start_investigation(actor, complaint, *, expected_version, note: str = "") -> Complaint:
    return workflow.transition(
        complaint, Action.START, actor, expected_version=expected_version, note=note
    )


@transaction.atomic
def save_reply_draft(actor, complaint, *, expected_version, text: str) -> Complaint:
    """The inspector (or the office) keeps a draft of the reply while investigating; the
    sender reads nothing until the reply is sent."""
    locked = workflow.lock(complaint, expected_version)
    if not (workflow.roles_of(actor, locked) & {INSPECTOR, OFFICE}):
        raise NotPermitted(_("You may not change this complaint."))
    workflow.require_open(locked)
    text = (text or "").strip()
    if len(text) > workflow.MAX_REPLY:
        raise DomainError(
            _("The reply is too long (at most %(n)s characters).") % {"n": workflow.MAX_REPLY},
            field="reply",
        )
    before = audit.snapshot(locked)
    locked.reply_text = text
    locked.version += 1
    locked.save(update_fields=["reply_text", "version"])
    workflow.record_event(locked, Event.DRAFT_SAVED, actor)
    audit.record_update(actor, locked, before)
    return locked


@transaction.atomic
def reply(actor, complaint, *, expected_version, text: str = "", note: str = "") -> Complaint:
    """Send the reply (答复): `text`, or the saved draft. The sender reads it with the code."""
    return workflow.transition(
        complaint,
        Action.REPLY,
        actor,
        expected_version=expected_version,
        note=note,
        reply=(text or "").strip(),
    )


@transaction.atomic
def close(actor, complaint, *, expected_version, note: str = "") -> Complaint:
    return workflow.transition(
        complaint, Action.CLOSE, actor, expected_version=expected_version, note=note
    )


@transaction.atomic
def reopen(actor, complaint, *, expected_version, note: str) -> Complaint:
    return workflow.transition(
        complaint, Action.REOPEN, actor, expected_version=expected_version, note=note
    )


@transaction.atomic
def transfer(actor, complaint, *, expected_version, department: str, note: str = "") -> Complaint:
    """Transfer (转办) to another department, named for the sender."""
    return workflow.transition(
        complaint,
        Action.TRANSFER,
        actor,
        expected_version=expected_version,
        note=note,
        department=(department or "").strip(),
    )


@transaction.atomic
def merge(actor, complaint, *, expected_version, original, note: str = "") -> Complaint:
    """Merge (合并) as a duplicate of `original` (an earlier complaint of the office): not
    counted in the figures; the sender's tracking page follows the original."""
    return workflow.transition(
        complaint,
        Action.MERGE,
        actor,
        expected_version=expected_version,
        note=note,
        original=original,
    )


def areas_for(school: School) -> tuple:
    """The supervision items a finding at `school` may name (docs/rules.md §4)."""
    if school.type == SchoolType.KINDERGARTEN:
        return KINDERGARTEN_AREAS
    return SUPERVISION_ITEMS


@transaction.atomic
def raise_finding(
    actor,
    complaint,
    *,
    expected_version,
    area: int,
    description: str,
    deadline: datetime.date,
    school: School | None = None,
    severity: str = Severity.GENERAL,
) -> Finding:
    """A confirmed problem becomes a finding in the rectification ledger (台账), through
    `rectification.services.create_finding` (the office admin, or the assigned inspector when
    they are the school's responsible inspector), linked both ways: the complaint's `finding`,
    the finding's `complaints`. The finding is the school's to read, so it names no sender and
    copies nothing of the complaint by itself: the office writes its description. A
    complaint about no school names the school here. A second call returns the same finding."""
    locked = workflow.lock(complaint, expected_version)
    if not (workflow.roles_of(actor, locked) & {INSPECTOR, OFFICE}):
        raise NotPermitted(_("You may not raise a finding from this complaint."))
    if locked.finding_id:
        return Finding.objects.unscoped().get(pk=locked.finding_id)
    if locked.status in (Status.MERGED, Status.TRANSFERRED):
        raise IllegalTransition(
            _("A complaint that is “%(status)s” raises no finding.")
            % {"status": locked.get_status_display()}
        )
    if locked.school_id:
        if school is not None and school.pk != locked.school_id:
            raise DomainError(_("The finding is at the complaint's own school."), field="school")
        school = locked.school
    if school is None:
        raise DomainError(_("Choose the school the problem is at."), field="school")
    if school.office_id != locked.office_id:
        raise DomainError(_("Choose a school of this office."), field="school")
    if area not in {item.number for item in areas_for(school)}:
        raise DomainError(_("Choose one of the school's supervision items."), field="area")
    finding = rectification.create_finding(
        actor,
        school=school,
        area=area,
        description=description,
        severity=severity,
        deadline_kind=Finding.DeadlineKind.BY_DATE,
        deadline=deadline,
    )
    before = audit.snapshot(locked)
    locked.finding = finding
    locked.school = school
    locked.version += 1
    locked.save(update_fields=["finding", "school", "version"])
    workflow.record_event(
        locked, Event.FINDING_RAISED, actor, data={"finding_id": finding.pk, "school": school.name}
    )
    audit.record_update(actor, locked, before)
    return finding


@transaction.atomic
def save_rules(actor, office, *, reply_days: int, urge_days: int) -> ComplaintRules:
    """The office's days to reply and days between urgings (numbers are data). A changed
    `reply_days` applies to complaints received from now on."""
    guards.require_office_admin(actor, office)
    office_id = office.pk if hasattr(office, "pk") else office
    if not (reply_days and 1 <= int(reply_days) <= 365):
        raise DomainError(_("Enter between 1 and 365 days."), field="reply_days")
    if not (urge_days and 1 <= int(urge_days) <= 60):
        raise DomainError(_("Enter between 1 and 60 days."), field="urge_days")
    rules = ComplaintRules.objects.select_for_update().filter(office_id=office_id).first()
    if rules is None:
        rules = ComplaintRules.objects.create(
            office_id=office_id, reply_days=int(reply_days), urge_days=int(urge_days)
        )
        audit.record_create(actor, rules)
        return rules
    before = audit.snapshot(rules)
    rules.reply_days, rules.urge_days = int(reply_days), int(urge_days)
    rules.save()
    audit.record_update(actor, rules, before)
    return rules
