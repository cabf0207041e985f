"""Writing the audit log. Service functions call `record_create/update/delete` inside their
transaction, so a rolled-back change leaves no audit row either.

Every row keeps the request's origin (address, user agent: `middleware.current_origin`).
A write by the anonymous public (a complaint, a survey answer) runs inside
`without_origin()`, so its rows keep neither: the public's address must not be stored."""

import contextlib
import datetime
import decimal
import uuid

from django.db import models

from .middleware import _current_origin, current_origin
from .models import AuditEntry

Action = AuditEntry.Action


def plain(value):
    """A JSON-safe value for an audit or history row: model instances, dates, decimals and
    UUIDs as text, files as their stored name."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, (datetime.date, datetime.datetime, decimal.Decimal, uuid.UUID)):
        return str(value)
    if hasattr(value, "name") and hasattr(value, "storage"):  # file fields
        return value.name or ""
    return value


def snapshot(instance: models.Model) -> dict:
    """The instance's editable field values, as JSON-safe plain values."""
    data = {}
    for field in instance._meta.concrete_fields:
        if not field.editable or field.primary_key:
            continue
        if field.name in {"password", "last_login"}:
            continue
        data[field.name] = plain(getattr(instance, field.name))
    return data


def diff(before: dict, after: dict) -> dict:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


@contextlib.contextmanager
def without_origin():
    """Audit rows written inside the block keep no request origin (no address, no user
    agent), whatever request is being served: for writes by the anonymous public, whose
    address is never stored (docs/rules.md §25). Nests; the origin is back on exit, also
    after an exception. Only the origin changes: the language, the database connection and
    every other context value stay the caller's."""
    token = _current_origin.set((None, ""))
    try:
        yield
    finally:
        _current_origin.reset(token)


def _office_of(instance, actor):
    office_id = getattr(instance, "office_id", None)
    if office_id is None and actor is not None:
        office_id = getattr(actor, "office_id", None)
    return office_id


def record(actor, action, instance=None, changes=None, *, target_repr="", office_id=None):
    ip, user_agent = current_origin()
    return AuditEntry.objects.unscoped().create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=str(actor) if actor is not None else "",
        office_id=office_id if office_id is not None else _office_of(instance, actor),
        action=action,
        target_type=instance._meta.label if instance is not None else "",
        target_id=str(instance.pk) if instance is not None and instance.pk else "",
        target_repr=(target_repr or (str(instance) if instance is not None else ""))[:200],
        changes=changes or {},
        ip=ip,
        user_agent=user_agent,
    )


def record_create(actor, instance):
    return record(actor, Action.CREATE, instance, {"after": snapshot(instance)})


def record_update(actor, instance, before: dict):
    changes = diff(before, snapshot(instance))
    if changes:
        return record(actor, Action.UPDATE, instance, changes)
    return None


def record_delete(actor, instance):
    return record(actor, Action.DELETE, instance, {"before": snapshot(instance)})
