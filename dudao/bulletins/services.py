"""Writes of bulletins, notices and briefings (通报、通知、简报). Every function takes the acting
user first, runs in one transaction, checks a guard (or the workflow's roles) before writing
and leaves an audit row.

- the office admin: `create_bulletin` (a draft; the form's one-time key makes a second
  submission find the first draft), `update_bulletin` (a draft only), `add_attachment` and
  `delete_attachment` (a draft's), `publish_bulletin` (its number, its recipients fixed,
  their accounts notified after commit), `withdraw_bulletin` (with a reason),
  `set_public` (shown on the county's public page or not), `remind_unread` (the recipients
  that have not read it, once a day each);
- a recipient's account: `mark_read` (its read receipt, on opening the document; the receipt
  is the record, so it writes no audit row, as opening a notification does not).
"""

import datetime

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.audit import services as audit
from dudao.core import files, guards, idempotency
from dudao.core.errors import DomainError, StaleObject
from dudao.inspectors.models import Zone
from dudao.notifications.services import notify
from dudao.schools.models import School

from . import queries, workflow
from .models import (
    TOPICS,
    Audience,
    Bulletin,
    BulletinAttachment,
    BulletinRead,
    BulletinRecipient,
    Kind,
)

TITLE_MAX = 200
BODY_MAX = 20_000  # characters: a long 通报 is some 5 000
MAX_ATTACHMENTS = 10
PUBLISHED = "bulletin.published"  # notification keys (dudao.bulletins.messages)
REMIND = "bulletin.remind"


# --- drafts ----------------------------------------------------------------------------


