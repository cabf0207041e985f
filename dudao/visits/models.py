"""Routine supervision visits (经常性督导, 月随访): what the responsible inspector saw at one
school on one day, checked against the eight supervision items, with photos, audio and
documents. Writes go through `dudao.visits.services`."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dudao.core.files import StoredFile
from dudao.core.history import HistoryRecord
from dudao.core.models import ChoiceLabels
from dudao.core.scopes import ScopedManager
from dudao.core.supervision_items import ALL_ITEMS, ITEM_CHOICES, item_validators
from dudao.schools.models import SchoolType


class VisitMethod(models.TextChoices):
    CAMPUS_WALK = "campus_walk", _("Campus walk")  # 校园巡查
    CLASS_VISIT = "class_visit", _("Unannounced class visit")  # 推门听课
    DOCUMENT_REVIEW = "document_review", _("Document review")  # 查阅资料
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")  # 问卷调查
    INTERVIEWS = "interviews", _("Interviews")  # 走访座谈
    PRINCIPAL_BRIEFING = "principal_briefing", _("Principal's briefing")  # 听取汇报


class SixMinimum(models.TextChoices):
    """The six minimums per school per semester (六个至少, docs/rules.md §8)."""

    HOMEWORK_CHECK = "homework_check", _("Homework check")  # 作业检查
    AFTER_SCHOOL_SERVICE = "after_school_service", _("After-school service")  # 课后服务
    CLASS_ATTENDED = "class_attended", _("Class attended")  # 听课
    LESSON_PREPARATION = "lesson_preparation", _("Lesson preparation")  # 集体备课/教研
    FORUM = "forum", _("Forum")  # 座谈会
    PRINCIPAL_BRIEFING = "principal_briefing", _("Principal's briefing")  # 校长汇报


class Visit(ChoiceLabels, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")

    office = models.ForeignKey(
        "organisations.Office",
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("supervision office"),
    )
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="visits", verbose_name=_("school")
    )
    inspector = models.ForeignKey(
        "inspectors.Inspector",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
        verbose_name=_("inspector"),
        help_text=_("Empty when office staff without an inspector record made the visit."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="recorded_visits",
        verbose_name=_("recorded by"),
    )
    # The form carries a UUID generated on the phone: a repeated submission (weak signal,
    # double tap, offline replay) finds the same visit instead of creating a second one.
    client_uuid = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    visited_at = models.DateTimeField(_("visited at"), null=True, blank=True)
    # Local (Asia/Shanghai) date of `visited_at`, denormalised for per-day and per-month
    # figures and their indexes.
    visited_on = models.DateField(_("visit date"), null=True, blank=True, editable=False)
    unannounced = models.BooleanField(
        _("unannounced (四不两直)"),
        default=True,
        help_text=_("No notice, no greeting, no briefing, no escort; straight to the site."),
    )
    methods = models.JSONField(_("methods"), default=list, blank=True)
    minimums = models.JSONField(_("six minimums covered"), default=list, blank=True)
    feedback = models.TextField(_("feedback to the school"), blank=True)
    # 下次督导安排: recorded with the feedback and printed in the letter (docs/rules.md §7).
    next_visit_plan = models.TextField(_("next visit plan"), blank=True)
    # When the written feedback (书面反馈意见书) was issued to the school: counted in reports.
    feedback_issued_at = models.DateTimeField(
        _("feedback letter issued at"), null=True, blank=True, editable=False
    )
    summary = models.TextField(_("summary"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-visited_at", "-pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["office", "status", "visited_on"]),
            models.Index(fields=["school", "status", "visited_on"]),
            models.Index(fields=["inspector", "status", "visited_on"]),
            models.Index(fields=["created_by", "status"]),
            # The visit list's order within a county and across a viewer's counties (a
            # province viewer's list sorted 700 000 visits without them; docs/benchmarks.md).
            models.Index(fields=["office", "-visited_at", "-id"], name="visit_office_recent"),
            models.Index(fields=["-visited_at", "-id"], name="visit_recent"),
            # The API's changes feed (?since=, docs/api.md): by (updated_at, id), within a
            # county and across a viewer's counties.
            models.Index(fields=["office", "updated_at", "id"], name="visit_office_changes"),
            models.Index(fields=["updated_at", "id"], name="visit_changes"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft")
                | Q(visited_at__isnull=False, submitted_at__isnull=False),
                name="submitted_visit_has_dates",
            )
        ]

    def __str__(self):
        day = self.visited_on.isoformat() if self.visited_on else "—"
        return f"{self.school} {day}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class VisitEvent(HistoryRecord):
    """One line of a visit's history (draft → submitted), written by the workflow engine
    (`dudao.visits.workflow`)."""

    visit = models.ForeignKey(Visit, on_delete=models.PROTECT, related_name="events")

    class Meta(HistoryRecord.Meta):
        verbose_name = _("visit event")
        verbose_name_plural = _("visit events")
        indexes = [models.Index(fields=["visit", "at"])]


class AreaCheck(ChoiceLabels, models.Model):
    """The visit's verdict on one supervision item (the eight items or the kindergarten
    areas, docs/rules.md §4)."""

    class Status(models.TextChoices):
        FINE = "fine", _("Fine")
        PROBLEM = "problem", _("Problem found")
        NOT_CHECKED = "not_checked", _("Not checked")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="area_checks")
    area = models.PositiveSmallIntegerField(
        _("supervision item"), choices=ITEM_CHOICES, validators=item_validators
    )
    status = models.CharField(
        _("result"), max_length=12, choices=Status.choices, default=Status.NOT_CHECKED
    )
    note = models.TextField(_("note"), blank=True)
    # The finding of a "problem" item as the visit form gave it (severity, deadline_kind,
    # deadline as an ISO date, attachment ids), kept with the draft: submitting the visit
    # records it as a Finding (`dudao.visits.services.submit_visit`). Empty for other items
    # and for a "problem" item whose finding is recorded separately.
    planned_finding = models.JSONField(_("planned finding"), default=dict, blank=True)

    class Meta:
        ordering = ["visit", "area"]
        verbose_name = _("supervision item check")
        verbose_name_plural = _("supervision item checks")
        constraints = [
            models.UniqueConstraint(fields=["visit", "area"], name="area_check_unique"),
            models.CheckConstraint(
                condition=Q(area__gte=1) & Q(area__lte=len(ALL_ITEMS)),
                name="area_check_area_range",
            ),
        ]

    def __str__(self):
        return f"{self.visit} #{self.area}: {self.status}"


class Period(models.TextChoices):
    """The period a visit frequency counts over (docs/rules.md §6)."""

    MONTH = "month", _("month")
    SEMESTER = "semester", _("semester")
    YEAR = "year", _("school year")


class SchoolTypeRule(models.Model):
    """The office's rules for one school type (docs/rules.md §4, §6, §8): the items its
    schools are supervised on, the six minimums asked of them, how often they are visited
    (a large-school rule from an enrolment threshold) and, for teaching points, whether a
    visit to the host school covers them. An office without a row for a type uses the
    defaults of `dudao.visits.school_rules.default_rule`. Written only by
    `dudao.visits.services.save_school_type_rule`."""

    office = models.ForeignKey(
        "organisations.Office",
        on_delete=models.CASCADE,
        related_name="school_type_rules",
        verbose_name=_("supervision office"),
    )
    school_type = models.CharField(_("school type"), max_length=20, choices=SchoolType.choices)
    items = models.JSONField(_("supervision items"), default=list, blank=True)
    minimums = models.JSONField(_("six minimums asked"), default=list, blank=True)
    visits = models.PositiveSmallIntegerField(_("visits"), default=1)
    period = models.CharField(_("per"), max_length=10, choices=Period.choices, default=Period.MONTH)
    large_from = models.PositiveIntegerField(
        _("large from (pupils)"),
        null=True,
        blank=True,
        help_text=_("Schools with at least this many pupils follow the large-school frequency."),
    )
    large_visits = models.PositiveSmallIntegerField(_("visits (large)"), null=True, blank=True)
    large_period = models.CharField(
        _("per (large)"), max_length=10, choices=Period.choices, blank=True
    )
    with_host = models.BooleanField(
        _("visited with the host school"),
        default=False,
        help_text=_("Teaching points: a visit to the host school covers its teaching points."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["office", "school_type"]
        verbose_name = _("school type rule")
        verbose_name_plural = _("school type rules")
        constraints = [
            models.UniqueConstraint(fields=["office", "school_type"], name="school_type_rule_once"),
            models.CheckConstraint(condition=Q(visits__gte=1), name="school_type_rule_visits"),
        ]

    def __str__(self):
        return f"{self.office} {self.get_school_type_display()}"


class Attachment(StoredFile):
    UPLOAD_DIR = "visits"

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="attachments")

    class Meta(StoredFile.Meta):
        verbose_name = _("visit attachment")
        verbose_name_plural = _("visit attachments")
        constraints = [
            # A retried upload of the same bytes to the same visit is the same attachment.
            models.UniqueConstraint(fields=["visit", "sha256"], name="visit_attachment_once")
        ]


class FocusPoint(models.Model):
    """One of the office's monthly focus points (月度督导要点, e.g. 开学安全, 作业管理), shown on
    the visit form for visits in that month (docs/rules.md §7)."""

    office = models.ForeignKey(
        "organisations.Office",
        on_delete=models.CASCADE,
        related_name="focus_points",
        verbose_name=_("supervision office"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"), blank=True)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["office", "year", "month", "ordering", "pk"]
        verbose_name = _("monthly focus point")
        verbose_name_plural = _("monthly focus points")
        indexes = [models.Index(fields=["office", "year", "month", "ordering"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__gte=1) & Q(month__lte=12), name="focus_point_month_range"
            )
        ]

    def __str__(self):
        return f"{self.year}-{self.month:02d} {self.title}"
