from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone, translation
from django_tasks import task

from .messages import recipient_language
from .models import Notification


@task()
def email_notifications(notification_ids: list[int]) -> int:
    """Send the e-mail copies of notifications, outside any request, each in its recipient's
    language. Idempotent: a notification already e-mailed (emailed_at set) is skipped, so a
    retried task never sends twice."""
    sent = 0
    pending = (
        Notification.objects.unscoped()
        .filter(pk__in=notification_ids, emailed_at__isnull=True)
        .select_related("recipient")
    )
    for notification in pending:
        address = notification.recipient.email
        if not address:
            continue
        link = settings.PUBLIC_BASE_URL.rstrip("/") + notification.url if notification.url else ""
        with translation.override(recipient_language(notification.recipient)):
            subject, text = notification.title, notification.body
        body = "\n\n".join(part for part in (text, link) if part)
        send_mail(subject, body, None, [address])
        Notification.objects.unscoped().filter(pk=notification.pk, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        sent += 1
    return sent
