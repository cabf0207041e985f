"""Personal and per-device API tokens (docs/api.md). A token acts as its user, with the
user's scope and role: it grants nothing the user could not do on the pages. Only the
SHA-256 of the secret is stored; the secret is shown once, when the token is created.
Written only by `dudao.api.services`."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.core.scopes import ScopedManager


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    # The user's office when the token was made: the office admin lists its office's tokens.
    office = models.ForeignKey(
        "organisations.Office",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("supervision office"),
    )
    name = models.CharField(_("device or purpose"), max_length=80)
    # The first characters of the secret, shown in lists so a user can tell tokens apart.
    prefix = models.CharField(_("starts with"), max_length=16)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [
            models.Index(fields=["user", "-created_at"]),
            models.Index(fields=["office", "-created_at"]),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
