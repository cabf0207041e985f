"""Rectification (整改): findings (问题), notices (整改通知书), the school's responses, follow-up
checks (回访/复查), the finding's history and accountability cases (问责).

A finding's `status` says where the workflow is; escalation (`escalated_to`, `severity`) and
lateness (`is_overdue`) are kept beside it, so being escalated or overdue never erases the
workflow position. Every status change goes through `dudao.rectification.workflow`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dudao.core.files import StoredFile
from dudao.core.history import HistoryRecord
from dudao.core.models import ChoiceLabels
from dudao.core.scopes import ScopedManager
from dudao.core.supervision_items import ITEM_CHOICES, item_validators


class Severity(models.TextChoices):
    GENERAL = "general", _("General problem")  # 一般问题
    KEY = "key", _("Key problem")  # 重点问题 (also set by escalation after urgings)
    DIFFICULT = "difficult", _("Difficult problem")  # 难点问题 (needs another department)
    SERIOUS = "serious", _("Serious violation")  # 严重违规 / 重大事件


class FindingStatus(models.TextChoices):
    OPEN = "open", _("Open")
    NOTICE_ISSUED = "notice_issued", _("Notice issued")
    RESPONDED = "responded", _("Responded")
    URGED = "urged", _("Urged")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


# The one definition of "still being dealt with" (the ledger's "not closed"): the workflow,
# the ledger, the overdue check, the dashboards, the reports and the visit pages use these.
ACTIVE_STATUSES = (
    FindingStatus.OPEN,
    FindingStatus.NOTICE_ISSUED,
    FindingStatus.RESPONDED,
    FindingStatus.URGED,
)
TERMINAL_STATUSES = (FindingStatus.CLOSED, FindingStatus.WITHDRAWN)


class Escalation(models.TextChoices):
    """Where a finding has been reported (上报), beside its status (docs/rules.md §11-§13):
    the county office, then the city's, then the province's supervision office."""

    NONE = "none", _("Not escalated")
    COUNTY = "county", _("County office")
    CITY = "city", pgettext_lazy("escalation", "City")
    PROVINCE = "province", pgettext_lazy("escalation", "Province")


class RectificationRules(models.Model):
    """The office's rectification rule set (docs/rules.md §10-§11: numbers are data). An office
    without a row uses the defaults below (`rules_for`)."""

    office = models.OneToOneField(
        "organisations.Office", on_delete=models.CASCADE, related_name="rectification_rules"
    )
    # Urgings (督促) of both kinds count: a rejected follow-up and a missed deadline (§11).
    escalate_after_urgings = models.PositiveSmallIntegerField(
        _("escalate after this many urgings"),
        default=2,
        help_text=_("A problem still unfixed after two or more urgings becomes a key problem."),
    )
    # After an urging the school has this many days to respond (our convention, §10).
    urge_response_days = models.PositiveSmallIntegerField(
        _("days to respond after an urging"),
        default=10,
        help_text=_(
            "After an urging (a missed deadline or a rejected follow-up) the school has this "
            "many days to respond before it is urged again."
        ),
    )
    notice_number_format = models.CharField(
        _("notice number format"),
        max_length=60,
        default="{prefix}整〔{year}〕{number}号",
        help_text=_("{prefix} is the office's document prefix, e.g. 清督整〔2026〕12号."),
    )
    source = models.CharField(_("source"), max_length=200, blank=True, default="docs/rules.md §11")

    class Meta:
        verbose_name = _("rectification rules")
        verbose_name_plural = _("rectification rules")

    def __str__(self):
        return f"{self.office}"


def rules_for(office_id) -> RectificationRules:
    rules = RectificationRules.objects.filter(office_id=office_id).first()
    return rules or RectificationRules(office_id=office_id)


class Finding(ChoiceLabels, models.Model):
    class DeadlineKind(models.TextChoices):
        ON_THE_SPOT = "on_the_spot", _("Fix on the spot")  # 立行立改
        BY_DATE = "by_date", _("Fix by a deadline")  # 限期整改

    office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="findings"
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name=_("school"),
    )
    visit = models.ForeignKey(
        "visits.Visit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name=_("visit"),
    )
    # The responsible inspector (责任督学) when the finding was recorded: the visit's
    # inspector, else the school's assigned inspector that day. Kept so the ledger's column
    # and its filter do not change when the school is reassigned later.
    inspector = models.ForeignKey(
        "inspectors.Inspector",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
        verbose_name=_("responsible inspector"),
    )
    # Date found (发现日期): the visit's date, else the day it was recorded.
    found_on = models.DateField(_("date found"), null=True, blank=True, editable=False)
    area = models.PositiveSmallIntegerField(
        _("supervision item"), choices=ITEM_CHOICES, validators=item_validators
    )
    description = models.TextField(_("problem"))
    evidence = models.TextField(_("evidence"), blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.GENERAL
    )
    deadline_kind = models.CharField(
        _("deadline"), max_length=12, choices=DeadlineKind.choices, default=DeadlineKind.BY_DATE
    )
    # For "on the spot" the deadline is the day of the finding, so it is overdue the next day.
    deadline = models.DateField(_("deadline"))
    required_action = models.TextField(_("required action"), blank=True)
    status = models.CharField(
        _("status"), max_length=15, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    urge_count = models.PositiveSmallIntegerField(_("urgings"), default=0, editable=False)
    # The date the school must answer its last urging by (docs/rules.md §10): set by every
    # urging, cleared by a new notice. The daily check urges again once both this date and the
    # deadline have passed without a response. The deadline itself is never moved by an
    # urging, so "overdue" and the on-time rate keep meaning the deadline set by a person.
    respond_by = models.DateField(
        _("respond to the urging by"), null=True, blank=True, editable=False
    )
    needs_other_department = models.BooleanField(_("needs another department"), default=False)
    escalated_to = models.CharField(
        _("escalated to"), max_length=10, choices=Escalation.choices, default=Escalation.NONE
    )
    is_overdue = models.BooleanField(_("overdue"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-created_at", "-pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        indexes = [
            models.Index(fields=["office", "status"]),
            models.Index(fields=["office", "-created_at"]),
            models.Index(fields=["office", "is_overdue"]),
            models.Index(fields=["office", "severity"]),
            models.Index(fields=["office", "area"]),
            models.Index(fields=["office", "escalated_to"]),
            models.Index(fields=["school", "status"]),
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["inspector", "status"]),
            # The ledger's order (-found_on, -pk), seeking within an office (the county) and
            # across offices (a city or province viewer), and within the open findings, which
            # the dashboard's links filter on (issue 10, docs/benchmarks.md).
            models.Index(fields=["office", "found_on", "id"], name="finding_office_found_idx"),
            models.Index(fields=["found_on", "id"], name="finding_found_idx"),
            models.Index(
                fields=["found_on", "id"],
                name="finding_open_found_idx",
                condition=Q(status__in=ACTIVE_STATUSES),
            ),
            # Every column the dashboards' open-findings figures group by, so they are read
            # from this small index alone (key columns rather than INCLUDE, which SQLite
            # lacks: the planner uses either; without `id` it uses neither).
            models.Index(
                fields=["office", "area", "is_overdue", "escalated_to", "found_on", "id"],
                name="finding_open_figures_idx",
                condition=Q(status__in=ACTIVE_STATUSES),
            ),
            # The API's changes feed (?since=, docs/api.md): by (updated_at, id), within a
            # county and across a viewer's counties.
            models.Index(fields=["office", "updated_at", "id"], name="finding_office_changes"),
            models.Index(fields=["updated_at", "id"], name="finding_changes"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(area__gte=1) & Q(area__lte=13), name="finding_area_range"
            ),
            models.CheckConstraint(
                condition=Q(status="closed", closed_at__isnull=False)
                | (~Q(status="closed") & Q(closed_at__isnull=True)),
                name="finding_closed_at_iff_closed",
            ),
        ]

    def __str__(self):
        return f"{self.school}: {self.description[:40]}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class FindingEvent(HistoryRecord):
    """One line of a finding's history (append-only, like the audit log). Feeds the
    timeline, notifications and statistics; replaying `to_status` gives the current status."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="events")

    class Meta(HistoryRecord.Meta):
        verbose_name = _("finding event")
        verbose_name_plural = _("finding events")
        indexes = [
            models.Index(fields=["finding", "at"]),
            models.Index(fields=["action", "at"]),
        ]


