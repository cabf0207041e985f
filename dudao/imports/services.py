"""The import flow for every kind: upload → validate (preview) → confirm → apply; templates and
exports.

Views, other apps (monitoring's resource import) and the bench script call these functions
only. Validation and apply run inline for small files and as django-tasks tasks (enqueued on
commit) for files with more than settings.IMPORT_INLINE_MAX_ROWS rows or more than
settings.IMPORT_INLINE_MAX_BYTES of XML (or CSV) to parse: the request itself reads only the
archive's directory of a larger file (a zip bomb is refused there, before anything is
unpacked), and the reading limits of dudao/core/spreadsheets.py bound what the worker reads.

Progress: `processed_rows` of `total_rows` moves while the file is checked (saved on the job
row) and while it is applied. The apply runs in one transaction (all or nothing), so its
progress cannot be seen on the job row by other connections until the end: it is published in
the cache (`live_progress`; with the task worker in another process, configure a shared cache)
and to the functions in `PROGRESS_LISTENERS` (job, done, total).

Who: the office admin of the job's office uploads, confirms and applies (dudao/core/guards.py);
the background apply acts as the admin who confirmed and checks them again, so an account
deactivated meanwhile imports nothing (the job says why)."""

import io
import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts.models import User
from dudao.audit import services as audit
from dudao.core import guards
from dudao.core.errors import DomainError, NotPermitted
from dudao.core.spreadsheets import (
    SheetError,
    build_workbook,
    estimate_rows,
    read_cost,
    workbook_bytes,
)

from .importers import IMPORTERS, Importer
from .importers.base import FileError, check_size
from .models import ImportJob

logger = logging.getLogger(__name__)
Status = ImportJob.Status
KINDS = tuple(IMPORTERS)
PROGRESS_LISTENERS: list = []  # callables (job, done, total), e.g. a test's recorder


def listed_kinds() -> tuple[str, ...]:
    """The kinds with a card on the imports page."""
    return tuple(kind for kind, cls in IMPORTERS.items() if cls.listed)


def importer_for(kind: str, office, params: dict | None = None) -> Importer:
    if kind not in IMPORTERS:
        raise DomainError(_("Unknown import kind."))
    return IMPORTERS[kind](office, params)


# ---- templates and exports ----------------------------------------------------------------------


def template_bytes(kind: str, office, params: dict | None = None) -> bytes:
    importer = importer_for(kind, office, params)
    return workbook_bytes(
        build_workbook(importer.columns, [], lists=importer.lists(), notes=importer.notes)
    )


def export_bytes(kind: str, office, queryset, params: dict | None = None) -> bytes:
    """The records of `queryset` in exactly the template layout (re-importable)."""
    importer = importer_for(kind, office, params)
    return workbook_bytes(
        build_workbook(
            importer.columns,
            importer.export_rows(queryset),
            lists=importer.lists(),
            notes=importer.notes,
        )
    )


def filename(kind: str, suffix: str) -> str:
    cls = IMPORTERS.get(kind)
    return f"{cls.filename if cls else kind}{suffix}.xlsx"


# ---- progress -----------------------------------------------------------------------------------


def _cache_key(job_id) -> str:
    return f"imports:progress:{job_id}"


def live_progress(job: ImportJob) -> ImportJob:
    """The job with the progress of a running apply (published in the cache) filled in."""
    if job.status == Status.APPLYING:
        done = cache.get(_cache_key(job.pk))
        if done is not None:
            job.processed_rows = done
    return job


def _reporter(job: ImportJob, *, save: bool):
    """progress(done, of=None): `done` rows of the job's total, or of `of` when the importer
    counts something else (e.g. the rows to write), scaled to the job's total."""

    def report(done, of=None):
        total = job.total_rows
        if of:
            done = round(done * total / of) if total else done
        done = min(done, total) if total else done
        job.processed_rows = done
        if save:
            ImportJob.objects.unscoped().filter(pk=job.pk).update(processed_rows=done)
        cache.set(_cache_key(job.pk), done, 3600)
        for listener in PROGRESS_LISTENERS:
            listener(job, done, total)

    return report


# ---- upload and validation ----------------------------------------------------------------------


def create_job(actor, office, kind: str, upload, params: dict | None = None) -> ImportJob:
    """Store the upload and validate it (inline when small, else in the background)."""
    guards.require_office_admin(actor, office)
    guards.require_person(actor)  # the job records who uploaded it
    importer_for(kind, office, params)
    job = ImportJob(
        office=office,
        kind=kind,
        params=params or {},
        created_by=actor,
        original_name=(upload.name or "")[-255:],
    )
    try:
        check_size(upload.size)
    except FileError as exc:
        job.status, job.file_error, job.finished_at = Status.INVALID, exc.message, timezone.now()
        job.save()
        return job
    job.file.save(upload.name or "import.xlsx", upload, save=False)
    job.save()
    try:
        rows = _inline_rows(_data(job))
    except SheetError as exc:  # refused by its archive (a zip bomb): nothing is unpacked
        _finish(job, Status.INVALID, file_error=exc.message)
        return job
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


