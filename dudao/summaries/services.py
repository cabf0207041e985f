"""Writes of the work summaries: the office's own words (`SummaryText`), docs/rules.md §30."""

from django.db import transaction
from django.utils.translation import gettext as _

from dudao.audit import services as audit
from dudao.core import guards
from dudao.core.errors import DomainError, StaleObject
from dudao.organisations.models import Office

from .figures import Subject
from .models import SummarySection, SummaryText
from .periods import Period

TEXT_MAX = 5000  # characters of one section


def stale() -> StaleObject:
    return StaleObject(_("Someone else changed this summary's text; reload it and try again."))


@transaction.atomic
def save_summary_text(
    actor,
    subject: Subject,
    period: Period,
    section: str,
    text: str,
    expected_version: int | None = None,
) -> SummaryText | None:
    """Store the office's text of one section of a summary (主要做法, 工作成效, 存在问题 or
    下一步打算); an empty text gives the draft back. The office admin of the subject's office.
    Audited; a save that changes nothing writes nothing; `expected_version` (0: none saved
    yet) refuses a save over someone else's newer text. The office row is locked, so two
    first saves of one section meet one after the other."""
    guards.require_person(actor)
    guards.require_office_admin(actor, subject.office)
    Office.objects.select_for_update().get(pk=subject.office.pk)
    if section not in SummarySection.values:
        raise DomainError(_("Choose a section of the summary."), field="section")
    text = (text or "").replace("\r\n", "\n").strip()
    if len(text) > TEXT_MAX:
        raise DomainError(
            _("Keep the text under %(count)s characters.") % {"count": TEXT_MAX}, field="text"
        )
    key = {
        "office": subject.office,
        "zone": subject.zone,
        "inspector": subject.inspector,
        "first": period.first,
        "last": period.last,
        "section": section,
    }
    row = SummaryText.objects.unscoped().select_for_update().filter(**key).first()
    if row is None:
        if expected_version:
            raise stale()
        if not text:
            return None  # the draft, and nothing saved: nothing to write
        row = SummaryText.objects.unscoped().create(**key, text=text, updated_by=actor)
        audit.record_create(actor, row)
        return row
    if expected_version is not None and row.version != expected_version:
        raise stale()
    before = audit.snapshot(row)
    row.text = text
    if not audit.diff(before, audit.snapshot(row)):
        return row
    row.version += 1
    row.updated_by = actor
    row.save()
    audit.record_update(actor, row, before)
    return row
