"""Periodic returns (定期报送): the office asks a set of schools to fill in a checklist on a
schedule — during "双减", every school reported its indicators on the 15th and the last day
of each month — sees who has reported, who is late and who has not, reminds them, and reads
the figures over time (docs/rules.md, "Periodic returns"). Writes go through
`dudao.returns.services`."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from dudao.core.history import HistoryRecord
from dudao.core.models import ChoiceLabels
from dudao.core.scopes import ScopedManager


class Schedule(models.TextChoices):
    HALF_MONTHLY = "half_monthly", _("The 15th and the last day of each month")  # 半月报
    MONTHLY = "monthly", _("The last day of each month")  # 月报
    MONTHLY_ON_DAY = "monthly_day", _("A given day of each month")
    WEEKLY = "weekly", _("Every week")  # due on `due_day` (1 Monday … 7 Sunday)


class PeriodicReturn(ChoiceLabels, models.Model):
    """A return (报送任务): a checklist, a schedule and the schools that must report."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Running")  # 进行中
        CLOSED = "closed", _("Closed")

    office = models.ForeignKey(
        "organisations.Office",
        on_delete=models.PROTECT,
        related_name="periodic_returns",
        verbose_name=_("supervision office"),
    )
    title = models.CharField(_("title"), max_length=200)
    checklist = models.ForeignKey(
        "checklists.ChecklistTemplate",
        on_delete=models.PROTECT,
        related_name="periodic_returns",
        verbose_name=_("checklist"),
    )
    schedule = models.CharField(
        _("schedule"), max_length=12, choices=Schedule.choices, default=Schedule.HALF_MONTHLY
    )
    # The day of the month (MONTHLY_ON_DAY, 1–28) or of the week (WEEKLY, 1–7).
    due_day = models.PositiveSmallIntegerField(_("due day"), null=True, blank=True)
    starts_on = models.DateField(_("first period from"))
    ends_on = models.DateField(_("last due date"), null=True, blank=True)
    # Reminders go to schools that have not reported this many days before a due date.
    remind_days_before = models.PositiveSmallIntegerField(_("remind days before"), default=1)
    schools = models.ManyToManyField(
        "schools.School", related_name="periodic_returns", verbose_name=_("schools")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("periodic return")
        verbose_name_plural = _("periodic returns")

    def __str__(self):
        return self.title


class ReturnPeriod(models.Model):
    """One due date of a return (一期), e.g. the return of 15 March."""

    periodic_return = models.ForeignKey(
        PeriodicReturn, on_delete=models.CASCADE, related_name="periods"
    )
    office = models.ForeignKey("organisations.Office", on_delete=models.PROTECT, related_name="+")
    opens_on = models.DateField(_("opens on"))
    due_on = models.DateField(_("due on"))

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["periodic_return", "due_on"]
        verbose_name = _("return period")
        verbose_name_plural = _("return periods")
        constraints = [
            models.UniqueConstraint(fields=["periodic_return", "due_on"], name="period_once")
        ]
        indexes = [models.Index(fields=["office", "due_on"])]

    def __str__(self):
        return f"{self.periodic_return} {self.due_on:%Y-%m-%d}"


class ReturnSubmission(ChoiceLabels, models.Model):
    """A school's report for one period; a row exists for every school once the period
    opens, so "not reported" is a row too."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Not reported")
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Reported")

    period = models.ForeignKey(ReturnPeriod, on_delete=models.CASCADE, related_name="submissions")
    office = models.ForeignKey("organisations.Office", on_delete=models.PROTECT, related_name="+")
    school = models.ForeignKey(
        "schools.School", on_delete=models.PROTECT, related_name="return_submissions"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    submitted_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Reported after the due date's end (Beijing time).
    is_late = models.BooleanField(_("late"), default=False)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders"), default=0)
    last_reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    # A repeated submission from the phone finds the same report.
    client_uuid = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    all_objects = models.Manager()
    objects = ScopedManager()

    class Meta:
        default_manager_name = "all_objects"
        ordering = ["period", "school"]
        verbose_name = _("return submission")
        verbose_name_plural = _("return submissions")
        constraints = [models.UniqueConstraint(fields=["period", "school"], name="submission_once")]
        indexes = [
            models.Index(fields=["school", "status"]),
            models.Index(fields=["period", "status"]),
        ]

    def __str__(self):
        return f"{self.period} · {self.school}"


class ReturnAnswer(models.Model):
    submission = models.ForeignKey(
        ReturnSubmission, on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        "checklists.ChecklistItem", on_delete=models.PROTECT, related_name="return_answers"
    )
    value = models.JSONField(_("answer"), null=True, blank=True)
    compliant = models.BooleanField(_("compliant"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["submission", "item__position"]
        verbose_name = _("return answer")
        verbose_name_plural = _("return answers")
        constraints = [
            models.UniqueConstraint(fields=["submission", "item"], name="return_answer_once")
        ]

    def __str__(self):
        return f"{self.submission} · {self.item.code}"


class ReturnEvent(HistoryRecord):
    """One line of a return's history (draft → active → closed, periods opened), written by
    the workflow engine (`dudao.returns.workflow`)."""

    periodic_return = models.ForeignKey(
        PeriodicReturn, on_delete=models.PROTECT, related_name="events"
    )

    class Meta(HistoryRecord.Meta):
        verbose_name = _("return event")
        verbose_name_plural = _("return events")
        indexes = [models.Index(fields=["periodic_return", "at"])]


class SubmissionEvent(HistoryRecord):
    """One line of a school's report's history (saved, reported, revised, reminded)."""

    submission = models.ForeignKey(
        ReturnSubmission, on_delete=models.PROTECT, related_name="events"
    )

    class Meta(HistoryRecord.Meta):
        verbose_name = _("return submission event")
        verbose_name_plural = _("return submission events")
        indexes = [models.Index(fields=["submission", "at"])]
