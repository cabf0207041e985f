"""User accounts and their roles. A user's role decides which records every query returns
(see `dudao.accounts.scoping`)."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
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
    # When the password was last set: the office's expiry (OfficeSecurityPolicy.max_age_days)
    # counts from here (dudao.accounts.middleware).
    password_changed_at = models.DateTimeField(
        _("password changed"), default=timezone.now, editable=False
    )

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

    def set_password(self, raw_password):
        # The hash being replaced, for the password history (passwords.remember).
        self._previous_password = (self.password, self.password_changed_at)
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def is_office_admin(self) -> bool:
        return self.role == Role.OFFICE_ADMIN and self.office_id is not None


class OfficeSecurityPolicy(models.Model):
    """An office's password and sign-in policy (MLPS level 2, 等保二级: 身份鉴别). An office
    without a row has the defaults (`dudao.accounts.passwords.policy_for`)."""

    # The shortest expiry an office may set: a password younger than this is never expired,
    # so most requests need no policy query (dudao.accounts.middleware).
    MIN_MAX_AGE_DAYS = 30
    CLASSES = 4  # lower-case, upper-case, digits, symbols

    office = models.OneToOneField(
        "organisations.Office",
        on_delete=models.CASCADE,
        related_name="security_policy",
        verbose_name=_("supervision office"),
    )
    min_length = models.PositiveSmallIntegerField(
        _("minimum password length"),
        default=8,
        validators=[MinValueValidator(8), MaxValueValidator(64)],
        help_text=_("8 to 64 characters."),
    )
    require_classes = models.PositiveSmallIntegerField(
        _("character classes required"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text=_(
            "How many of the four classes a password must mix: lower-case letters, upper-case "
            "letters, digits, symbols (1 to 4)."
        ),
    )
    history_count = models.PositiveSmallIntegerField(
        _("passwords remembered"),
        default=5,
        validators=[MaxValueValidator(24)],
        help_text=_("A new password may not equal any of the last this many (0 to 24)."),
    )
    max_age_days = models.PositiveSmallIntegerField(
        _("password expiry (days)"),
        default=90,
        validators=[MaxValueValidator(365)],
        help_text=_(
            "After this many days the user must choose a new password: 0 (never) or 30 to 365."
        ),
    )
    remember_days = models.PositiveSmallIntegerField(
        _("keep signed in on a device (days)"),
        default=30,
        validators=[MaxValueValidator(90)],
        help_text=_(
            "How long a user who ticks “Keep me signed in on this device” stays signed in "
            "without using Dudao (each day of use extends it): 0 (not offered) to 90. Without "
            "the tick a sign-in lasts 12 hours."
        ),
    )
    require_totp_for_admins = models.BooleanField(
        _("office administrators must use two-step verification"),
        default=False,
        help_text=_(
            "Office administrators then sign in with a code from an authenticator app; one "
            "without it sets it up at the next sign-in."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("security policy")
        verbose_name_plural = _("security policies")
        constraints = [
            models.CheckConstraint(
                name="security_policy_expiry_zero_or_at_least_30",
                condition=Q(max_age_days=0) | Q(max_age_days__gte=30),
            )
        ]

    def __str__(self):
        return str(_("Security policy of %(office)s") % {"office": self.office})

    def clean(self):
        super().clean()
        if 0 < self.max_age_days < self.MIN_MAX_AGE_DAYS:
            raise ValidationError(
                {
                    "max_age_days": _("Set the expiry to 0 (never) or to %(min)d days or more.")
                    % {"min": self.MIN_MAX_AGE_DAYS}
                }
            )


class PasswordHistory(models.Model):
    """A password a user has had (its hash): `history_count` of the office's policy forbids
    reusing the last ones (dudao.accounts.passwords)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="password_history", verbose_name=_("user")
    )
    encoded = models.CharField(_("password hash"), max_length=256)
    created_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("previous password")
        verbose_name_plural = _("previous passwords")
        indexes = [models.Index(fields=["user", "-created_at"], name="password_history_recent")]

    def __str__(self):
        return str(
            _("Password of %(user)s set at %(time)s")
            % {"user": self.user_id, "time": self.created_at}
        )


class TOTPDevice(models.Model):
    """A user's authenticator app (RFC 6238 TOTP, dudao.accounts.twofactor). Unconfirmed
    until the user has typed one code from it; `last_used_step` refuses a code used twice."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="totp_device", verbose_name=_("user")
    )
    secret = models.CharField(_("secret"), max_length=64, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True, editable=False)
    last_used_step = models.BigIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def __str__(self):
        return str(_("Authenticator app of %(user)s") % {"user": self.user})
