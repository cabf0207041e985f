"""Background signboard batches: request one (idempotent while one is pending), render it in
a task, serve the file. Who may ask (dudao/core/guards.py): the office admin for the county or
one of its zones, a zone leader for a zone they lead."""

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.audit import services as audit
from dudao.core import guards

from . import boards
from .models import SignboardBatch

# A batch asked for again within this time, with nothing changed, is the same batch.
REUSE_FOR = datetime.timedelta(minutes=10)


def batch_schools_for(user, zone=None):
    schools = scoping.schools_for(user)
    if zone is not None:
        schools = schools.filter(zone=zone)
    return boards.batch_schools(schools)


@transaction.atomic
def request_batch(actor, *, zone=None, title: str) -> SignboardBatch:
    """Queue a batch of the actor's schools (a zone's, or the whole county's). A double click
    or a reload finds the pending or fresh batch instead of rendering twice."""
    guards.require_person(actor)  # the batch is rendered with the schools its asker may see
    if zone is None:
        guards.require_office_admin(actor, actor.office_id)
    else:
        guards.require_role(actor, Role.OFFICE_ADMIN, Role.ZONE_LEADER)
        guards.require_in_scope(actor, zone)
    recent = (
        SignboardBatch.objects.unscoped()
        .select_for_update()
        .filter(office_id=actor.office_id, zone=zone, created_at__gte=timezone.now() - REUSE_FOR)
        .exclude(status=SignboardBatch.Status.FAILED)
        .first()
    )
    if recent is not None:
        return recent
    batch = SignboardBatch.objects.unscoped().create(
        office_id=actor.office_id,
        zone=zone,
        title=title,
        created_by=actor,
        school_count=batch_schools_for(actor, zone).count(),
    )
    audit.record_create(actor, batch)
    from .tasks import render_batch

    transaction.on_commit(lambda: render_batch.enqueue(batch.pk))
    return batch


def render(batch_id: int) -> SignboardBatch:
    batch = SignboardBatch.objects.unscoped().select_related("created_by", "zone").get(pk=batch_id)
    if batch.finished:
        return batch  # a retried task does nothing
    SignboardBatch.objects.unscoped().filter(pk=batch.pk).update(
        status=SignboardBatch.Status.RUNNING
    )
    try:
        boards.ensure_cjk_font()
        schools = batch_schools_for(batch.created_by, batch.zone)
        pdf = boards.render_pdf(boards.build_boards(schools), title=batch.title)
        batch.file.save(boards.pdf_filename(batch.title), ContentFile(pdf), save=False)
        batch.status = SignboardBatch.Status.DONE
    except Exception as exc:  # the page shows why; the worker log has the trace
        batch.status = SignboardBatch.Status.FAILED
        batch.error = str(exc)
    batch.finished_at = timezone.now()
    batch.save(update_fields=["file", "status", "error", "finished_at"])
    return batch
