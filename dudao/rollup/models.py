"""Pre-aggregated counters for the city and province roll-up (docs/rules.md §28).

Two small tables, kept exactly in step with visits and findings by `aggregates.refresh_*`,
which the receivers in `receivers.py` call inside the writing transaction (post_save and
post_delete, and the rectification signal `findings_bulk_updated` of the nightly overdue
check). Each refresh recomputes its one slice from the source rows under a lock on the
counter row, so a slice is always what a fresh count would give (`manage.py rebuild_rollup`
recomputes every slice, after an import by COPY or a restore).

Scoped like the rows they count (`scoping.office_months_for`, `school_months_for`): the
office admin its office's, a city or province viewer its region's offices'."""

from django.db import models

from dudao.core.scopes import ScopedManager


class SchoolMonth(models.Model):
    """Submitted visits to one school with a visit date in one month (the first day)."""

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    visits = models.PositiveIntegerField(default=0)

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["school", "month"], name="rollup_school_month_once")
        ]
        indexes = [models.Index(fields=["month", "school"], name="rollup_schoolmonth_month")]

    def __str__(self):
        return f"{self.school_id} {self.month:%Y-%m}: {self.visits}"


class OfficeMonth(models.Model):
    """One county office's counts for one month (the first day):

    - `visits`: submitted visits of the office with a visit date in the month, and
      `visited` the distinct schools they went to (the roll-up's coverage subtracts the
      inactive ones among them, a few rows read through `SchoolMonth`);
    - `found`: findings (not withdrawn) with a date found in the month;
    - the rest are findings whose DEADLINE falls in the month, by their state now: `open`
      (not closed, not withdrawn), `overdue` and `escalated` (open ones so flagged),
      `closed`, `on_time` (closed on or before the deadline, Beijing date), `withdrawn`.
      Summed over every month they give the office's open findings now; for a month that has
      ended, `on_time / (closed + open)` is its on-time rate (docs/rules.md §10)."""

    office = models.ForeignKey("organisations.Office", on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    visits = models.PositiveIntegerField(default=0)
    visited = models.PositiveIntegerField(default=0)
    found = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    escalated = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)

    COUNTERS = (
        "visits",
        "visited",
        "found",
        "open",
        "overdue",
        "escalated",
        "closed",
        "on_time",
        "withdrawn",
    )

    all_objects = models.Manager()  # Django's default manager (docs/architecture.md)
    objects = ScopedManager()  # refuses to run until a scope is chosen

    class Meta:
        default_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["office", "month"], name="rollup_office_month_once")
        ]
        indexes = [models.Index(fields=["month", "office"], name="rollup_officemonth_month")]

    def __str__(self):
        return f"{self.office_id} {self.month:%Y-%m}"

    def counts(self) -> tuple:
        return tuple(getattr(self, name) for name in self.COUNTERS)
