"""The office's own words in a half-year or annual work summary (工作总结, issue 15 §4,
docs/rules.md §30): 二、主要做法, the narrative of 三、工作成效, 四、存在问题 and 五、下一步打算,
drafted from the records and edited before export. One row per summary (office, zone or
inspector, first and last day) and section; an empty text means "use the draft". Written by
`dudao.summaries.services.save_summary_text` only."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.core.scopes import ScopedManager


class SummarySection(models.TextChoices):
    PRACTICES = "practices", _("Main practices")  # 主要做法
    RESULTS = "results", _("Results of the work")  # 工作成效 (the narrative beside the figures)
    PROBLEMS = "problems", _("Problems")  # 存在问题
    PLANS = "plans", _("Next steps")  # 下一步打算


class SummaryText(models.Model):
    office = models.ForeignKey("organisations.Office", on_delete=models.CASCADE, related_name="+")
    zone = models.ForeignKey(
        "inspectors.Zone", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    inspector = models.ForeignKey(
        "inspectors.Inspector", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    first = models.DateField(_("from"))
    last = models.DateField(_("until"))
    section = models.CharField(_("section"), max_length=12, choices=SummarySection.choices)
    text = models.TextField(_("text"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()

    class Meta:
        default_manager_name = "all_objects"
        verbose_name = _("summary text")
        verbose_name_plural = _("summary texts")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "first", "last", "section"],
                condition=models.Q(zone__isnull=True, inspector__isnull=True),
                name="summary_text_office_once",
            ),
            models.UniqueConstraint(
                fields=["zone", "first", "last", "section"],
                condition=models.Q(zone__isnull=False),
                name="summary_text_zone_once",
            ),
            models.UniqueConstraint(
                fields=["inspector", "first", "last", "section"],
                condition=models.Q(inspector__isnull=False),
                name="summary_text_inspector_once",
            ),
        ]
        indexes = [models.Index(fields=["office", "first", "last"])]

    def __str__(self):
        return f"{self.office_id} {self.first}–{self.last} · {self.section}"