class NoticeSequence(models.Model):
    """The last notice number used by an office in a year; locked while a number is taken so
    numbers are unique and gapless (a rolled-back notice gives its number back)."""

    office = models.ForeignKey("organisations.Office", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["office", "year"], name="notice_sequence_unique")
        ]

    def __str__(self):
        return f"{self.office_id}/{self.year}: {self.last_number}"


class Notice(models.Model):
    """A rectification notice (整改通知书) covering one or more findings of one school."""

    office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="notices"
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="notices", verbose_name=_("school")
    )
    visit = models.ForeignKey(
        "visits.Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="notices"
    )
    findings = models.ManyToManyField(Finding, related_name="notices", verbose_name=_("findings"))
    year = models.PositiveSmallIntegerField(editable=False)
    sequence = models.PositiveIntegerField(editable=False)
    number = models.CharField(_("number"), max_length=60, editable=False)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("issued by"),
    )
    deadline = models.DateField(_("deadline"))
    note = models.TextField(_("note"), blank=True)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-issued_at", "-pk"]
        verbose_name = _("rectification notice")
        verbose_name_plural = _("rectification notices")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "year", "sequence"], name="notice_number_unique"
            )
        ]
        indexes = [models.Index(fields=["school", "-issued_at"])]

    def __str__(self):
        return self.number


