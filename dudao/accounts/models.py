"""User accounts and their roles. A user's role decides which records every query returns
(see `dudao.accounts.scoping`)."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dudao.core.validators import phone_validator


class Role(models.TextChoices):
    OFFICE_ADMIN = "office_admin", _("Office administrator")
    ZONE_LEADER = "zone_leader", _("Zone leader")
    INSPECTOR = "inspector", _("Inspector")
    SCHOOL = "school", _("School user")
    VIEWER = "viewer", _("Viewer (city or province)")


class User(AbstractUser):
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    phone = models.CharField(
        _("phone"), max_length=30, null=True, blank=True, unique=True, validators=[phone_validator]
    )
    office = models.ForeignKey(
        "organisations.Office",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("supervision office"),
    )
    inspector = models.OneToOneField(
        "inspectors.Inspector",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
        verbose_name=_("inspector record"),
    )
    school = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        verbose_name=_("school"),
    )
    region = models.ForeignKey(
        "organisations.Region",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="viewers",
        verbose_name=_("region (city or province)"),
    )
    # The language the user last chose in the switcher: pages on a new device and e-mail
    # copies of notifications use it (blank: the product's language, Chinese).
    language = models.CharField(_("language"), max_length=10, blank=True, editable=False)
    failed_login_count = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                name="user_role_has_its_anchor",
                condition=(
                    Q(role="")
                    | Q(role="office_admin", office__isnull=False)
                    | Q(role__in=["zone_leader", "inspector"], inspector__isnull=False)
                    | Q(role="school", school__isnull=False)
                    | Q(role="viewer", region__isnull=False)
                ),
            )
        ]

    def __str__(self):
        return self.display_name or self.username

    @property
    def is_locked(self) -> bool:
        return bool(self.locked_until and self.locked_until > timezone.now())

    @property
    def is_office_admin(self) -> bool:
        return self.role == Role.OFFICE_ADMIN and self.office_id is not None