def check_fields(
    office_id, *, kind, topic, title, body, audience, zone=None, schools=()
) -> tuple[str, str, list[int]]:
    """Validate a draft's fields; (title, body, chosen school ids) cleaned."""
    if kind not in Kind.values:
        raise DomainError(_("Choose the kind of document."), field="kind")
    if topic not in TOPICS[Kind(kind)]:
        raise DomainError(_("Choose a topic of this kind of document."), field="topic")
    title = " ".join((title or "").split())
    if not title:
        raise DomainError(_("Give the document a title."), field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(
            _("Keep the title under %(count)s characters.") % {"count": TITLE_MAX}, field="title"
        )
    body = "\n".join(line.rstrip() for line in (body or "").strip().splitlines())
    if not body:
        raise DomainError(_("Write the text of the document."), field="body")
    if len(body) > BODY_MAX:
        raise DomainError(
            _("Keep the text under %(count)s characters.") % {"count": BODY_MAX}, field="body"
        )
    if audience not in Audience.values:
        raise DomainError(_("Choose who receives it."), field="audience")
    if audience == Audience.ZONE:
        if zone is None:
            raise DomainError(_("Choose the zone whose schools receive it."), field="zone")
        zone_office = zone.office_id if isinstance(zone, Zone) else None
        if zone_office is None:
            zone_office = (
                Zone.objects.unscoped().filter(pk=zone).values_list("office_id", flat=True).first()
            )
        if zone_office != office_id:
            raise DomainError(_("Choose a zone of this office."), field="zone")
    school_ids = sorted({getattr(s, "pk", s) for s in schools or ()})
    if audience == Audience.SCHOOLS:
        if not school_ids:
            raise DomainError(_("Choose the schools that receive it."), field="schools")
        found = School.objects.unscoped().filter(pk__in=school_ids, office_id=office_id).count()
        if found != len(school_ids):
            raise DomainError(_("Choose schools of this office."), field="schools")
    else:
        school_ids = []
    return title, body, school_ids


def _apply_fields(bulletin, *, kind, topic, title, body, audience, zone, publish_on_public_page):
    bulletin.kind, bulletin.topic, bulletin.title, bulletin.body = kind, topic, title, body
    bulletin.audience = audience
    bulletin.zone_id = getattr(zone, "pk", zone) if audience == Audience.ZONE else None
    bulletin.publish_on_public_page = bool(publish_on_public_page)


@transaction.atomic
def create_bulletin(
    actor,
    office,
    *,
    kind,
    title,
    body,
    topic="other",
    audience=Audience.ALL_SCHOOLS,
    zone=None,
    schools=(),
    publish_on_public_page=False,
    request_key=None,
) -> Bulletin:
    """A draft of `office`. With the form's one-time `request_key`, a second submission
    returns the first draft (dudao.core.idempotency)."""
    guards.require_office_admin(actor, office)
    guards.require_person(actor)
    office_id = getattr(office, "pk", office)

    def create():
        clean_title, clean_body, school_ids = check_fields(
            office_id,
            kind=kind,
            topic=topic,
            title=title,
            body=body,
            audience=audience,
            zone=zone,
            schools=schools,
        )
        bulletin = Bulletin(office_id=office_id, created_by=actor)
        _apply_fields(
            bulletin,
            kind=kind,
            topic=topic,
            title=clean_title,
            body=clean_body,
            audience=audience,
            zone=zone,
            publish_on_public_page=publish_on_public_page,
        )
        bulletin.save()
        bulletin.chosen_schools.set(school_ids)
        audit.record_create(actor, bulletin)
        workflow.record_event(bulletin, "created", actor, {"kind": kind})
        return bulletin

    return idempotency.once(
        actor,
        request_key,
        "bulletins.create_bulletin",
        create,
        lambda pk: Bulletin.objects.unscoped().get(pk=pk),
    )


def _locked_draft(actor, bulletin, expected_version=None) -> Bulletin:
    locked = workflow.lock(bulletin)
    guards.require_office_admin(actor, locked.office_id)
    if expected_version is not None and locked.version != int(expected_version):
        raise StaleObject(str(workflow.BULLETIN_WORKFLOW.messages.stale))
    if locked.status != Bulletin.Status.DRAFT:
        raise DomainError(_("Only a draft can be changed."))
    return locked


@transaction.atomic
def update_bulletin(
    actor,
    bulletin,
    *,
    kind,
    title,
    body,
    topic="other",
    audience=Audience.ALL_SCHOOLS,
    zone=None,
    schools=(),
    publish_on_public_page=False,
    expected_version=None,
) -> Bulletin:
    """Edit a draft (`expected_version`: the version the writer saw)."""
    locked = _locked_draft(actor, bulletin, expected_version)
    clean_title, clean_body, school_ids = check_fields(
        locked.office_id,
        kind=kind,
        topic=topic,
        title=title,
        body=body,
        audience=audience,
        zone=zone,
        schools=schools,
    )
    before = audit.snapshot(locked)
    old_schools = sorted(locked.chosen_schools.values_list("pk", flat=True))
    _apply_fields(
        locked,
        kind=kind,
        topic=topic,
        title=clean_title,
        body=clean_body,
        audience=audience,
        zone=zone,
        publish_on_public_page=publish_on_public_page,
    )
    changes = audit.diff(before, audit.snapshot(locked))
    if not changes and old_schools == school_ids:
        return locked
    locked.version += 1
    locked.save()
    locked.chosen_schools.set(school_ids)
    audit.record_update(actor, locked, before)
    if old_schools != school_ids:
        audit.record(actor, audit.Action.UPDATE, locked, {"schools": [old_schools, school_ids]})
    workflow.record_event(locked, "edited", actor, {"fields": sorted(changes)})
    return locked


@transaction.atomic
def add_attachment(actor, bulletin, uploaded_file) -> BulletinAttachment:
    """A file sent with a draft (附件): checked by content (`core.files.check_upload`);
    the same file twice is the same attachment."""
    locked = _locked_draft(actor, bulletin)
    checked = files.check_upload(uploaded_file)
    existing = BulletinAttachment.objects.filter(bulletin=locked, sha256=checked.sha256).first()
    if existing is not None:
        return existing
    if BulletinAttachment.objects.filter(bulletin=locked).count() >= MAX_ATTACHMENTS:
        raise DomainError(
            _("A document takes at most %(count)s attachments.") % {"count": MAX_ATTACHMENTS},
            field="file",
        )
    attachment = files.store(BulletinAttachment(bulletin=locked), uploaded_file, actor, checked)
    audit.record_create(actor, attachment)
    workflow.record_event(locked, "attachment_added", actor, {"file": attachment.original_name})
    return attachment


@transaction.atomic
def delete_attachment(actor, attachment: BulletinAttachment) -> None:
    locked = _locked_draft(actor, attachment.bulletin)
    attachment = BulletinAttachment.objects.get(pk=attachment.pk, bulletin=locked)
    audit.record_delete(actor, attachment)
    workflow.record_event(locked, "attachment_removed", actor, {"file": attachment.original_name})
    field_files = (attachment.file, attachment.preview)
    attachment.delete()
    files.delete_on_commit(*field_files)


# --- publication -------------------------------------------------------------------------


def _detail_url(bulletin) -> str:
    return reverse("bulletins:detail", args=[bulletin.pk])


@transaction.atomic
def publish_bulletin(actor, bulletin, *, expected_version=None) -> Bulletin:
    """Publish a draft: it takes its number, its recipients are fixed as its rule gives them
    today, and their accounts are notified once the transaction commits."""
    made = {}

    def apply(locked):
        school_ids, inspector_ids = queries.resolve_recipients(locked)
        rows = [
            BulletinRecipient(bulletin=locked, office_id=locked.office_id, school_id=pk)
            for pk in school_ids
        ] + [
            BulletinRecipient(bulletin=locked, office_id=locked.office_id, inspector_id=pk)
            for pk in inspector_ids
        ]
        BulletinRecipient.objects.unscoped().bulk_create(rows)
        made["recipients"] = list(BulletinRecipient.objects.unscoped().filter(bulletin=locked))
        return {
            "number": locked.number,
            "schools": len(school_ids),
            "inspectors": len(inspector_ids),
        }

    published = workflow.publish(bulletin, actor, expected_version=expected_version, apply=apply)
    users = [u for group in queries.accounts_of(made["recipients"]).values() for u in group]
    params = {"number": published.number, "title": published.title}
    url = _detail_url(published)
    transaction.on_commit(lambda: notify(users, PUBLISHED, params, url=url))
    return published


@transaction.atomic
def withdraw_bulletin(actor, bulletin, *, note: str, expected_version=None) -> Bulletin:
    """Withdraw a published document (with the reason): its recipients and the public page
    no longer show it; its number stays taken."""
    return workflow.withdraw(bulletin, actor, note=note, expected_version=expected_version)


@transaction.atomic
def set_public(actor, bulletin, public: bool, *, expected_version=None) -> Bulletin:
    """Show the document on the county's public page, or take it off (a draft is shown once
    published; a withdrawn document never)."""
    locked = workflow.lock(bulletin)
    guards.require_office_admin(actor, locked.office_id)
    if expected_version is not None and locked.version != int(expected_version):
        raise StaleObject(str(workflow.BULLETIN_WORKFLOW.messages.stale))
    if locked.status == Bulletin.Status.WITHDRAWN:
        raise DomainError(_("A withdrawn document is not shown to the public."))
    public = bool(public)
    if locked.publish_on_public_page == public:
        return locked
    before = audit.snapshot(locked)
    locked.publish_on_public_page = public
    locked.version += 1
    locked.save(update_fields=["publish_on_public_page", "version", "updated_at"])
    audit.record_update(actor, locked, before)
    workflow.record_event(locked, "shown_publicly" if public else "hidden_publicly", actor)
    return locked


def _start_of_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(day, datetime.time.min), timezone.get_current_timezone()
    )


