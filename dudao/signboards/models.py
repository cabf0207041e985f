"""A batch of signboards (公示牌) rendered in the background: a county has hundreds of
schools and WeasyPrint needs about 0.07 s a page, too long for a request."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.core.scopes import ScopedManager


class SignboardBatch(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    office = models.ForeignKey(
        "organisations.Office", on_delete=models.CASCADE, related_name="signboard_batches"
    )
    zone = models.ForeignKey(
        "inspectors.Zone", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    school_count = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="signboards/%Y/%m", max_length=200, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["office", "zone", "status"])]

    def __str__(self):
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
