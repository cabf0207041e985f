"""Receivers that keep the roll-up counters in step, in the writing transaction
(`aggregates.py` says why a slice is recomputed rather than incremented).

pre_save reads the row's counted fields as stored (one query, only for an existing row);
post_save and post_delete refresh the slices the old and the new values fall in, only when
a counted field changed. Connected in `RollupConfig.ready()`."""

from django.db.models.signals import post_delete, post_save, pre_save

from dudao.rectification.models import Finding
from dudao.rectification.signals import findings_bulk_updated
from dudao.visits.models import Visit

from . import aggregates
from .aggregates import month_of

VISIT_FIELDS = ("school_id", "office_id", "visited_on", "status")
FINDING_FIELDS = (
    "office_id",
    "found_on",
    "deadline",
    "status",
    "is_overdue",
    "escalated_to",
    "closed_at",
)


def _stored(model, fields, instance):
    if instance.pk is None or instance._state.adding:
        return None
    return model.objects.unscoped().filter(pk=instance.pk).values_list(*fields).first()


def _values(instance, fields):
    return tuple(getattr(instance, name) for name in fields)


def _visit_slices(values):
    school_id, office_id, visited_on, _status = values
    if visited_on is None:
        return set(), set()
    month = month_of(visited_on)
    return {(school_id, month)}, {(office_id, month)}


def _finding_slices(values):
    office_id, found_on, deadline = values[:3]
    return {(office_id, month_of(found_on)), (office_id, month_of(deadline))}


def visit_pre_save(sender, instance, raw=False, **kwargs):
    if not raw:
        instance._rollup_before = _stored(Visit, VISIT_FIELDS, instance)


def visit_post_save(sender, instance, created, raw=False, **kwargs):
    if raw:  # loaddata (a JSON backup restored): the fixture carries its counters itself
        return
    before = getattr(instance, "_rollup_before", None)
    after = _values(instance, VISIT_FIELDS)
    if before == after or (before is None and after[3] != Visit.Status.SUBMITTED):
        return  # nothing counted changed (a draft saved again, a feedback letter…)
    schools, offices = _visit_slices(after)
    if before is not None:
        old_schools, old_offices = _visit_slices(before)
        schools |= old_schools
        offices |= old_offices
    aggregates.refresh(school_months=schools, office_months=offices, parts=("visits",))


def visit_post_delete(sender, instance, **kwargs):
    values = _values(instance, VISIT_FIELDS)
    if values[3] == Visit.Status.SUBMITTED:
        schools, offices = _visit_slices(values)
        aggregates.refresh(school_months=schools, office_months=offices, parts=("visits",))


def finding_pre_save(sender, instance, raw=False, **kwargs):
    if not raw:
        instance._rollup_before = _stored(Finding, FINDING_FIELDS, instance)


def finding_post_save(sender, instance, created, raw=False, **kwargs):
    if raw:  # loaddata (a JSON backup restored): the fixture carries its counters itself
        return
    before = getattr(instance, "_rollup_before", None)
    after = _values(instance, FINDING_FIELDS)
    if before == after:
        return
    slices = _finding_slices(after)
    if before is not None:
        slices |= _finding_slices(before)
    aggregates.refresh(office_months=slices, parts=("findings",))


def finding_post_delete(sender, instance, **kwargs):
    aggregates.refresh(
        office_months=_finding_slices(_values(instance, FINDING_FIELDS)), parts=("findings",)
    )


def findings_bulk(sender, pks, **kwargs):
    aggregates.refresh_findings(pks)


def connect():
    uid = "dudao.rollup"
    pre_save.connect(visit_pre_save, sender=Visit, dispatch_uid=f"{uid}.visit_pre")
    post_save.connect(visit_post_save, sender=Visit, dispatch_uid=f"{uid}.visit_post")
    post_delete.connect(visit_post_delete, sender=Visit, dispatch_uid=f"{uid}.visit_del")
    pre_save.connect(finding_pre_save, sender=Finding, dispatch_uid=f"{uid}.finding_pre")
    post_save.connect(finding_post_save, sender=Finding, dispatch_uid=f"{uid}.finding_post")
    post_delete.connect(finding_post_delete, sender=Finding, dispatch_uid=f"{uid}.finding_del")
    findings_bulk_updated.connect(findings_bulk, sender=Finding, dispatch_uid=f"{uid}.bulk")


def disconnect():
    """For the benchmark's "without the counters" figure only."""
    uid = "dudao.rollup"
    for signal, sender, name in (
        (pre_save, Visit, "visit_pre"),
        (post_save, Visit, "visit_post"),
        (post_delete, Visit, "visit_del"),
        (pre_save, Finding, "finding_pre"),
        (post_save, Finding, "finding_post"),
        (post_delete, Finding, "finding_del"),
        (findings_bulk_updated, Finding, "bulk"),
    ):
        signal.disconnect(sender=sender, dispatch_uid=f"{uid}.{name}")
