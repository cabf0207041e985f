"""Writing notifications. Other apps call `notify` (usually from a transaction.on_commit hook,
so nobody is told about a change that was rolled back)."""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .messages import MESSAGES
from .models import Notification


def notify(recipients: Iterable, kind: str, params: dict | None = None, *, url: str) -> list:
    """Create one notification per distinct active recipient: the message `kind` (a key of
    messages.MESSAGES) with its JSON `params`, rendered in each reader's language when read,
    and `url`, the path of the object's own page (build it with reverse(); the page checks
    the reader's scope, so someone who has lost access gets a 404). E-mail copies go out in a
    background task when an SMTP server is configured (settings.NOTIFY_BY_EMAIL)."""
    if kind not in MESSAGES:
        raise ValueError(f"Unknown notification {kind!r}: add it to notifications.messages.")
    if not url.startswith("/") or url.startswith("//") or len(url) > 300:
        raise ValueError(f"A notification links to its object's page on this site, not {url!r}.")
    params = dict(params or {})
    seen, rows = set(), []
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, kind=kind, params=params, url=url))
    if not rows:
        return []
    with transaction.atomic():
        created = Notification.objects.unscoped().bulk_create(rows)
        if settings.NOTIFY_BY_EMAIL:
            from .tasks import email_notifications

            ids = [n.pk for n in created if n.pk is not None]
            if ids:
                transaction.on_commit(lambda: email_notifications.enqueue(ids))
    return created


def mark_read(user, notification_id: int) -> bool:
    """Mark one of the user's own notifications read; idempotent. False when not theirs."""
    updated = (
        Notification.objects.unscoped()
        .filter(pk=notification_id, recipient=user, read_at__isnull=True)
        .update(read_at=timezone.now())
    )
    return (
        updated > 0
        or Notification.objects.unscoped().filter(pk=notification_id, recipient=user).exists()
    )


def mark_all_read(user) -> int:
    return (
        Notification.objects.unscoped()
        .filter(recipient=user, read_at__isnull=True)
        .update(read_at=timezone.now())
    )


def unread_count(user) -> int:
    return Notification.objects.unscoped().filter(recipient=user, read_at__isnull=True).count()