@transaction.atomic
def remind_unread(actor, bulletin) -> int:
    """Remind the recipients that have not read a published document (their accounts are
    notified), each at most once a day. Returns how many recipients were reminded."""
    locked = workflow.lock(bulletin)
    guards.require_office_admin(actor, locked.office_id)
    if locked.status != Bulletin.Status.PUBLISHED:
        raise DomainError(_("Only a published document can be reminded of."))
    now = timezone.now()
    today = _start_of_day(timezone.localdate())
    due = list(
        BulletinRecipient.objects.unscoped()
        .select_for_update()
        .filter(bulletin=locked)
        .exclude(
            pk__in=BulletinRead.objects.unscoped().filter(bulletin=locked).values("recipient_id")
        )
        .exclude(last_reminded_at__gte=today)
        .order_by("pk")
    )
    accounts = queries.accounts_of(due)
    reached = [r for r in due if accounts[r.pk]]
    if not reached:
        return 0
    for recipient in reached:
        recipient.reminders_sent += 1
        recipient.last_reminded_at = now
    BulletinRecipient.objects.unscoped().bulk_update(
        reached, ["reminders_sent", "last_reminded_at"]
    )
    users = [user for r in reached for user in accounts[r.pk]]
    workflow.record_event(locked, "reminded", actor, {"recipients": len(reached)})
    audit.record(actor, audit.Action.UPDATE, locked, {"reminded": len(reached)})
    params = {"number": locked.number, "title": locked.title}
    url = _detail_url(locked)
    transaction.on_commit(lambda: notify(users, REMIND, params, url=url))
    return len(reached)


# --- reading -----------------------------------------------------------------------------


@transaction.atomic
def mark_read(actor, bulletin) -> BulletinRead | None:
    """The actor's read receipt of a published document it received (its school's, or its
    own as an inspector), made the first time it opens it; None for anyone else (the office,
    a viewer). Idempotent; concurrent openings make one receipt."""
    if bulletin.status != Bulletin.Status.PUBLISHED or not getattr(actor, "pk", None):
        return None
    recipient = queries.recipient_of(actor, bulletin)
    if recipient is None:
        return None
    found = BulletinRead.objects.unscoped().filter(bulletin=bulletin, user=actor).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return BulletinRead.objects.unscoped().create(
                bulletin=bulletin,
                recipient=recipient,
                office_id=bulletin.office_id,
                user=actor,
                read_at=timezone.now(),
            )
    except IntegrityError:
        return BulletinRead.objects.unscoped().filter(bulletin=bulletin, user=actor).first()
