"""Administrative regions (行政区划) and supervision offices (督导室)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.core.scopes import ScopedManager
from dudao.core.validators import phone_validator


class Region(models.Model):
    """An administrative region: province (省) → city (市) → county/district (县/区) → township
    (乡镇/街道). `path` holds the chain of codes so "everything under this city" is one
    indexed prefix filter."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County or district")
        TOWNSHIP = "township", _("Township or subdistrict")

    code = models.CharField(_("division code"), max_length=12, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=120, db_index=True, editable=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.path = (self.parent.path if self.parent else "/") + self.code + "/"
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class Office(models.Model):
    """The education supervision office (教育督导室) of one county or district."""

    name = models.CharField(_("name"), max_length=100)
    region = models.OneToOneField(
        Region,
        on_delete=models.PROTECT,
        related_name="office",
        limit_choices_to={"level": Region.Level.COUNTY},
        verbose_name=_("county or district"),
    )
    hotline = models.CharField(_("hotline"), max_length=30, blank=True)
    # The number the public sees for an inspector who has not agreed to publish their mobile
    # (Inspector.public_phone): the mobile is also a login, so it is never shown by default.
    public_phone = models.CharField(
        _("public contact number for inspectors"),
        max_length=30,
        blank=True,
        validators=[phone_validator],
        help_text=_(
            "An office number printed on the signboards and shown on the schools' public pages "
            "as the inspector's phone, unless the inspector agreed to show their mobile. "
            "Blank: no number is shown for those inspectors."
        ),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    document_prefix = models.CharField(
        _("document number prefix"),
        max_length=20,
        blank=True,
        help_text=_("e.g. 'X教督' for document numbers such as X教督〔2026〕3号"),
    )

    class Meta:
        ordering = ["region__code"]
        verbose_name = _("supervision office")
        verbose_name_plural = _("supervision offices")

    def __str__(self):
        return self.name


class GovernmentUnit(models.Model):
    """A government unit an office supervises (督政): the county government, its departments
    (教育、财政、人社…), and the township governments (乡镇人民政府、街道办事处). Scored in
    evaluation rounds like schools (dudao.evaluations)."""

    class Kind(models.TextChoices):
        COUNTY_GOVERNMENT = "county", _("County government")  # 县（区）人民政府
        DEPARTMENT = "department", _("Government department")  # 县直部门
        TOWNSHIP = "township", _("Township government")  # 乡镇人民政府、街道办事处

    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="government_units",
        verbose_name=_("supervision office"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    # A department under the county government.
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="departments",
        verbose_name=_("under"),
    )
    # The township's region, where the registry has it.
    region = models.ForeignKey(
        Region,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": Region.Level.TOWNSHIP},
        verbose_name=_("region"),
    )
    contact = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["office", "kind", "position", "name"]
        verbose_name = _("government unit")
        verbose_name_plural = _("government units")
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="government_unit_name_once")
        ]

    def __str__(self):
        return self.name