def _inline_rows(data) -> int | None:
    """What the request may read itself: the number of rows of a file whose parts to parse
    are at most IMPORT_INLINE_MAX_BYTES unpacked (counted without reading any value, whatever
    the sheet's <dimension> says); None for a larger file, read by the task worker. Only the
    archive's directory is read first (SheetError when it is refused)."""
    if read_cost(data) > settings.IMPORT_INLINE_MAX_BYTES:
        return None
    return estimate_rows(data)


def _data(job: ImportJob) -> io.BytesIO:
    check_size(job.file.size)
    with job.file.open("rb") as fh:
        return io.BytesIO(fh.read())


def _read(job: ImportJob, importer: Importer):
    sheet = importer.read(_data(job), job.original_name)
    job.total_rows = len(sheet.rows)
    return sheet


def _finish(job: ImportJob, status, **fields):
    job.status = status
    job.finished_at = timezone.now()
    for key, value in fields.items():
        setattr(job, key, value)
    job.save()
    cache.delete(_cache_key(job.pk))


def _error_summary(plan) -> dict:
    return {"error_count": len(plan.errors), "truncated": plan.truncated}


def validate_job(job_id: int) -> ImportJob:
    job = ImportJob.objects.unscoped().select_related("office__region").get(pk=job_id)
    if job.status != Status.VALIDATING:
        return job
    try:
        importer = importer_for(job.kind, job.office, job.params)
        try:
            sheet = _read(job, importer)
        except FileError as exc:
            _finish(job, Status.INVALID, file_error=exc.message)
            return job
        ImportJob.objects.unscoped().filter(pk=job.pk).update(
            total_rows=job.total_rows, processed_rows=0
        )
        plan = importer.plan(sheet, _reporter(job, save=True))
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
    second tab) or cannot be: nothing happens then."""
    with transaction.atomic():
        job = ImportJob.objects.unscoped().select_for_update().get(pk=job.pk)
        guards.require_office_admin(actor, job.office_id)
        guards.require_person(actor)  # the apply acts as this person, by id
        if job.status != Status.PREVIEW:
            return False
        job.status, job.processed_rows = Status.APPLYING, 0
        job.save(update_fields=["status", "processed_rows"])
        inline = job.total_rows <= settings.IMPORT_INLINE_MAX_ROWS and _small(job)
        if not inline:
            from .tasks import apply_import

            actor_id = actor.pk
            transaction.on_commit(lambda: apply_import.enqueue(job.pk, actor_id))
    if inline:
        apply_job(job.pk, actor.pk)
    return True


def _small(job: ImportJob) -> bool:
    """Whether the job's file may be read again inside a request (see `_inline_rows`)."""
    try:
        return read_cost(_data(job)) <= settings.IMPORT_INLINE_MAX_BYTES
    except (SheetError, OSError, ValueError):  # ValueError: no file at all
        return False  # the worker finds out and says why


def apply_job(job_id: int, actor_id: int | None) -> ImportJob:
    """Re-read and re-validate the file (the data may have changed since the preview), then
    write everything in one transaction, or nothing. A row refused while it is written (a
    service's check) rolls the whole import back and is shown as the row's error."""
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    job = ImportJob.objects.unscoped().select_related("office__region").get(pk=job_id)
    if job.status != Status.APPLYING:
        return job
    try:
        guards.require_office_admin(actor, job.office_id)
    except NotPermitted as refused:
        _finish(job, Status.INVALID, file_error=refused.message)
        return job
    try:
        importer = importer_for(job.kind, job.office, job.params)
        try:
            sheet = _read(job, importer)
        except FileError as exc:
            _finish(job, Status.INVALID, file_error=exc.message)
            return job
        try:
            with transaction.atomic():
                locked = ImportJob.objects.unscoped().select_for_update().get(pk=job_id)
                if locked.status != Status.APPLYING:
                    return locked
                plan = importer.plan(sheet)
                if plan.errors:
                    raise _Refused(plan.errors, _error_summary(plan))
                report = _reporter(job, save=False)
                report(0)
                counts = importer.apply(plan, actor, report)
                report(job.total_rows)
                _finish(job, Status.DONE, summary=counts, errors=[])
                audit.record(
                    actor,
                    audit.Action.IMPORT,
                    job,
                    {"kind": job.kind, "file": job.original_name, "rows": job.total_rows, **counts},
                    office_id=job.office_id,
                )
        except _Refused as refused:
            _finish(job, Status.INVALID, errors=refused.errors, summary=refused.summary)
        except DomainError as exc:  # a row refused by a service while writing
            row = getattr(exc, "row", None)
            column = importer.headers.get(exc.field, "") if exc.field else ""
            errors = [{"row": row, "column": column, "message": exc.message}]
            _finish(job, Status.INVALID, errors=errors, summary={"error_count": 1})
    except Exception:
        logger.exception("import %s: apply failed", job_id)
        ImportJob.objects.unscoped().filter(pk=job_id).update(
            status=Status.FAILED,
            finished_at=timezone.now(),
            file_error=_(
                "The import failed and nothing was changed. Try again or contact support."
            ),
        )
        cache.delete(_cache_key(job_id))
        job.refresh_from_db()
    return job


class _Refused(Exception):
    def __init__(self, errors, summary):
        super().__init__("refused")
        self.errors, self.summary = errors, summary
