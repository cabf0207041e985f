"""Spreadsheet imports (导入): one uploaded file, validated into a preview, then applied at once.

One job model for every kind (schools, inspectors, assignments, school resources, and the
imports to come): the kind names an importer in `dudao.imports.importers`, `params` holds what
the kind needs besides the file (e.g. the year of school resources), and the progress
(`processed_rows` of `total_rows`) moves while the file is checked and while it is applied."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dudao.core.scopes import ScopedManager


class ImportJob(models.Model):
    class Status(models.TextChoices):
        VALIDATING = "validating", _("Validating")
        PREVIEW = "preview", _("Ready to import")
        INVALID = "invalid", _("Has errors")
        APPLYING = "applying", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    RUNNING = (Status.VALIDATING, Status.APPLYING)

    office = models.ForeignKey(
        "organisations.Office", on_delete=models.CASCADE, related_name="import_jobs"
    )
    # a key of importers.IMPORTERS
    kind = models.CharField(pgettext_lazy("import", "kind"), max_length=30)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.VALIDATING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    file_error = models.TextField(_("file error"), blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["office", "-created_at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.original_name}"[:200]

    def get_absolute_url(self):
        importer = self.importer()
        return importer.detail_url(self) if importer else reverse("imports:job", args=[self.pk])

    def importer(self):
        from .importers import importer_class

        cls = importer_class(self.kind)
        return cls(self.office, self.params) if cls else None

    def get_kind_display(self) -> str:
        from .importers import importer_class

        cls = importer_class(self.kind)
        return str(cls.label) if cls else self.kind

    @property
    def year(self):
        return self.params.get("year")

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0 if self.is_running else 100
        return min(100, round(100 * self.processed_rows / self.total_rows))
