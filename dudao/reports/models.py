"""Replaceable Word templates: an office may upload its own house variant of a report's
template (masthead, fonts, wording around the tags); without one the bundled default in
`docx_templates/` is used. The monthly reports' own words (highlights, suggestions) that
their writers edit before download (`MonthlyReportText`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.core.scopes import ScopedManager


class ReportKind(models.TextChoices):
    NOTICE = "notice", _("Rectification notice")  # 整改通知书
    INSPECTOR_MONTHLY = "inspector_monthly", _("Inspector's monthly report")  # 督学月报
    OFFICE_MONTHLY = "office_monthly", _("Office monthly summary")  # 督导室月度汇总
    VISIT_FEEDBACK = "visit_feedback", _("Supervision feedback letter")  # 书面反馈意见书


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
