"""Creates that happen once (幂等): a form carries a one-time key (`OnceForm`), and the service
that creates passes it to `once()`. A double click, a resubmitted page after a dropped
connection or a retried API call finds the object the first submission made instead of making
a second one. The REST API's idempotency keys use the same table.

Keys are kept for `KEEP_DAYS` days (deleted by the daily job `delete_old_request_keys`)."""

import datetime
import uuid

from django import forms
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import DomainError
from .models import RequestKey

KEEP_DAYS = 7


def parse_key(key) -> uuid.UUID:
    try:
        return key if isinstance(key, uuid.UUID) else uuid.UUID(str(key))
    except ValueError as exc:
        raise DomainError(_("The form's identifier is invalid; reload the form.")) from exc


def once(actor, key, action: str, create, fetch):
    """`create()` once per (actor, action, key); a repeat returns `fetch(object_id)` of the
    first result. Without a key, `create()` runs every time.

    Call it inside the service's transaction. Two concurrent submissions both create inside a
    savepoint; the second one's key row waits on the unique index until the first commits,
    fails, and its savepoint (the second object with it) is rolled back."""
    if key is None or key == "":
        return create()
    key = parse_key(key)
    found = _found(actor, key, action)
    if found is not None:
        return fetch(found)
    try:
        with transaction.atomic():
            obj = create()
            RequestKey.objects.create(key=key, user=actor, action=action, object_id=obj.pk)
    except IntegrityError:
        found = _found(actor, key, action)
        if found is None:
            raise
        return fetch(found)
    return obj


def _found(actor, key, action):
    return (
        RequestKey.objects.filter(user=actor, action=action, key=key)
        .values_list("object_id", flat=True)
        .first()
    )


def delete_old_keys(now: datetime.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - datetime.timedelta(days=KEEP_DAYS)
    deleted, _counts = RequestKey.objects.filter(created_at__lt=cutoff).delete()
    return deleted


class OnceForm(forms.Form):
    """A mixin for create forms: a hidden one-time key, new each time the empty form is shown
    and posted back with it. Pass `form.cleaned_data["request_key"]` to the service."""

    request_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request_key"].initial = uuid.uuid4()
