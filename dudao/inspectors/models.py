"""Inspectors (督学), zones (督学责任区), listed-supervision assignments (挂牌督导) and recorded
conflicts of interest that require recusal (回避)."""

import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dudao.core.files import StoredFile
from dudao.core.models import ChoiceLabels
from dudao.core.scopes import ScopedManager, ScopedQuerySet
from dudao.core.validators import phone_validator


class Zone(models.Model):
    """A supervision zone (督学责任区): 20-40 schools coordinated by a zone leader (组长)."""

    office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="zones"
    )
    name = models.CharField(_("name"), max_length=100)
    leader = models.ForeignKey(
        "inspectors.Inspector",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_zones",
        verbose_name=_("zone leader"),
    )

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        # Creation order: offices number their zones (第一责任区, 第二…), and those names do
        # not sort by their numerals.
        ordering = ["pk"]
        verbose_name = _("zone")
        verbose_name_plural = _("zones")
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="zone_name_unique_in_office")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("inspectors:zone_detail", args=[self.pk])


class Inspector(ChoiceLabels, models.Model):
    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    class Employment(models.TextChoices):
        FULL_TIME = "full_time", _("Full-time")
        PART_TIME = "part_time", _("Part-time")

    class Kind(models.TextChoices):
        RESPONSIBLE = "responsible", _("Responsible inspector")
        PRINCIPAL = "principal", _("Principal inspector")
        PARENT = "parent", _("Parent inspector")
        INVITED = "invited", _("Invited inspector")

    office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="inspectors"
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=30, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    photo = models.ImageField(_("photo"), upload_to="inspectors/photos/", blank=True)
    employment = models.CharField(
        _("employment"), max_length=10, choices=Employment.choices, default="part_time"
    )
    kind = models.CharField(
        pgettext_lazy("inspector", "kind"),
        max_length=12,
        choices=Kind.choices,
        default="responsible",
    )
    employer_school = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employed_inspectors",
        verbose_name=_("employer (school)"),
    )
    employer_name = models.CharField(
        _("employer"), max_length=100, blank=True, help_text=_("When not a school.")
    )
    zone = models.ForeignKey(
        Zone,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inspectors",
        verbose_name=_("zone"),
    )
    # The mobile is also the inspector's login: the public sees it only with their consent.
    show_mobile_publicly = models.BooleanField(
        _("show the mobile on the public page"),
        default=False,
        help_text=_(
            "The inspector agreed that their mobile number is printed on the signboards and "
            "shown on the schools' public pages. Otherwise the office's public contact number "
            "is shown."
        ),
    )
    is_active = models.BooleanField(pgettext_lazy("inspector", "active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["name", "pk"]
        verbose_name = _("inspector")
        verbose_name_plural = _("inspectors")
        indexes = [models.Index(fields=["office", "is_active", "name"])]
        constraints = [
            models.UniqueConstraint(
                fields=["office", "phone"], name="inspector_phone_unique_in_office"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("inspectors:detail", args=[self.pk])

    def public_phone(self, office=None) -> str:
        """The phone the public sees for this inspector (the school's public page, the
        signboard): the mobile only if the inspector agreed, else the office's public contact
        number (may be blank). Pass the office when it is already loaded."""
        if self.show_mobile_publicly and self.phone:
            return self.phone
        return (office or self.office).public_phone

    @property
    def employer_display(self) -> str:
        return self.employer_school.name if self.employer_school_id else self.employer_name


class RecusalGround(models.Model):
    """A ground for recusal (回避事由) the office can edit (docs/rules.md §3)."""

    office = models.ForeignKey(
        "organisations.Office", on_delete=models.CASCADE, related_name="recusal_grounds"
    )
    name = models.CharField(_("ground"), max_length=100)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("recusal ground")
        verbose_name_plural = _("recusal grounds")
        constraints = [
            models.UniqueConstraint(fields=["office", "name"], name="recusal_ground_unique")
        ]

    def __str__(self):
        return self.name


DEFAULT_RECUSAL_GROUNDS = [
    # Kept as data so each office can edit the list (the national grounds are unconfirmed).
    "近亲属担任该单位领导",
    "曾在该单位任职未满规定年限",
    "被督导单位申请回避",
    "其他利害关系",
]


class Conflict(models.Model):
    """A recorded relation between an inspector and a school that bars assignment."""

    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="conflicts")
    school = models.ForeignKey(
        "schools.School", on_delete=models.CASCADE, related_name="inspector_conflicts"
    )
    ground = models.ForeignKey(RecusalGround, on_delete=models.PROTECT, verbose_name=_("ground"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [
            models.UniqueConstraint(
                fields=["inspector", "school", "ground"], name="conflict_unique"
            )
        ]

    def __str__(self):
        return f"{self.inspector} – {self.school}: {self.ground}"


def current_assignment_q(on: datetime.date | None = None, prefix: str = "") -> Q:
    """The one meaning of "current" (在任) for an assignment: started on or before `on` and not
    ended before it (`end_date` is inclusive). `on` defaults to today in Asia/Shanghai.
    `prefix` lets a query on another model follow a relation ("assignments__")."""
    on = on or timezone.localdate()
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})
    )


def current_school_ids(inspector_id: int, on: datetime.date | None = None) -> list[int]:
    """The ids of the schools assigned to an inspector on `on` (today by default), read once
    per request (dudao/core/request_memo.py): scopes and lists filter on the literal ids
    instead of repeating the assignment subquery in each of a page's queries."""
    from dudao.core import request_memo

    on = on or timezone.localdate()
    return request_memo.memoised(
        ("current_school_ids", inspector_id, on),
        lambda: sorted(
            Assignment.objects.unscoped()
            .current(on)
            .filter(inspector_id=inspector_id)
            .order_by()
            .values_list("school_id", flat=True)
            .distinct()
        ),
    )


class CurrentAssignments:
    def current(self, on: datetime.date | None = None):
        """Assignments in force on `on` (today by default): see `current_assignment_q`."""
        return self.filter(current_assignment_q(on))


class AssignmentQuerySet(CurrentAssignments, ScopedQuerySet):
    """`Assignment.objects`: scoped, with `current()`."""


class AllAssignmentsQuerySet(CurrentAssignments, models.QuerySet):
    """Django's default manager (related managers: `school.assignments.current()`)."""


class Assignment(models.Model):
    """Listed supervision (挂牌督导): an inspector is the school's responsible inspector from
    `start_date` to `end_date` (inclusive; open-ended while current). History is kept: a
    reassignment ends the previous row instead of editing it."""

    inspector = models.ForeignKey(Inspector, on_delete=models.PROTECT, related_name="assignments")
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="assignments"
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    all_objects = AllAssignmentsQuerySet.as_manager()  # Django's default manager
    objects = ScopedManager.from_queryset(AssignmentQuerySet)()

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-start_date", "-pk"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        indexes = [
            models.Index(fields=["inspector", "end_date"]),
            models.Index(fields=["school", "start_date"]),
        ]
        constraints = [
            # One responsible inspector per school at a time.
            models.UniqueConstraint(
                fields=["school"],
                condition=Q(end_date__isnull=True),
                name="one_current_inspector_per_school",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="assignment_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.inspector} → {self.school}"

    def is_current_on(self, on: datetime.date | None = None) -> bool:
        """In force on `on` (today by default): the Python twin of `current_assignment_q`."""
        on = on or timezone.localdate()
        return self.start_date <= on and (self.end_date is None or self.end_date >= on)

    @property
    def is_current(self) -> bool:
        return self.is_current_on()


# --------------------------------------------------------------------------- terms and certificates
# Issue 15 §1, docs/rules.md §31: appointments (任期, with the letter's number) and
# qualification and training certificates (督学资格证, 培训合格证), with reminders before they end.


class Term(models.Model):
    """One appointment of an inspector (聘任): from `start_date` to `end_date` (inclusive), by the
    letter `letter_number` (聘书编号 or 文件号). Part-time inspectors serve three-year terms
    (RULES §6a); the dates are what the letter says. Terms of one inspector never overlap."""

    office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="inspector_terms"
    )
    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="terms")
    start_date = models.DateField(_("term start"))
    end_date = models.DateField(_("term end"))
    letter_number = models.CharField(
        _("letter number"),
        max_length=60,
        help_text=_("The number of the appointment letter or document, e.g. 上督〔2024〕3号."),
    )
    appointed_by = models.CharField(_("appointed by"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The end date a reminder was sent for (docs/rules.md §31): once per end date.
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-start_date", "-pk"]
        verbose_name = _("term of appointment")
        verbose_name_plural = _("terms of appointment")
        indexes = [models.Index(fields=["office", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="term_end_after_start"
            )
        ]

    def __str__(self):
        return f"{self.inspector} {self.start_date:%Y-%m-%d}–{self.end_date:%Y-%m-%d}"

    def is_current_on(self, on: datetime.date) -> bool:
        return self.start_date <= on <= self.end_date


class Certificate(ChoiceLabels, models.Model):
    """A qualification or training certificate of an inspector (督学资格证, 培训合格证), with its
    dates and scans (`CertificateFile`). `expires_on` blank: it does not expire."""

    class Kind(models.TextChoices):
        QUALIFICATION = "qualification", _("Inspector qualification (督学资格)")
        TRAINING = "training", _("Training certificate")
        OTHER = "other", _("Other certificate")

    office = models.ForeignKey(
        "organisations.Office", on_delete=models.PROTECT, related_name="inspector_certificates"
    )
    inspector = models.ForeignKey(Inspector, on_delete=models.CASCADE, related_name="certificates")
    kind = models.CharField(
        pgettext_lazy("certificate", "kind"), max_length=15, choices=Kind.choices
    )
    name = models.CharField(_("certificate"), max_length=100)
    number = models.CharField(_("certificate number"), max_length=60, blank=True)
    issuer = models.CharField(_("issued by"), max_length=100, blank=True)
    issued_on = models.DateField(_("issued on"))
    expires_on = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-issued_on", "-pk"]
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        indexes = [models.Index(fields=["office", "expires_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(expires_on__gte=models.F("issued_on")),
                name="certificate_expires_after_issue",
            )
        ]

    def __str__(self):
        return f"{self.inspector} {self.name}"


class CertificateFile(StoredFile):
    """A scan of a certificate (checked by `dudao.core.files.check_upload`)."""

    UPLOAD_DIR = "inspectors/certificates"

    certificate = models.ForeignKey(Certificate, on_delete=models.CASCADE, related_name="files")

    class Meta(StoredFile.Meta):
        verbose_name = _("certificate file")
        verbose_name_plural = _("certificate files")
        constraints = [
            models.UniqueConstraint(fields=["certificate", "sha256"], name="certificate_file_once")
        ]


class InspectorRules(models.Model):
    """The office's reminder days before a term or a certificate ends (docs/rules.md §31:
    numbers are data). An office without a row uses the defaults (`inspector_rules_for`)."""

    office = models.OneToOneField(
        "organisations.Office", on_delete=models.CASCADE, related_name="inspector_rules"
    )
    term_reminder_days = models.PositiveSmallIntegerField(
        _("remind this many days before a term ends"), default=60
    )
    certificate_reminder_days = models.PositiveSmallIntegerField(
        _("remind this many days before a certificate expires"), default=30
    )

    class Meta:
        verbose_name = _("inspector reminders")
        verbose_name_plural = _("inspector reminders")

    def __str__(self):
        return f"{self.office}"


def inspector_rules_for(office_id) -> InspectorRules:
    rules = InspectorRules.objects.filter(office_id=office_id).first()
    return rules or InspectorRules(office_id=office_id)
