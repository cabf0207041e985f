"""Supervision evaluation (督导评估, and 督政 for governments): indicator frameworks (指标体系)
in revisions, and rounds (评估轮次) that score targets (schools, kindergartens, township and
county governments) against one revision: self-assessment (自评) with evidence, expert
scoring (专家评分) and other rater groups (上评、下评、互评), review (审核) and the published
result. The arithmetic is `dudao.evaluations.engine` (pure; also the offline
`dudao evaluation score`), described in docs/evaluation.md; the rules in docs/rules.md §24.

A framework is kept in revisions like a checklist: a round keeps the revision it started
with, and editing a published framework makes a new revision. Built-in frameworks (office
empty) ship as data (`dudao/evaluations/builtin/*.csv`); offices copy and edit them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dudao.core.files import StoredFile
from dudao.core.history import HistoryRecord
from dudao.core.models import ChoiceLabels
from dudao.core.revisions import RevisionedModel, revision_constraints
from dudao.core.scopes import ScopedManager

SCORE_DIGITS = {"max_digits": 9, "decimal_places": 2}


class TargetKind(models.TextChoices):
    """What a framework scores (and so which targets a round may take)."""

    SCHOOL = "school", _("Schools")  # 学校 (primary, secondary, ...)
    KINDERGARTEN = "kindergarten", _("Kindergartens")  # 幼儿园
    GOVERNMENT = "government", _("County government and departments")  # 督政: 县政府及部门
    TOWNSHIP = "township", _("Township governments")  # 乡镇（街道）


class Method(models.TextChoices):
    """How a leaf indicator is scored (docs/evaluation.md)."""

    POINTS = "points", _("Points within the maximum")  # 赋分
    LEVELS = "levels", _("Levels")  # 等级 (A/B/C/D, each a share of the maximum)
    YESNO = "yesno", _("Yes or no")  # 是/否
    FORMULA = "formula", _("Formula on entered numbers")  # 公式
    VETO = "veto", _("Veto")  # 一票否决


class RaterGroup(models.TextChoices):
    SELF = "self", _("Self-assessment")  # 自评
    EXPERT = "expert", _("Experts")  # 专家评分
    PEER = "peer", _("Peers")  # 互评
    ABOVE = "above", _("From above")  # 上评
    BELOW = "below", _("From below")  # 下评


class Framework(RevisionedModel):
    """An indicator framework (指标体系) in one revision (dudao.core.revisions: key, revision,
    status, based_on…)."""

    # Empty: a built-in framework, shipped with Dudao and read by every office.
    office = models.ForeignKey(
        "organisations.Office",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="frameworks",
        verbose_name=_("supervision office"),
    )
    kind = models.CharField(
        _("scores"), max_length=12, choices=TargetKind.choices, default=TargetKind.SCHOOL
    )
    # The sum of the top-level maxima, kept by the services whenever indicators change.
    total_max = models.DecimalField(_("total points"), default=0, **SCORE_DIGITS)

    class Meta(RevisionedModel.Meta):
        verbose_name = _("indicator framework")
        verbose_name_plural = _("indicator frameworks")
        constraints = revision_constraints("framework")


class Indicator(ChoiceLabels, models.Model):
    """One indicator (指标) of a framework: a node of the tree (A/B/C levels); leaves carry a
    scoring method. Reached through its framework (no scope of its own)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="indicators")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    position = models.PositiveIntegerField(_("order"))  # depth-first order in the framework
    depth = models.PositiveSmallIntegerField(_("level"), default=0)  # 0: A level
    code = models.CharField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    max_score = models.DecimalField(_("maximum score"), **SCORE_DIGITS)
    method = models.CharField(
        _("scoring method"), max_length=10, choices=Method.choices, blank=True
    )
    # Levels as [["A", "1"], ["B", "0.8"], ...]: letter and share of the maximum (strings).
    levels = models.JSONField(_("levels"), default=list, blank=True)
    formula = models.CharField(_("formula"), max_length=300, blank=True)
    guide = models.TextField(_("scoring guide"), blank=True)  # 评分细则
    evidence = models.TextField(_("expected evidence"), blank=True)  # 佐证材料

    class Meta:
        ordering = ["framework", "position"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="indicator_code_once"),
            models.UniqueConstraint(
                fields=["framework", "position"], name="indicator_position_once"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def is_leaf(self) -> bool:
        return bool(self.method)


class FrameworkEvent(HistoryRecord):
    """One line of a framework's history (draft → published → retired)."""

    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="events")

    class Meta(HistoryRecord.Meta):
        verbose_name = _("framework event")
        verbose_name_plural = _("framework events")
        indexes = [models.Index(fields=["framework", "at"])]


