"""Checklists (检查表): sections of items that a special supervision campaign (专项督导) checks
at each school and that a periodic return (报送) asks schools to fill in (docs/rules.md,
"Special supervision campaigns"). A checklist is kept in revisions: a campaign or a return
runs the revision it started with, and editing a published checklist makes a new revision.
Built-in checklists (office empty) ship with Dudao as data (`dudao/checklists/builtin/`);
offices copy and edit them."""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.core.history import HistoryRecord
from dudao.core.models import ChoiceLabels
from dudao.core.revisions import RevisionedModel, revision_constraints
from dudao.core.supervision_items import ITEM_CHOICES, item_validators


class AnswerType(models.TextChoices):
    YES_NO = "yes_no", _("Yes or no")  # 是/否
    LEVEL = "level", _("Level")  # 等级 (好/较好/一般/差)
    NUMBER = "number", _("Number")  # 数值, with a unit and an optional standard
    CHOICE = "choice", _("Choice")  # 单选
    TEXT = "text", _("Free text")  # 文字
    PHOTO = "photo", _("Photo")  # 照片


class Purpose(models.TextChoices):
    CAMPAIGN = "campaign", _("Special supervision")  # 专项督导
    RETURN = "return", _("Periodic return")  # 定期报送


class ChecklistTemplate(RevisionedModel):
    """A checklist in one revision (dudao.core.revisions: key, revision, status, based_on…)."""

    # Empty: a built-in checklist, shipped with Dudao and read by every office.
    office = models.ForeignKey(
        "organisations.Office",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="checklists",
        verbose_name=_("supervision office"),
    )
    purpose = models.CharField(
        _("used for"), max_length=10, choices=Purpose.choices, default=Purpose.CAMPAIGN
    )

    class Meta(RevisionedModel.Meta):
        verbose_name = _("checklist")
        verbose_name_plural = _("checklists")
        constraints = revision_constraints("checklist")


class ChecklistSection(models.Model):
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("title"), max_length=200)

    class Meta:
        ordering = ["template", "position"]
        verbose_name = _("checklist section")
        verbose_name_plural = _("checklist sections")
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="section_position_once")
        ]

    def __str__(self):
        return self.title


class ChecklistItem(ChoiceLabels, models.Model):
    """One question of a checklist, with what counts as compliant (达标)."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    section = models.ForeignKey(ChecklistSection, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("order"))
    code = models.CharField(_("code"), max_length=20)  # "2.3", unique in its checklist
    question = models.TextField(_("question"))
    answer_type = models.CharField(_("answer type"), max_length=10, choices=AnswerType.choices)
    # The options of a level or a choice, in order (["好", "较好", "一般", "差"]).
    choices = models.JSONField(_("options"), default=list, blank=True)
    # The options that count as compliant; for yes/no [true] or [false]. Empty: not assessed.
    compliant = models.JSONField(_("compliant answers"), default=list, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    # A number is compliant within [standard_min, standard_max] (either may be open).
    standard_min = models.DecimalField(
        _("standard: at least"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    standard_max = models.DecimalField(
        _("standard: at most"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    # SchoolType values the item applies to; empty: every type.
    school_types = models.JSONField(_("school types"), default=list, blank=True)
    guidance = models.TextField(_("how to check"), blank=True)  # 检查要点/方法
    # The ledger's supervision item (督导事项) of a finding raised from this item.
    supervision_item = models.PositiveSmallIntegerField(
        _("supervision item"),
        choices=ITEM_CHOICES,
        validators=item_validators,
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["template", "position"]
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="item_code_once"),
            models.UniqueConstraint(fields=["template", "position"], name="item_position_once"),
        ]

    def __str__(self):
        return f"{self.code} {self.question[:40]}"

    def applies_to(self, school_type: str) -> bool:
        return not self.school_types or school_type in self.school_types

    def assess(self, value) -> bool | None:
        """Whether an answer is compliant (达标): None when the item is not assessed (free
        text, a photo, no rule) or not answered."""
        if value is None or value == "":
            return None
        if self.answer_type == AnswerType.NUMBER:
            if self.standard_min is None and self.standard_max is None:
                return None
            try:
                number = Decimal(str(value))
            except ArithmeticError:
                return None
            if self.standard_min is not None and number < self.standard_min:
                return False
            return not (self.standard_max is not None and number > self.standard_max)
        if self.answer_type in (AnswerType.TEXT, AnswerType.PHOTO) or not self.compliant:
            return None
        return value in self.compliant


class ChecklistEvent(HistoryRecord):
    """One line of a checklist revision's history (draft → published → retired), written by
    the workflow engine (`dudao.checklists.workflow`)."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.PROTECT, related_name="events")

    class Meta(HistoryRecord.Meta):
        verbose_name = _("checklist event")
        verbose_name_plural = _("checklist events")
        indexes = [models.Index(fields=["template", "at"])]
