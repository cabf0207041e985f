"""Replacing a report's Word template. The uploaded file is rendered with sample data before
anything is saved: a file that is not a Word document, or whose tags docxtpl cannot render,
is refused with a clear message and changes nothing. Only an office admin, for its own office
(dudao/core/guards.py). The monthly reports' own words (highlights, suggestions):
`save_report_text`. Exports too large for a request: `request_export` queues one,
`run_export` (the task) builds it as the user who asked, `delete_expired_exports` (daily)."""

import datetime
import io
import logging
import zipfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts.models import Role, User
from dudao.audit import services as audit
from dudao.core import guards
from dudao.core.db_routers import reads_from_replica
from dudao.core.errors import DomainError, StaleObject
from dudao.core.system import MissingSystemPackage
from dudao.notifications.services import notify
from dudao.rectification.ledger import LedgerFilterForm

from . import builders, exporter
from .models import ExportJob, MonthlyReportText, ReportKind, ReportTemplate

logger = logging.getLogger(__name__)

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


# --- exports built in the background (ExportJob, docs/architecture.md §6) ------------------

LEDGER_ROLES = (Role.OFFICE_ADMIN, Role.ZONE_LEADER, Role.INSPECTOR, Role.VIEWER)
# The reports that may be exported in the background: who may ask, and the query parameters
# the report reads (anything else in the query string is dropped, so the same filter is the
# same job).
BACKGROUND_REPORTS = {
    "ledger": (LEDGER_ROLES, tuple(LedgerFilterForm.base_fields)),
}
# A pending job older than this is not reused (its worker may have died): a new one is queued.
REUSE_PENDING_FOR = datetime.timedelta(hours=1)
MAX_PENDING = 3  # exports one user may have queued or building at once


def export_params(report: str, query) -> dict:
    """The report's own parameters of `query` (a QueryDict or a dict), non-empty, sorted."""
    _roles, keys = BACKGROUND_REPORTS[report]
    return {key: str(query.get(key)) for key in sorted(keys) if query.get(key) not in (None, "")}


def export_query(params: dict) -> QueryDict:
    """The parameters again as the request's GET, for the report's filter form."""
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query[key] = value
    return query


def check_export_reader(actor, report: str) -> None:
    """Who may have `report` exported in the background: a person with one of its roles (the
    superuser acts through no service, dudao/core/guards.py)."""
    if report not in BACKGROUND_REPORTS:
        raise DomainError(_("Unknown report."), field="report")
    guards.require_person(actor)
    guards.require_role(
        actor,
        *BACKGROUND_REPORTS[report][0],
        message=_("Your role cannot export this report in the background. Narrow the filter."),
    )


@transaction.atomic
def request_export(actor, report: str, fmt: str, query, *, rows: int = 0) -> ExportJob:
    """Queue `report` in `fmt` with the report's parameters of `query` (the ledger's filter)
    for `actor`, or give back the actor's job for the same export that is still queued or
    building (a reload, a double click). `rows` is what the request counted. The task
    builds it after commit."""
    check_export_reader(actor, report)
    if fmt not in exporter.REGISTRY[report].formats:
        raise DomainError(_("This report cannot be exported in that format."), field="format")
    params = export_params(report, query)
    # One request of this user at a time decides whether its export is new.
    User.objects.select_for_update().filter(pk=actor.pk).first()
    pending = list(
        ExportJob.objects.unscoped().filter(
            requested_by=actor,
            status__in=ExportJob.PENDING,
            created_at__gte=timezone.now() - REUSE_PENDING_FOR,
        )
    )
    for job in pending:
        if (job.report, job.format, job.params) == (report, fmt, params):
            return job
    if len(pending) >= MAX_PENDING:
        raise DomainError(
            _(
                "You already have %(count)s exports being built. Wait for one of them to "
                "finish, then try again."
            )
            % {"count": len(pending)}
        )
    job = ExportJob.objects.unscoped().create(
        office_id=actor.office_id,
        requested_by=actor,
        report=report,
        format=fmt,
        params=params,
        row_count=rows,
    )
    audit.record_create(actor, job)
    from .tasks import build_export

    transaction.on_commit(lambda: build_export.enqueue(job.pk))
    return job


def _fail(job: ExportJob, message: str) -> ExportJob:
    job.status = ExportJob.Status.FAILED
    job.error = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "error", "finished_at"])
    return job


def run_export(job_id: int) -> ExportJob:
    """The task's work: build the job's report again as the user who asked (fetched again:
    the file holds what that user may see now, through the same `exporter.export` as a
    download), store it, mark the job done and tell the user; on any failure mark it failed
    with a message, and store and send nothing. A retried or duplicate task does nothing."""
    claimed = (
        ExportJob.objects.unscoped()
        .filter(pk=job_id, status=ExportJob.Status.QUEUED)
        .update(status=ExportJob.Status.RUNNING)
    )
    job = ExportJob.objects.unscoped().get(pk=job_id)
    if not claimed:
        return job
    user = User.objects.filter(pk=job.requested_by_id).first()
    try:
        check_export_reader(user, job.report)
        with reads_from_replica():  # heavy and read-only (docs/scaling.md)
            result = exporter.export(job.report, job.format, user, export_query(job.params))
    except DomainError as refused:
        return _fail(job, refused.message)
    except MissingSystemPackage as missing:
        return _fail(job, str(missing))
    except Exception:
        logger.exception("export %s: the build failed", job_id)
        return _fail(
            job,
            _("The export could not be built. Try again; if it fails again, tell the office."),
        )
    with transaction.atomic():
        job.file.save(result.filename, ContentFile(result.content), save=False)
        job.filename = result.filename
        job.row_count = result.rows
        job.status = ExportJob.Status.DONE
        job.error = ""
        job.finished_at = timezone.now()
        job.save(update_fields=["file", "filename", "row_count", "status", "error", "finished_at"])
        stem = result.filename.rsplit(".", 1)[0]
        url = reverse("reports:export_job", args=[job.pk])
        transaction.on_commit(lambda: notify([user], "export.ready", {"report": stem}, url=url))
    return job


def delete_expired_exports(now: datetime.datetime | None = None) -> int:
    """Daily: delete the jobs asked for more than settings.EXPORT_KEEP_DAYS days ago, with
    their files (after commit). Returns how many jobs went."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.EXPORT_KEEP_DAYS)
    with transaction.atomic():
        expired = ExportJob.objects.unscoped().filter(created_at__lt=cutoff)
        files = [name for name in expired.values_list("file", flat=True) if name]
        count, _deleted = expired.delete()
        storage = ExportJob._meta.get_field("file").storage
        for name in files:
            transaction.on_commit(lambda name=name: storage.delete(name))
    return count
