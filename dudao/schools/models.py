"""Schools and kindergartens (学校/幼儿园) under a supervision office."""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dudao.core.models import ChoiceLabels
from dudao.core.scopes import ScopedManager
from dudao.core.validators import phone_validator, school_code_validator


class SchoolType(models.TextChoices):
    """School types (学段/类别) as in the brief."""

    KINDERGARTEN = "kindergarten", _("Kindergarten")
    PRIMARY = "primary", _("Primary school")
    JUNIOR = "junior", _("Junior secondary school")
    NINE_YEAR = "nine_year", _("Nine-year school")
    TWELVE_YEAR = "twelve_year", _("Twelve-year school")
    COMPLETE_SECONDARY = "complete_secondary", _("Complete secondary school")
    SENIOR = "senior", _("Senior secondary school")
    VOCATIONAL = "vocational", _("Secondary vocational school")
    SPECIAL = "special", _("Special education school")
    TEACHING_POINT = "teaching_point", _("Teaching point")


# Which enrolment levels a school type may report (a nine-year school has primary and junior).
LEVELS_BY_TYPE: dict[str, set[str]] = {
    SchoolType.KINDERGARTEN: {"kindergarten"},
    SchoolType.PRIMARY: {"primary"},
    SchoolType.JUNIOR: {"junior"},
    SchoolType.NINE_YEAR: {"primary", "junior"},
    SchoolType.TWELVE_YEAR: {"primary", "junior", "senior"},
    SchoolType.COMPLETE_SECONDARY: {"junior", "senior"},
    SchoolType.SENIOR: {"senior"},
    SchoolType.VOCATIONAL: {"senior"},
    SchoolType.SPECIAL: {"kindergarten", "primary", "junior", "senior"},
    SchoolType.TEACHING_POINT: {"kindergarten", "primary"},
}
ENROLMENT_FIELDS = {
    "kindergarten": "enrolment_kindergarten",
    "primary": "enrolment_primary",
    "junior": "enrolment_junior",
    "senior": "enrolment_senior",
}


class Ownership(models.TextChoices):
    PUBLIC = "public", _("Public")
    PRIVATE = "private", _("Private")


class Location(models.TextChoices):
    URBAN = "urban", _("Urban")
    RURAL = "rural", _("Rural")


class School(ChoiceLabels, models.Model):
    office = models.ForeignKey(
        "organisations.Office",
        on_delete=models.PROTECT,
        related_name="schools",
        verbose_name=_("supervision office"),
    )
    code = models.CharField(
        _("school code"), max_length=10, unique=True, validators=[school_code_validator]
    )
    name = models.CharField(_("name"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=SchoolType.choices)
    ownership = models.CharField(
        _("public or private"), max_length=10, choices=Ownership.choices, default="public"
    )
    location = models.CharField(
        _("urban or rural"), max_length=10, choices=Location.choices, default="urban"
    )
    township = models.ForeignKey(
        "organisations.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="schools",
        verbose_name=_("township"),
    )
    zone = models.ForeignKey(
        "inspectors.Zone",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="schools",
        verbose_name=_("zone"),
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    principal = models.CharField(_("principal"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True, validators=[phone_validator])
    enrolment_kindergarten = models.PositiveIntegerField(_("kindergarten enrolment"), default=0)
    enrolment_primary = models.PositiveIntegerField(_("primary enrolment"), default=0)
    enrolment_junior = models.PositiveIntegerField(_("junior enrolment"), default=0)
    enrolment_senior = models.PositiveIntegerField(_("senior enrolment"), default=0)
    host_school = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teaching_points",
        verbose_name=_("host school"),
        help_text=_("Required for a teaching point (教学点): the school it belongs to."),
    )
    is_active = models.BooleanField(pgettext_lazy("school", "active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["code"]
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        indexes = [
            models.Index(fields=["office", "is_active", "code"]),
            models.Index(fields=["office", "type"]),
            models.Index(fields=["office", "name"]),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("schools:detail", args=[self.pk])

    @property
    def total_enrolment(self) -> int:
        return (
            self.enrolment_kindergarten
            + self.enrolment_primary
            + self.enrolment_junior
            + self.enrolment_senior
        )

    def allowed_levels(self) -> set[str]:
        return LEVELS_BY_TYPE.get(self.type, set())