class Response(models.Model):
    """The school's answer to a finding (整改报告), with evidence files."""

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="responses")
    text = models.TextField(_("rectification report"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)

    class Meta:
        ordering = ["submitted_at", "pk"]
        verbose_name = _("rectification response")
        verbose_name_plural = _("rectification responses")

    def __str__(self):
        return f"{self.finding_id}: {self.text[:40]}"


class RectificationEvidence(StoredFile):
    """A file about a finding: the inspector's photo of the problem (`response` empty) or the
    school's evidence with its response. Same checks and storage as visit attachments."""

    UPLOAD_DIR = "rectification"

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="files")
    response = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.PROTECT, related_name="files"
    )

    class Meta(StoredFile.Meta):
        verbose_name = _("rectification evidence")
        verbose_name_plural = _("rectification evidence")


class FollowUp(ChoiceLabels, models.Model):
    """A follow-up check (回访/复查) of the school's rectification."""

    class Result(models.TextChoices):
        ACCEPTED = "accepted", _("Rectified")
        REJECTED = "rejected", _("Not rectified")

    finding = models.ForeignKey(Finding, on_delete=models.PROTECT, related_name="follow_ups")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"))
    result = models.CharField(_("result"), max_length=10, choices=Result.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["checked_at", "pk"]
        verbose_name = _("follow-up check")
        verbose_name_plural = _("follow-up checks")

    def __str__(self):
        return f"{self.finding_id}: {self.result}"


class UnitMeasure(models.TextChoices):
    """Accountability measures against units (docs/rules.md §13)."""

    PUBLIC_CRITICISM = "public_criticism", _("Public criticism")  # 公开批评
    ADMONITORY_TALK = "admonitory_talk", _("Admonitory talk")  # 约谈
    SUPERVISION_BULLETIN = "supervision_bulletin", _("Supervision bulletin")  # 督导通报
    RESOURCE_ADJUSTMENT = "resource_adjustment", _("Resource adjustment")  # 资源调整
    ADMINISTRATIVE_PENALTY = "administrative_penalty", _("Administrative penalty")  # 行政处罚


class IndividualMeasure(models.TextChoices):
    """Accountability measures against individuals (docs/rules.md §13)."""

    SELF_EXAMINATION = "self_examination", _("Ordered self-examination")  # 责令检查
    ADMONITORY_TALK = "admonitory_talk", _("Admonitory talk")  # 约谈
    CRITICISM_BY_BULLETIN = "criticism_by_bulletin", _("Criticism by bulletin")  # 通报批评
    ORGANISATIONAL_HANDLING = "organisational_handling", _("Organisational handling")  # 组织处理
    DISCIPLINARY_ACTION = "disciplinary_action", _("Disciplinary action")  # 处分
    TRANSFER_TO_ORGANS = (
        "transfer_to_organs",
        _("Transfer to supervisory or judicial organs"),
    )  # 移送纪检监察或司法机关


class AccountabilityCase(ChoiceLabels, models.Model):
    """An accountability case (问责). The platform records what the office decides; nothing
    punitive ever happens automatically."""

    class TargetKind(models.TextChoices):
        UNIT = "unit", _("Unit")
        INDIVIDUAL = "individual", _("Individual")

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("accountability", "Open")
        CLOSED = "closed", pgettext_lazy("accountability", "Closed")

    office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="accountability_cases"
    )
    finding = models.ForeignKey(
        Finding,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accountability_cases",
    )
    target_kind = models.CharField(_("target"), max_length=10, choices=TargetKind.choices)
    target_name = models.CharField(_("unit or person"), max_length=100)
    measures = models.JSONField(_("measures"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    notes = models.TextField(_("notes"), blank=True)
    opened_at = models.DateTimeField(_("opened at"), auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(
        pgettext_lazy("accountability", "closed at"), null=True, blank=True, editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-opened_at", "-pk"]
        verbose_name = _("accountability case")
        verbose_name_plural = _("accountability cases")
        indexes = [models.Index(fields=["office", "status"])]

    def __str__(self):
        return f"{self.target_name} ({self.get_status_display()})"

    @staticmethod
    def measure_choices(target_kind: str):
        return UnitMeasure if target_kind == "unit" else IndividualMeasure


class AccountabilityCaseEvent(HistoryRecord):
    """One line of an accountability case's history: opened, measures changed, closed."""

    case = models.ForeignKey(AccountabilityCase, on_delete=models.PROTECT, related_name="events")

    class Meta(HistoryRecord.Meta):
        verbose_name = _("accountability case event")
        verbose_name_plural = _("accountability case events")
        indexes = [models.Index(fields=["case", "at"])]
