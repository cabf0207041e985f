"""Special supervision campaigns (专项督导): a checklist run at a set of schools by teams of
inspectors between two dates — 开学工作督查, "双减" and "五项管理", school safety, dropout
control, private kindergartens, 双随机 spot checks (docs/rules.md, "Special supervision
campaigns"). Writes go through `dudao.campaigns.services`; only `dudao.campaigns.workflow`
assigns a status."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dudao.core.files import StoredFile
from dudao.core.history import HistoryRecord
from dudao.core.models import ChoiceLabels
from dudao.core.scopes import ScopedManager


class TargetRule(models.TextChoices):
    """How a campaign's schools (督查对象) are chosen."""

    SCHOOL_TYPES = "types", _("All schools of chosen types")
    ZONE = "zone", _("The schools of a zone")
    LIST = "list", _("A hand-picked list")
    RECHECK = "recheck", _("Schools with open findings from an earlier campaign")  # 回头看
    RANDOM = "random", _("A random sample (双随机)")


class Campaign(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")  # being prepared: targets, teams, the draw
        RUNNING = "running", _("Running")  # teams check their schools
        CLOSED = "closed", pgettext_lazy("campaign", "Closed")  # checking ended; results, report
        PUBLISHED = "published", _("Published")  # results public (一公开), schools see theirs
        CANCELLED = "cancelled", _("Cancelled")

    office = models.ForeignKey(
        "organisations.Office",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("supervision office"),
    )
    title = models.CharField(_("title"), max_length=200)
    theme = models.CharField(_("theme"), max_length=100, blank=True)  # "双减", "开学", …
    # The notice that ordered it (文号), e.g. 临教督〔2021〕5号.
    legal_basis = models.CharField(_("legal basis"), max_length=200, blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    # The published checklist revision the campaign runs, kept for its whole life.
    checklist = models.ForeignKey(
        "checklists.ChecklistTemplate",
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("checklist"),
    )
    # 四不两直: the schools see nothing of it until their own check has happened.
    unannounced = models.BooleanField(_("unannounced (四不两直)"), default=False)
    target_rule = models.CharField(
        _("targets"), max_length=10, choices=TargetRule.choices, default=TargetRule.LIST
    )
    # The rule's parameters: {"school_types": [...]}, {"zone": id}, {"campaign": id},
    # {"count": n} or {"percent": p}, {"strata": "zone" | "type"}.
    target_params = models.JSONField(_("target parameters"), default=dict, blank=True)
    team_size = models.PositiveSmallIntegerField(_("inspectors per school"), default=0)
    # Random teams never send a school its own responsible inspector.
    exclude_own = models.BooleanField(_("not the school's own inspector"), default=False)
    # The 双随机 draw, public once the campaign is published (一公开).
    draw_seed = models.CharField(_("draw seed"), max_length=64, blank=True)
    draw_method = models.TextField(_("draw method"), blank=True)
    drawn_at = models.DateTimeField(_("drawn at"), null=True, blank=True)
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [models.Index(fields=["office", "status", "-starts_on"])]

    def __str__(self):
        return self.title


class CampaignEvent(HistoryRecord):
    """One line of a campaign's history, written by `dudao.campaigns.workflow`."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="events")

    class Meta(HistoryRecord.Meta):
        verbose_name = _("campaign event")
        verbose_name_plural = _("campaign events")
        indexes = [models.Index(fields=["campaign", "at"])]


class CampaignTeam(models.Model):
    """A team (督查组) of inspectors, who need not be the schools' responsible inspectors."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("name"), max_length=100)  # 第一组
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["campaign", "position", "pk"]
        verbose_name = _("campaign team")
        verbose_name_plural = _("campaign teams")

    def __str__(self):
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(CampaignTeam, on_delete=models.CASCADE, related_name="members")
    inspector = models.ForeignKey(
        "inspectors.Inspector", on_delete=models.PROTECT, related_name="campaign_memberships"
    )
    is_leader = models.BooleanField(_("team leader"), default=False)  # 组长

    class Meta:
        ordering = ["team", "-is_leader", "pk"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["team", "inspector"], name="team_member_once")
        ]

    def __str__(self):
        return f"{self.team}: {self.inspector}"


class CampaignTarget(ChoiceLabels, models.Model):
    """One school in a campaign (督查对象) and its check."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not yet checked")
        IN_PROGRESS = "in_progress", _("Being checked")  # answers saved as a draft
        SUBMITTED = "submitted", _("Checked")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="targets")
    office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="+"
    )  # the campaign's office, for scopes
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="campaign_targets"
    )
    team = models.ForeignKey(
        CampaignTeam, null=True, blank=True, on_delete=models.SET_NULL, related_name="targets"
    )
    position = models.PositiveIntegerField(_("order"), default=0)  # the draw's order
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    # When the team was at the school: an unannounced campaign shows itself to the school
    # from then on.
    visited_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)  # highlights and problems seen
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["campaign", "position", "pk"]
        verbose_name = _("campaign target")
        verbose_name_plural = _("campaign targets")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "school"], name="campaign_school_once")
        ]
        indexes = [
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["school", "campaign"]),
        ]

    def __str__(self):
        return f"{self.campaign} · {self.school}"


class Answer(models.Model):
    """The answer to one checklist item at one target."""

    target = models.ForeignKey(CampaignTarget, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey(
        "checklists.ChecklistItem", on_delete=models.PROTECT, related_name="campaign_answers"
    )
    value = models.JSONField(_("answer"), null=True, blank=True)
    # `ChecklistItem.assess(value)` when saved: None when the item is not assessed.
    compliant = models.BooleanField(_("compliant"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    # The finding raised from a non-compliant answer (one tap), linked both ways.
    finding = models.ForeignKey(
        "rectification.Finding",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaign_answers",
    )
    # The phone's id for the answer: a repeated save finds the same row.
    client_uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["target", "item__position"]
        verbose_name = _("campaign answer")
        verbose_name_plural = _("campaign answers")
        constraints = [models.UniqueConstraint(fields=["target", "item"], name="answer_once")]
        indexes = [models.Index(fields=["item", "compliant"])]

    def __str__(self):
        return f"{self.target} · {self.item.code}"


class AnswerEvidence(StoredFile):
    UPLOAD_DIR = "campaigns"

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="evidence")

    class Meta(StoredFile.Meta):
        verbose_name = _("campaign evidence")
        verbose_name_plural = _("campaign evidence")
        constraints = [
            models.UniqueConstraint(fields=["answer", "sha256"], name="answer_evidence_once")
        ]


class CampaignTargetEvent(HistoryRecord):
    """One line of a target's check history (pending → in progress → checked), written by
    `dudao.campaigns.target_workflow`: its own table, so a campaign's history replays the
    campaign's status alone."""

    target = models.ForeignKey(CampaignTarget, on_delete=models.PROTECT, related_name="events")

    class Meta(HistoryRecord.Meta):
        verbose_name = _("campaign target event")
        verbose_name_plural = _("campaign target events")
        indexes = [models.Index(fields=["target", "at"])]


class CampaignReportText(models.Model):
    """The office's own words in the campaign report (专项督导报告, issue 12 §6): 二、工作亮点,
    the narrative of 三、存在问题 and 四、督导建议, drafted from the results and edited before
    export. One row per campaign and section; an empty text means "use the draft". Reached
    through its campaign (no scope of its own). Written by
    `dudao.campaigns.report.save_report_text` only."""

    class Section(models.TextChoices):
        HIGHLIGHTS = "highlights", _("Highlights")  # 工作亮点
        PROBLEMS = "problems", _("Problems")  # 存在问题 (the narrative beside the figures)
        SUGGESTIONS = "suggestions", _("Supervision suggestions")  # 督导建议

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="report_texts")
    section = models.CharField(_("section"), max_length=12, choices=Section.choices)
    text = models.TextField(_("text"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("campaign report text")
        verbose_name_plural = _("campaign report texts")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "section"], name="campaign_report_text_once"
            )
        ]

    def __str__(self):
        return f"{self.campaign} · {self.section}"