class Round(ChoiceLabels, models.Model):
    """An evaluation round (评估轮次): targets scored against one framework revision through
    the stages self-assessment → expert scoring → review → published."""

    class Stage(models.TextChoices):
        DRAFT = "draft", _("In preparation")  # 准备
        SELF_ASSESSMENT = "self_assessment", _("Self-assessment")  # 自评
        EXPERT_SCORING = "expert_scoring", _("Expert scoring")  # 专家评分
        REVIEW = "review", _("Review")  # 审核
        PUBLISHED = "published", _("Published")  # 公布

    office = models.ForeignKey(
        "organisations.Office",
        on_delete=models.PROTECT,
        related_name="evaluation_rounds",
        verbose_name=_("supervision office"),
    )
    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="rounds", verbose_name=_("framework")
    )
    title = models.CharField(_("title"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    legal_basis = models.CharField(_("legal basis"), max_length=100, blank=True)  # 文号
    description = models.TextField(_("description"), blank=True)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.DRAFT)
    self_due = models.DateField(_("self-assessment due"), null=True, blank=True)
    expert_due = models.DateField(_("expert scoring due"), null=True, blank=True)
    review_due = models.DateField(_("review due"), null=True, blank=True)
    # {"expert": "0.6", "self": "0.2", "peer": "0.2"}; empty: equal weights.
    weights = models.JSONField(_("rater group weights"), default=dict, blank=True)
    # [["优秀", "90"], ["良好", "80"], ["合格", "60"]]: percentages of the total maximum.
    grades = models.JSONField(_("grades"), default=list, blank=True)
    # The lowest grade that passes (合格): below it a target's problems go to rectification
    # instead of the site visit.
    pass_grade = models.CharField(_("pass grade"), max_length=20, blank=True)
    # Share of a leaf's maximum by which raters may differ before it is flagged.
    disagreement = models.DecimalField(
        _("disagreement threshold"), max_digits=4, decimal_places=2, default="0.30"
    )
    # 合格+订单: each target adds its own indicators (from its three-year plan).
    own_indicators = models.BooleanField(_("targets add their own indicators"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-year", "-created_at", "pk"]
        verbose_name = _("evaluation round")
        verbose_name_plural = _("evaluation rounds")
        indexes = [models.Index(fields=["office", "stage"])]

    def __str__(self):
        return self.title


class RoundTarget(models.Model):
    """One target of a round: a school or kindergarten of the registry, or a government unit
    (督政). Its result (total, grade, veto) is stored when the round is published, so later
    rounds can be compared with it."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="targets")
    office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="+"
    )  # the round's office, for scopes
    school = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluation_targets",
    )
    unit = models.ForeignKey(
        "organisations.GovernmentUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluation_targets",
    )
    position = models.PositiveIntegerField(_("order"), default=0)
    self_submitted_at = models.DateTimeField(_("self-assessment submitted"), null=True, blank=True)
    self_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    self_summary = models.TextField(_("self-assessment summary"), blank=True)
    # The result, stored on publication (published rounds only).
    total = models.DecimalField(_("total"), null=True, blank=True, **SCORE_DIGITS)
    max_total = models.DecimalField(_("maximum"), null=True, blank=True, **SCORE_DIGITS)
    grade = models.CharField(_("grade"), max_length=20, blank=True)
    vetoed = models.BooleanField(_("vetoed"), default=False)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    scores = models.JSONField(_("indicator scores"), default=dict, blank=True)  # code → "12.50"
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["round", "position", "pk"]
        verbose_name = _("evaluation target")
        verbose_name_plural = _("evaluation targets")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "school"],
                condition=Q(school__isnull=False),
                name="round_school_once",
            ),
            models.UniqueConstraint(
                fields=["round", "unit"], condition=Q(unit__isnull=False), name="round_unit_once"
            ),
            models.CheckConstraint(
                condition=Q(school__isnull=False, unit__isnull=True)
                | Q(school__isnull=True, unit__isnull=False),
                name="round_target_school_or_unit",
            ),
        ]
        indexes = [models.Index(fields=["school", "round"]), models.Index(fields=["unit", "round"])]

    def __str__(self):
        return f"{self.round} · {self.name}"

    @property
    def name(self) -> str:
        return str(self.school or self.unit)


class OwnIndicator(models.Model):
    """合格+订单: an indicator a target adds from its own three-year plan, scored like a leaf
    of the framework; its maximum is its weight in points, added to the target's maximum."""

    target = models.ForeignKey(RoundTarget, on_delete=models.CASCADE, related_name="own_indicators")
    position = models.PositiveSmallIntegerField(_("order"))
    code = models.CharField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=300)
    max_score = models.DecimalField(_("weight (points)"), **SCORE_DIGITS)
    method = models.CharField(
        _("scoring method"), max_length=10, choices=Method.choices, default=Method.POINTS
    )
    levels = models.JSONField(_("levels"), default=list, blank=True)
    guide = models.TextField(_("scoring guide"), blank=True)

    class Meta:
        ordering = ["target", "position"]
        verbose_name = _("own indicator")
        verbose_name_plural = _("own indicators")
        constraints = [
            models.UniqueConstraint(fields=["target", "code"], name="own_indicator_code_once")
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class Rater(models.Model):
    """Who scores in a round, in which group: an expert on every target or on one, on every
    indicator or on some (codes of indicators; their descendants included). The target's own
    self-assessment needs no row: the school's accounts (or the office for a government unit)
    self-assess."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="raters")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evaluation_raters"
    )
    group = models.CharField(_("rater group"), max_length=8, choices=RaterGroup.choices)
    # Empty: every target of the round.
    target = models.ForeignKey(
        RoundTarget, null=True, blank=True, on_delete=models.CASCADE, related_name="raters"
    )
    # Empty: every indicator; else codes whose subtrees this rater scores.
    indicator_codes = models.JSONField(_("indicators"), default=list, blank=True)

    class Meta:
        ordering = ["round", "group", "pk"]
        verbose_name = _("rater")
        verbose_name_plural = _("raters")
        constraints = [
            models.UniqueConstraint(fields=["round", "user", "group", "target"], name="rater_once"),
            models.UniqueConstraint(
                fields=["round", "user", "group"],
                condition=Q(target__isnull=True),
                name="rater_all_targets_once",
            ),
        ]
        indexes = [models.Index(fields=["user", "round"])]

    def __str__(self):
        return f"{self.user} · {self.group}"


class Score(models.Model):
    """One rater's score of one leaf indicator (of the framework or the target's own) at one
    target, with a comment. One row per rater: two experts scoring the same target at once
    write different rows. Reached through its target (no scope of its own)."""

    target = models.ForeignKey(RoundTarget, on_delete=models.CASCADE, related_name="scores_given")
    code = models.CharField(_("indicator"), max_length=40)
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    group = models.CharField(_("rater group"), max_length=8, choices=RaterGroup.choices)
    # As the engine reads it: a number, a level letter, "yes"/"no", or "x=3;y=4" for a formula.
    value = models.CharField(_("score"), max_length=200)
    comment = models.TextField(_("comment"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["target", "code", "group", "rater"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["target", "code", "rater", "group"], name="score_once")
        ]

    def __str__(self):
        return f"{self.target} · {self.code} · {self.value}"


class Evidence(StoredFile):
    """A file the target attaches to an indicator (佐证材料)."""

    UPLOAD_DIR = "evaluations"

    target = models.ForeignKey(RoundTarget, on_delete=models.CASCADE, related_name="evidence")
    code = models.CharField(_("indicator"), max_length=40)

    class Meta(StoredFile.Meta):
        verbose_name = _("evaluation evidence")
        verbose_name_plural = _("evaluation evidence")
        constraints = [
            models.UniqueConstraint(fields=["target", "code", "sha256"], name="evidence_once")
        ]
        indexes = [models.Index(fields=["target", "code"])]


class RoundEvent(HistoryRecord):
    """One line of a round's history (its stages)."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="events")

    class Meta(HistoryRecord.Meta):
        verbose_name = _("evaluation round event")
        verbose_name_plural = _("evaluation round events")
        indexes = [models.Index(fields=["round", "at"])]


class EvaluationReportText(models.Model):
    """The office's own words in a round's documents (issue 13 §6), drafted from the results
    and edited before export: for the round (no target) 主要成绩, the narrative of 存在问题 and
    下一步工作 of the summary report and the bulletin (通报); for one target 主要成绩, the
    narrative of 存在问题 and 督导意见（整改要求） of its report (督导评估报告/反馈意见书). The
    figures are never edited. One row per round (or target) and section; an empty text means
    "use the draft". Reached through its round (no scope of its own). Written by
    `dudao.evaluations.report.save_report_text` only."""

    class Section(models.TextChoices):
        ACHIEVEMENTS = "achievements", _("Main achievements")  # 主要成绩
        PROBLEMS = "problems", _("Problems")  # 存在问题 (the narrative beside the figures)
        OPINIONS = "opinions", _("Supervision opinions")  # 督导意见（整改要求）: a target's
        NEXT_STEPS = "next_steps", _("Next steps")  # 下一步工作: the round's

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="report_texts")
    # Empty: the round's summary report and bulletin; else that target's report.
    target = models.ForeignKey(
        RoundTarget, null=True, blank=True, on_delete=models.CASCADE, related_name="report_texts"
    )
    section = models.CharField(_("section"), max_length=12, choices=Section.choices)
    text = models.TextField(_("text"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("evaluation report text")
        verbose_name_plural = _("evaluation report texts")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "section"],
                condition=Q(target__isnull=True),
                name="evaluation_round_text_once",
            ),
            models.UniqueConstraint(
                fields=["target", "section"],
                condition=Q(target__isnull=False),
                name="evaluation_target_text_once",
            ),
        ]

    def __str__(self):
        return f"{self.round} · {self.target or ''} · {self.section}"


class RoundReminder(models.Model):
    """A reminder sent before a stage's deadline (docs/rules.md §24): one row per round,
    stage, deadline, recipient and days before, so the daily job
    (`round_notifications.send_stage_reminders`) never sends one twice — a rerun the same day
    or the next finds the row; a changed deadline is reminded of again. Reached through its
    round (no scope of its own)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="reminders")
    stage = models.CharField(max_length=16, choices=Round.Stage.choices)
    due = models.DateField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation reminder")
        verbose_name_plural = _("evaluation reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "stage", "due", "recipient", "days_before"],
                name="round_reminder_once",
            )
        ]

    def __str__(self):
        return f"{self.round} · {self.stage} · {self.recipient} · {self.days_before}"
