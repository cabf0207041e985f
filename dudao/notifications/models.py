"""In-app notifications (消息提醒): the bell with the unread count, and the list behind it.

A notification is a message key and parameters (see `messages.MESSAGES`), rendered in the
reader's language when it is read, and the link to the page of the object it is about."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dudao.core.scopes import ScopedManager

from .messages import MESSAGES, render


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    # The message key ("finding.created", "finding.overdue", ...): a key of messages.MESSAGES.
    kind = models.CharField(pgettext_lazy("notification", "kind"), max_length=60)
    # The values of the message's placeholders (plain JSON: names, numbers, users' text).
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    # The path of the object's own page, built with reverse() when the notification is written.
    url = models.CharField(_("link"), max_length=300, blank=True)
    # Text stored by rows written before message keys existed (in Chinese); empty on new rows,
    # which are rendered from `kind` and `params` instead.
    legacy_title = models.CharField(_("title"), max_length=200, blank=True)
    legacy_body = models.TextField(_("message"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # The bell counts unread per user on every page: keep it an index-only lookup.
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_recent"),
        ]

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        """The title in the active language (the reader's)."""
        if self.legacy_title:
            return self.legacy_title
        message = MESSAGES.get(self.kind)
        return render(message.title, self.params) if message else self.kind

    @property
    def body(self) -> str:
        if self.legacy_title:
            return self.legacy_body
        message = MESSAGES.get(self.kind)
        return render(message.body, self.params) if message else ""

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
