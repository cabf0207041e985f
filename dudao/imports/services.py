"""The import flow: upload → validate (preview) → confirm → apply; templates and exports.

Views and the bench script call these functions only. Validation and apply run inline for
small files and as django-tasks tasks (enqueued on commit) for files with more than
settings.IMPORT_INLINE_MAX_ROWS rows."""

import io
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts.models import User
from dudao.audit import services as audit
from dudao.core.errors import DomainError

from .models import ImportJob
from .rows import IMPORTERS, Importer
from .xlsx import FileError, build_workbook, check_size, estimate_rows, read_sheet

logger = logging.getLogger(__name__)
Status = ImportJob.Status
KINDS = tuple(IMPORTERS)


def importer_for(kind: str, office) -> Importer:
    if kind not in IMPORTERS:
        raise DomainError(_("Unknown import kind."))
    return IMPORTERS[kind](office)


# ---- templates and exports ----------------------------------------------------------------------


def template_bytes(kind: str, office) -> bytes:
    importer = importer_for(kind, office)
    return build_workbook(importer.columns, [], lists=importer.lists(), notes=importer.notes)


def export_bytes(kind: str, office, queryset) -> bytes:
    """The records of `queryset` in exactly the template layout (re-importable)."""
    importer = importer_for(kind, office)
    return build_workbook(
        importer.columns,
        importer.export_rows(queryset),
        lists=importer.lists(),
        notes=importer.notes,
    )


def filename(kind: str, suffix: str) -> str:
    names = {"schools": "学校", "inspectors": "督学", "assignments": "挂牌督导"}
    return f"{names.get(kind, kind)}{suffix}.xlsx"


# ---- upload and validation ----------------------------------------------------------------------


def create_job(actor, office, kind: str, upload) -> ImportJob:
    """Store the upload and validate it (inline when small, else in the background)."""
    importer_for(kind, office)
    job = ImportJob(
        office=office, kind=kind, created_by=actor, original_name=(upload.name or "")[-255:]
    )
    try:
        check_size(upload.size)
    except FileError as exc:
        job.status, job.file_error, job.finished_at = Status.INVALID, exc.message, timezone.now()
        job.save()
        return job
    job.file.save(upload.name or "import.xlsx", upload, save=False)
    job.save()
    rows = estimate_rows(_data(job))
    if rows is not None and rows <= settings.IMPORT_INLINE_MAX_ROWS:
        validate_job(job.pk)
        job.refresh_from_db()
    else:
        job.total_rows = rows or 0
        job.save(update_fields=["total_rows"])
        from .tasks import validate_import

        transaction.on_commit(lambda: validate_import.enqueue(job.pk))
        job.refresh_from_db()  # the immediate backend (tests, bench) has run it already
    return job


def _data(job: ImportJob) -> io.BytesIO:
    check_size(job.file.size)
    with job.file.open("rb") as fh:
        return io.BytesIO(fh.read())


def _progress(job_id):
    def report(n):
        ImportJob.objects.filter(pk=job_id).update(processed_rows=n)

    return report


def _read(job: ImportJob, importer: Importer):
    sheet = read_sheet(_data(job), importer.columns)
    job.total_rows = len(sheet.rows)
    return sheet


def _finish(job: ImportJob, status, **fields):
    job.status = status
    job.finished_at = timezone.now()
    for key, value in fields.items():
        setattr(job, key, value)
    job.save()


def _error_summary(plan) -> dict:
    return {"error_count": len(plan.errors), "truncated": plan.truncated}


def validate_job(job_id: int) -> ImportJob:
    job = ImportJob.objects.select_related("office__region").get(pk=job_id)
    if job.status != Status.VALIDATING:
        return job
    try:
        importer = importer_for(job.kind, job.office)
        try:
            sheet = _read(job, importer)
        except FileError as exc:
            _finish(job, Status.INVALID, file_error=exc.message)
            return job
        ImportJob.objects.filter(pk=job.pk).update(total_rows=job.total_rows, processed_rows=0)
        plan = importer.plan(sheet, _progress(job.pk))
        job.processed_rows = job.total_rows
        if plan.errors:
            _finish(job, Status.INVALID, errors=plan.errors, summary=_error_summary(plan))
        else:
            job.status = Status.PREVIEW
            job.summary = {**plan.counts, "preview": plan.preview}
            job.save()
    except Exception:
        logger.exception("import %s: validation failed", job_id)
        _finish(job, Status.FAILED, file_error=_("The file could not be checked (internal error)."))
    return job


# ---- confirm and apply --------------------------------------------------------------------------


def confirm_job(actor, job: ImportJob) -> bool:
    """Start applying a previewed job. False when it was already confirmed (a second click, a
    second tab): nothing happens then."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if job.status != Status.PREVIEW:
            return False
        job.status, job.processed_rows = Status.APPLYING, 0
        job.save(update_fields=["status", "processed_rows"])
        inline = job.total_rows <= settings.IMPORT_INLINE_MAX_ROWS
        if not inline:
            from .tasks import apply_import

            actor_id = actor.pk
            transaction.on_commit(lambda: apply_import.enqueue(job.pk, actor_id))
    if inline:
        apply_job(job.pk, actor.pk)
    return True


def apply_job(job_id: int, actor_id: int | None) -> ImportJob:
    """Re-read and re-validate the file (the data may have changed since the preview), then
    write everything in one transaction, or nothing."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    job = ImportJob.objects.select_related("office__region").get(pk=job_id)
    if job.status != Status.APPLYING:
        return job
    try:
        importer = importer_for(job.kind, job.office)
        try:
            sheet = _read(job, importer)
        except FileError as exc:
            _finish(job, Status.INVALID, file_error=exc.message)
            return job
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job_id)
            if locked.status != Status.APPLYING:
                return locked
            plan = importer.plan(sheet)
            if plan.errors:
                _finish(job, Status.INVALID, errors=plan.errors, summary=_error_summary(plan))
                return job
            counts = importer.apply(plan, actor)
            job.processed_rows = job.total_rows
            _finish(job, Status.DONE, summary=counts, errors=[])
            audit.record(
                actor,
                audit.Action.IMPORT,
                job,
                {"kind": job.kind, "file": job.original_name, "rows": job.total_rows, **counts},
                office_id=job.office_id,
            )
    except Exception:
        logger.exception("import %s: apply failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            file_error=_(
                "The import failed and nothing was changed. Try again or contact support."
            ),
        )
        job.refresh_from_db()
    return job
