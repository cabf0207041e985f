"""Balanced-development monitoring in the database: rule sets (the shipped national ones and
an office's own copies), each school's resource figures per year (with a history row per
change) and the recorded evaluations. Imports of resource figures are jobs of the one import
pipeline (`dudao.imports`, kind "resources").

The computation itself is `engine.py` (no database); `services.py` turns these rows into the
engine's `SchoolData` and back."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dudao.core.scopes import ScopedManager

from .fields import NUMERIC_FIELDS, SCHOOL_TYPES, SPONSOR_HEADER, SPONSORS

SCHOOL_TYPE_CHOICES = [(t, t) for t in SCHOOL_TYPES]  # the engine's Chinese type names (data)
SPONSOR_CHOICES = [(t, t) for t in SPONSORS]  # 县属, 市属, 省属 (data, like the school types)

# The numeric input fields, named as the engine's field keys (docs/monitoring.md).
NUMBER_FIELDS = tuple(f.key for f in NUMERIC_FIELDS)
DECIMAL_FIELDS = tuple(f.key for f in NUMERIC_FIELDS if not f.integer)


class RuleSet(models.Model):
    """A rule set stored as the engine's JSON (`data`). The national ones have no office and
    are loaded from rulesets/*.json; an office's copy belongs to it and is versioned: every
    save bumps `version` (and `data["version"]`)."""

    office = models.ForeignKey(
        "organisations.Office",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="monitoring_rulesets",
        verbose_name=_("supervision office"),
    )
    name = models.CharField(_("name"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    version = models.CharField(_("version"), max_length=30)
    regime = models.CharField(_("regime"), max_length=10)
    source = models.TextField(_("source"), blank=True)
    data = models.JSONField(_("rule set"))
    based_on = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
        verbose_name=_("based on"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["office_id", "regime", "name"]
        verbose_name = _("monitoring rule set")
        verbose_name_plural = _("monitoring rule sets")
        constraints = [
            models.UniqueConstraint(
                fields=["office", "name"],
                condition=Q(office__isnull=False),
                name="monitoring_ruleset_office_name",
            ),
            models.UniqueConstraint(
                fields=["name"],
                condition=Q(office__isnull=True),
                name="monitoring_ruleset_national_name",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.name} v{self.version})"

    @property
    def is_national(self) -> bool:
        return self.office_id is None

    def rules(self):
        from .rules import RuleSet as EngineRuleSet

        return EngineRuleSet.from_dict(self.data)


def _number_field(field):
    if field.integer:
        return models.PositiveIntegerField(field.header, default=0)
    return models.DecimalField(field.header, max_digits=16, decimal_places=2, default=0)


class SchoolResources(models.Model):
    """One school's resource figures for one year (whole-school resources; teachers by the
    level they teach), as in the import template. Field names are the engine's keys; their
    labels are the template's Chinese headers (the data format, never translated)."""

    office = models.ForeignKey(
        "organisations.Office",
        on_delete=models.CASCADE,
        related_name="school_resources",
        verbose_name=_("supervision office"),
    )
    school = models.ForeignKey(
        "schools.School",
        on_delete=models.CASCADE,
        related_name="resources",
        verbose_name=_("school"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    school_type = models.CharField("学校类型", max_length=20, choices=SCHOOL_TYPE_CHOICES)
    # Who runs the school (举办者): the registry records public or private only, and the 2012
    # rule set leaves out schools run by the province or the city (docs/rules.md §17).
    sponsor = models.CharField(
        SPONSOR_HEADER, max_length=10, choices=SPONSOR_CHOICES, default=SPONSORS[0]
    )
    for _field in NUMERIC_FIELDS:
        locals()[_field.key] = _number_field(_field)
    del _field
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["year", "school__code"]
        verbose_name = _("school resources")
        verbose_name_plural = _("school resources")
        constraints = [
            models.UniqueConstraint(fields=["school", "year"], name="monitoring_resources_year")
        ]
        indexes = [models.Index(fields=["office", "year"])]

    def __str__(self):
        return f"{self.school} {self.year}"

    def figures(self) -> dict:
        """The numeric fields as plain floats/ints, keyed by field key."""
        return {
            key: float(getattr(self, key)) if key in DECIMAL_FIELDS else getattr(self, key)
            for key in NUMBER_FIELDS
        }


class SchoolResourcesHistory(models.Model):
    """One row per change of a SchoolResources record: the version it produced, who, how
    (edit, import, demo) and the changed fields as {field: [before, after]}."""

    class Source(models.TextChoices):
        EDIT = "edit", _("Edited in the app")
        IMPORT = "import", _("Imported")
        DEMO = "demo", _("Demo data")

    resources = models.ForeignKey(SchoolResources, on_delete=models.CASCADE, related_name="history")
    version = models.PositiveIntegerField()
    source = models.CharField(max_length=10, choices=Source.choices)
    changes = models.JSONField(default=dict)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"{self.resources} v{self.version}"


class Evaluation(models.Model):
    """A recorded result: the rule set's name, version and JSON as used, and the result."""

    office = models.ForeignKey(
        "organisations.Office", on_delete=models.CASCADE, related_name="monitoring_evaluations"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    ruleset = models.ForeignKey(
        RuleSet, null=True, blank=True, on_delete=models.SET_NULL, related_name="evaluations"
    )
    ruleset_name = models.CharField(_("rule set"), max_length=60)
    ruleset_version = models.CharField(_("version"), max_length=30)
    ruleset_data = models.JSONField()
    result = models.JSONField()
    passed = models.BooleanField(null=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["office", "year"])]

    def __str__(self):
        return f"{self.year} {self.ruleset_name} v{self.ruleset_version}"


class MonthlyReturn(models.Model):
    """The monthly monitoring return to the city (均衡发展监测月报, docs/rules.md §19): the
    figures as they stood in one month, one row per office and month. `figures` holds the
    school rows used (code, name, type, 办学性质, 举办者, every figure) and, per national rule
    set, the summary the city reads (means, CVs, limits, conclusions, exclusions). Taken by
    `services.take_monthly_return`: while the month is open a new run replaces it; once the
    month has ended it is kept as it was."""

    class Source(models.TextChoices):
        SCHEDULE = "schedule", _("Month-end job")
        MANUAL = "manual", _("Taken by the office")

    office = models.ForeignKey(
        "organisations.Office",
        on_delete=models.CASCADE,
        related_name="monitoring_returns",
        verbose_name=_("supervision office"),
    )
    month = models.DateField(_("month"))  # the first day of the month
    year = models.PositiveSmallIntegerField(_("year of the figures"))
    figures = models.JSONField(_("figures"))
    school_count = models.PositiveIntegerField(_("schools"), default=0)
    excluded_count = models.PositiveIntegerField(_("schools left out"), default=0)
    passed_basic = models.BooleanField(null=True)
    passed_quality = models.BooleanField(null=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.SCHEDULE)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_at = models.DateTimeField(_("taken at"))
    version = models.PositiveIntegerField(default=1)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-month"]
        verbose_name = _("monthly monitoring return")
        verbose_name_plural = _("monthly monitoring returns")
        constraints = [
            models.UniqueConstraint(fields=["office", "month"], name="monitoring_return_month")
        ]

    def __str__(self):
        return f"{self.office} {self.month:%Y-%m}"
