"""Administrative regions (行政区划) and supervision offices (督导室)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

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
