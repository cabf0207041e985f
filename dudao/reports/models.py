"""Replaceable Word templates: an office may upload its own house variant of a report's
template (masthead, fonts, wording around the tags); without one the bundled default in
`docx_templates/` is used. The monthly reports' own words (highlights, suggestions) that
their writers edit before download (`MonthlyReportText`). Exports too large to build in a
request, built by a task for the user who asked (`ExportJob`)."""

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dudao.core.scopes import ScopedManager


class ReportKind(models.TextChoices):
    NOTICE = "notice", _("Rectification notice")  # 整改通知书
    INSPECTOR_MONTHLY = "inspector_monthly", _("Inspector's monthly report")  # 督学月报
    OFFICE_MONTHLY = "office_monthly", _("Office monthly summary")  # 督导室月度汇总
    VISIT_FEEDBACK = "visit_feedback", _("Supervision feedback letter")  # 书面反馈意见书
    CAMPAIGN_REPORT = "campaign_report", _("Campaign report")  # 专项督导报告
    CAMPAIGN_BULLETIN = "campaign_bulletin", _("Campaign bulletin")  # 专项督导情况通报
    EVALUATION_REPORT = "evaluation_report", _("Evaluation report")  # 督导评估报告/反馈意见书
    EVALUATION_SUMMARY = "evaluation_summary", _("Evaluation summary report")  # 评估总结报告
    EVALUATION_BULLETIN = "evaluation_bulletin", _("Evaluation bulletin")  # 督导评估结果通报
    # The office's own documents (dudao/bulletins): one template per kind, each with the 版头.
    BULLETIN = "bulletin", _("Bulletin")  # 通报
    BULLETIN_NOTICE = "bulletin_notice", _("Notice")  # 通知
    BRIEFING = "briefing", _("Briefing")  # 简报
    WORK_SUMMARY = "work_summary", _("Half-year or annual work summary")  # 工作总结


def template_path(instance, filename: str) -> str:
    return f"report_templates/{instance.office_id}/{instance.kind}.docx"


class ReportTemplate(models.Model):
    office = models.ForeignKey(
        "organisations.Office", on_delete=models.CASCADE, related_name="report_templates"
    )
    kind = models.CharField(_("report"), max_length=20, choices=ReportKind.choices)
    file = models.FileField(_("template file"), upload_to=template_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)

    class Meta:
        verbose_name = _("report template")
        verbose_name_plural = _("report templates")
        constraints = [
            models.UniqueConstraint(fields=["office", "kind"], name="report_template_unique")
        ]

    def __str__(self):
        return f"{self.office}: {self.get_kind_display()}"


class MonthlyReportText(models.Model):
    """The writer's own words in a monthly report (docs/rules.md §14): 二、工作亮点 and
    四、督导建议, drafted from the records and edited on the reports page before download.
    One row per office and month for the office's summary (no inspector), one per inspector
    and month for the inspector's report. An empty text means "use the draft". Written by
    `services.save_report_text` only."""

    office = models.ForeignKey("organisations.Office", on_delete=models.CASCADE, related_name="+")
    inspector = models.ForeignKey(
        "inspectors.Inspector",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    highlights = models.TextField(_("highlights"), blank=True)
    suggestions = models.TextField(_("supervision suggestions"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()

    class Meta:
        default_manager_name = "all_objects"
        verbose_name = _("monthly report text")
        verbose_name_plural = _("monthly report texts")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "month"],
                condition=models.Q(inspector__isnull=True),
                name="report_text_office_month_unique",
            ),
            models.UniqueConstraint(
                fields=["inspector", "year", "month"],
                condition=models.Q(inspector__isnull=False),
                name="report_text_inspector_month_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="report_text_month_valid"
            ),
        ]

    def __str__(self):
        whose = self.inspector or self.office
        return f"{whose} {self.year}-{self.month:02d}"


def export_path(instance, filename: str) -> str:
    """Stored under a random name: the file is served only through its job's page."""
    extension = filename.rsplit(".", 1)[-1] if "." in filename else instance.format
    return f"exports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class ExportJob(models.Model):
    """A report export built in the background (docs/architecture.md §6): a ledger too large
    for a request (more than settings.EXPORT_INLINE_ROWS rows). The task builds it again as
    `requested_by`, through the same `exporter.export`, so the file holds exactly what that
    user may see; only that user opens the job and its file (`scoping.export_jobs_for`).
    Files are deleted settings.EXPORT_KEEP_DAYS days after the request, with the job.
    Written by `services.request_export` and `services.run_export` only."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Rendering")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    PENDING = (Status.QUEUED, Status.RUNNING)

    office = models.ForeignKey(
        "organisations.Office", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    report = models.CharField(_("report"), max_length=40)  # a name of exporter.REGISTRY
    format = models.CharField(max_length=10)
    params = models.JSONField(default=dict, blank=True)  # the report's query parameters
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to=export_path, max_length=200, blank=True)
    filename = models.CharField(max_length=200, blank=True)  # the download's name
    row_count = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        indexes = [
            models.Index(fields=["requested_by", "status"]),
            models.Index(fields=["created_at"]),
        ]

    def __str__(self):
        return self.filename or f"{self.report}.{self.format}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def expires_at(self) -> datetime.datetime:
        return self.created_at + datetime.timedelta(days=settings.EXPORT_KEEP_DAYS)
