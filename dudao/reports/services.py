"""Replacing a report's Word template. The uploaded file is rendered with sample data before
anything is saved: a file that is not a Word document, or whose tags docxtpl cannot render,
is refused with a clear message and changes nothing. Only an office admin, for its own office
(dudao/core/guards.py). The monthly reports' own words (highlights, suggestions):
`save_report_text`."""

import io
import zipfile

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from dudao.accounts.models import Role
from dudao.audit import services as audit
from dudao.core import guards
from dudao.core.errors import DomainError, StaleObject

from . import builders, exporter
from .models import MonthlyReportText, ReportKind, ReportTemplate

MAX_TEMPLATE_SIZE = 5 * 1024 * 1024


def templates_for(user):
    """The Word templates a user may see and replace: an office admin's own office's."""
    if user.role == Role.OFFICE_ADMIN and user.office_id and not user.is_superuser:
        return ReportTemplate.objects.filter(office_id=user.office_id)
    return ReportTemplate.objects.none()


def _check_actor(actor):
    guards.require_office_admin(
        actor,
        getattr(actor, "office_id", None),
        message=_("Only the office administrator may change report templates."),
    )


def _check_kind(kind):
    if kind not in ReportKind.values:
        raise DomainError(_("Unknown report."), field="kind")


def check_template(content: bytes, kind: str) -> None:
    """Raise DomainError unless `content` is a .docx docxtpl can render for `kind`."""
    if not content:
        raise DomainError(_("The file is empty."), field="file")
    if len(content) > MAX_TEMPLATE_SIZE:
        raise DomainError(_("The file is larger than 5 MB."), field="file")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise zipfile.BadZipFile
    except zipfile.BadZipFile as exc:
        raise DomainError(
            _("This is not a Word (.docx) document. Save the template as .docx and try again."),
            field="file",
        ) from exc
    try:
        exporter.to_docx(builders.sample(kind), io.BytesIO(content))
    except Exception as exc:  # docxtpl raises Jinja, XML and KeyError alike
        raise DomainError(
            _("The template cannot be filled in: %(error)s. Check its {{ }} and {%% %%} tags.")
            % {"error": str(exc)[:200] or exc.__class__.__name__},
            field="file",
        ) from exc


@transaction.atomic
def upload_template(actor, kind: str, uploaded_file) -> ReportTemplate:
    """Store the office's own Word template for `kind` (replacing an earlier one)."""
    _check_actor(actor)
    _check_kind(kind)
    if uploaded_file is None:
        raise DomainError(_("Choose a file."), field="file")
    name = getattr(uploaded_file, "name", "") or ""
    if not name.lower().endswith(".docx"):
        raise DomainError(_("Upload a .docx file."), field="file")
    if uploaded_file.size > MAX_TEMPLATE_SIZE:
        raise DomainError(_("The file is larger than 5 MB."), field="file")
    content = uploaded_file.read()
    check_template(content, kind)
    existing = templates_for(actor).select_for_update().filter(kind=kind).first()
    before = audit.snapshot(existing) if existing else None
    template = existing or ReportTemplate(office_id=actor.office_id, kind=kind)
    old = existing.file.name if existing and existing.file else ""
    template.uploaded_by = actor
    template.original_name = name[:200]
    template.file.save(f"{kind}.docx", ContentFile(content), save=False)
    template.save()
    if old and old != template.file.name:
        storage = template.file.storage
        transaction.on_commit(lambda: storage.delete(old))
    if before is None:
        audit.record_create(actor, template)
    else:
        audit.record_update(actor, template, before)
    return template


@transaction.atomic
def reset_template(actor, kind: str) -> bool:
    """Go back to the bundled default. False when the office had no template of its own."""
    _check_actor(actor)
    _check_kind(kind)
    existing = templates_for(actor).filter(kind=kind).first()
    if existing is None:
        return False
    audit.record_delete(actor, existing)
    stored = existing.file
    existing.delete()
    if stored:
        transaction.on_commit(lambda: stored.storage.delete(stored.name))
    return True


# --- the monthly reports' own words (docs/rules.md §14) -----------------------------------

TEXT_MAX = 5000  # characters of each text


def check_report_text_author(actor, office_id, inspector=None) -> None:
    """Who may edit a monthly report's own words: the office summary's, the office admin of
    that office; an inspector's report's, that inspector (or zone leader) themself or the
    office admin of the inspector's office."""
    if inspector is not None:
        own = guards.has_role(actor, Role.INSPECTOR, Role.ZONE_LEADER) and (
            getattr(actor, "inspector_id", None) == inspector.pk
        )
        if own:
            return
        guards.require_office_admin(
            actor,
            inspector.office_id,
            message=_("Only the inspector or the office administrator may edit this report."),
        )
        return
    guards.require_office_admin(
        actor, office_id, message=_("Only the office administrator may edit this summary.")
    )


@transaction.atomic
def save_report_text(
    actor,
    *,
    office,
    inspector=None,
    year: int,
    month: int,
    highlights: str = "",
    suggestions: str = "",
    expected_version: int | None = None,
) -> MonthlyReportText:
    """Store the highlights (工作亮点) and supervision suggestions (督导建议) of the office's
    summary (no `inspector`) or of `inspector`'s report for the month; an empty text gives
    the draft back. Audited; a save that changes nothing writes nothing."""
    guards.require_person(actor)
    office_id = getattr(office, "pk", office)
    if inspector is not None:
        office_id = inspector.office_id
    check_report_text_author(actor, office_id, inspector)
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        raise DomainError(_("Choose a valid month."), field="month")
    highlights, suggestions = (text.strip() for text in (highlights or "", suggestions or ""))
    for name, text in (("highlights", highlights), ("suggestions", suggestions)):
        if len(text) > TEXT_MAX:
            raise DomainError(
                _("Keep the text under %(count)s characters.") % {"count": TEXT_MAX}, field=name
            )
    row = (
        MonthlyReportText.objects.unscoped()
        .select_for_update()
        .filter(office_id=office_id, inspector=inspector, year=year, month=month)
        .first()
    )
    if row is None:
        row = MonthlyReportText.objects.unscoped().create(
            office_id=office_id,
            inspector=inspector,
            year=year,
            month=month,
            highlights=highlights,
            suggestions=suggestions,
            updated_by=actor,
        )
        audit.record_create(actor, row)
        return row
    if expected_version is not None and row.version != expected_version:
        raise StaleObject(_("Someone else changed this report's text; reload it and try again."))
    before = audit.snapshot(row)
    row.highlights, row.suggestions = highlights, suggestions
    if not audit.diff(before, audit.snapshot(row)):
        return row
    row.version += 1
    row.updated_by = actor
    row.save()
    audit.record_update(actor, row, before)
    return row
