"""Replaceable Word templates: an office may upload its own house variant of a report's
template (masthead, fonts, wording around the tags); without one the bundled default in
`docx_templates/` is used."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
