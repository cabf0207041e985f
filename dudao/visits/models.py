"""Routine supervision visits (经常性督导, 月随访): what the responsible inspector saw at one
school on one day, checked against the eight supervision items, with photos, audio and
documents. Writes go through `dudao.visits.services`."""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dudao.signboards.items import SUPERVISION_ITEMS

# The eight routine supervision items (RULES.md §3), numbered 1..8, reused as choices.
AREA_CHOICES = [(item.number, item.label) for item in SUPERVISION_ITEMS]
area_validators = [MinValueValidator(1), MaxValueValidator(len(SUPERVISION_ITEMS))]


class VisitMethod(models.TextChoices):
    CAMPUS_WALK = "campus_walk", _("Campus walk")  # 校园巡查
    CLASS_VISIT = "class_visit", _("Unannounced class visit")  # 推门听课
    DOCUMENT_REVIEW = "document_review", _("Document review")  # 查阅资料
    QUESTIONNAIRE = "questionnaire", _("Questionnaire")  # 问卷调查
    INTERVIEWS = "interviews", _("Interviews")  # 走访座谈
    PRINCIPAL_BRIEFING = "principal_briefing", _("Principal's briefing")  # 听取汇报


class SixMinimum(models.TextChoices):
    """The six minimums per school per semester (六个至少, RULES.md §6b)."""

    HOMEWORK_CHECK = "homework_check", _("Homework check")  # 作业检查
    AFTER_SCHOOL_SERVICE = "after_school_service", _("After-school service")  # 课后服务
    CLASS_ATTENDED = "class_attended", _("Class attended")  # 听课
    LESSON_PREPARATION = "lesson_preparation", _("Lesson preparation")  # 集体备课/教研
    FORUM = "forum", _("Forum")  # 座谈会
    PRINCIPAL_BRIEFING = "principal_briefing", _("Principal's briefing")  # 校长汇报


class Visit(models.Model):
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
    summary = models.TextField(_("summary"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["-visited_at", "-pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["office", "status", "visited_on"]),
            models.Index(fields=["school", "status", "visited_on"]),
            models.Index(fields=["inspector", "status", "visited_on"]),
            models.Index(fields=["created_by", "status"]),
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


class AreaCheck(models.Model):
    """The visit's verdict on one of the eight supervision items."""

    class Status(models.TextChoices):
        FINE = "fine", _("Fine")
        PROBLEM = "problem", _("Problem found")
        NOT_CHECKED = "not_checked", _("Not checked")

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="area_checks")
    area = models.PositiveSmallIntegerField(
        _("supervision item"), choices=AREA_CHOICES, validators=area_validators
    )
    status = models.CharField(
        _("result"), max_length=12, choices=Status.choices, default=Status.NOT_CHECKED
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["visit", "area"]
        verbose_name = _("supervision item check")
        verbose_name_plural = _("supervision item checks")
        constraints = [
            models.UniqueConstraint(fields=["visit", "area"], name="area_check_unique"),
            models.CheckConstraint(
                condition=Q(area__gte=1) & Q(area__lte=len(SUPERVISION_ITEMS)),
                name="area_check_area_range",
            ),
        ]

    def __str__(self):
        return f"{self.visit} #{self.area}: {self.status}"


class FileKind(models.TextChoices):
    IMAGE = "image", _("Photo")
    AUDIO = "audio", _("Audio")
    DOCUMENT = "document", _("Document")


def stored_file_path(instance, filename: str) -> str:
    """Random names under the model's folder: the original name is kept in a field only, so
    no user-supplied text ever reaches the storage path."""
    suffix = PurePosixPath(filename).suffix.lower()
    today = timezone.localdate()
    return f"{instance.UPLOAD_DIR}/{today:%Y/%m}/{uuid.uuid4().hex}{suffix}"


class StoredFile(models.Model):
    """An uploaded file checked by `dudao.visits.uploads` (type detected by content, size
    limit per kind, SHA-256), with a downscaled JPEG preview for photos. Abstract: each owner
    (visit, rectification) has its own table with a real foreign key."""

    UPLOAD_DIR = "files"

    kind = models.CharField(_("kind"), max_length=10, choices=FileKind.choices)
    file = models.FileField(_("file"), upload_to=stored_file_path, max_length=200)
    preview = models.FileField(upload_to=stored_file_path, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100)
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.original_name


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
