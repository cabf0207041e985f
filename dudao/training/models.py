"""Inspector training (督学培训, issue 15 §2; docs/rules.md §29): the office's sessions (topic,
date, hours, trainer, place, materials), attendance per inspector with the hours credited, and
the office's yearly requirement of hours per inspector."""

import decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dudao.core.files import StoredFile
from dudao.core.models import ChoiceLabels
from dudao.core.scopes import ScopedManager

# docs/rules.md §29: the yearly requirement when the office has set none *(unconfirmed)*.
DEFAULT_YEARLY_HOURS = decimal.Decimal("40")
HOURS = {"max_digits": 5, "decimal_places": 1}


class Session(models.Model):
    """One training session (培训、专题讲座、督学讲堂…) held by the office."""

    office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="training_sessions"
    )
    topic = models.CharField(_("topic"), max_length=200)
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), validators=[MinValueValidator(decimal.Decimal("0.5"))], **HOURS
    )
    trainer = models.CharField(_("trainer"), max_length=100, blank=True)
    place = models.CharField(_("place"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-date", "-pk"]
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        indexes = [models.Index(fields=["office", "date"])]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.topic}"

    def get_absolute_url(self):
        return reverse("training:detail", args=[self.pk])


class Material(StoredFile):
    """A file of a session: slides, handouts, the sign-in sheet, photos."""

    UPLOAD_DIR = "training"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="materials")

    class Meta(StoredFile.Meta):
        verbose_name = _("training material")
        verbose_name_plural = _("training materials")
        constraints = [
            models.UniqueConstraint(fields=["session", "sha256"], name="training_material_once")
        ]


class Attendance(ChoiceLabels, models.Model):
    """An inspector at a session: attended (with the hours credited), absent or excused."""

    class Presence(models.TextChoices):
        ATTENDED = "attended", _("Attended")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="training_attendance"
    )
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    inspector = models.ForeignKey(
        "inspectors.Inspector", on_delete=models.PROTECT, related_name="training_attendance"
    )
    # A record of fact the office sets and corrects, not a workflow.
    presence = models.CharField(
        _("attendance"), max_length=10, choices=Presence.choices, default=Presence.ATTENDED
    )
    hours = models.DecimalField(_("hours credited"), default=0, **HOURS)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["session", "inspector__name", "pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        indexes = [models.Index(fields=["inspector", "session"])]
        constraints = [
            models.UniqueConstraint(fields=["session", "inspector"], name="attendance_once"),
            models.CheckConstraint(condition=models.Q(hours__gte=0), name="attendance_hours_ge_0"),
        ]

    def __str__(self):
        return f"{self.inspector} – {self.session}"


class TrainingRules(models.Model):
    """The office's yearly requirement of training hours per inspector (docs/rules.md §29:
    numbers are data). An office without a row has `DEFAULT_YEARLY_HOURS`."""

    office = models.OneToOneField(
        "organisations.Office", on_delete=models.CASCADE, related_name="training_rules"
    )
    yearly_hours = models.DecimalField(
        _("training hours required each year"), default=DEFAULT_YEARLY_HOURS, **HOURS
    )

    class Meta:
        verbose_name = _("training requirement")
        verbose_name_plural = _("training requirements")

    def __str__(self):
        return f"{self.office}"


def yearly_hours_for(office_id) -> decimal.Decimal:
    rules = TrainingRules.objects.filter(office_id=getattr(office_id, "pk", office_id)).first()
    return rules.yearly_hours if rules else DEFAULT_YEARLY_HOURS
