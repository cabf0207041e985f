"""The daily check (逾期与督促): run by `manage.py check_overdue` or the `check_overdue_task`
task (`dudao/core/schedule.py`, 00:10 Beijing time). `daily_check` runs both parts:

- `mark_overdue`: the overdue flag beside the status (docs/rules.md §10);
- `urge_missed_dates`: a school that let its notice's deadline, or its last urging's date,
  pass without responding is urged (督促) through the workflow (docs/rules.md §10-§11).

Idempotent: a second run the same day changes nothing, and a run after missed days urges
once per missed date (each urging sets the next date to respond by, after today)."""

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from dudao.core.errors import DomainError
from dudao.core.guards import SYSTEM

from .models import Finding
from .signals import findings_bulk_updated
from .workflow import ACTIVE, TERMINAL, URGEABLE, Event, record_event

# Offices are all on Beijing time; the office's local date decides what is overdue.
OFFICE_TIMEZONE = ZoneInfo("Asia/Shanghai")


def office_today() -> datetime.date:
    return timezone.localdate(timezone=OFFICE_TIMEZONE)


@transaction.atomic
def mark_overdue(today: datetime.date | None = None) -> dict[str, int]:
    """Flag active findings whose deadline has passed (`is_overdue`, one "overdue" event per
    overdue spell) and clear the flag on findings closed, withdrawn or given a later
    deadline ("overdue_cleared" event for those still active). The status is untouched and so
    is `version`: a nightly job must not make the users' open forms stale."""
    today = today or office_today()
    to_mark = list(
        Finding.objects.unscoped()
        .select_for_update()
        .filter(status__in=ACTIVE, deadline__lt=today, is_overdue=False)
        .order_by("pk")
    )
    to_clear = list(
        Finding.objects.unscoped()
        .select_for_update()
        .filter(is_overdue=True)
        .filter(Q(status__in=TERMINAL) | Q(deadline__gte=today))
        .order_by("pk")
    )
    for finding in to_mark:
        finding.is_overdue = True
        record_event(
            finding,
            Event.OVERDUE,
            None,
            from_status=finding.status,
            data={"deadline": str(finding.deadline), "checked_on": str(today)},
        )
    for finding in to_clear:
        finding.is_overdue = False
        if finding.status in ACTIVE:
            record_event(
                finding,
                Event.OVERDUE_CLEARED,
                None,
                from_status=finding.status,
                data={"deadline": str(finding.deadline), "checked_on": str(today)},
            )
    now = timezone.now()  # bumps updated_at: the changes feed (docs/api.md) sees the flag
    Finding.objects.unscoped().filter(pk__in=[f.pk for f in to_mark]).update(
        is_overdue=True, updated_at=now
    )
    Finding.objects.unscoped().filter(pk__in=[f.pk for f in to_clear]).update(
        is_overdue=False, updated_at=now
    )
    if to_mark or to_clear:  # counters kept in this transaction (dudao/rollup)
        findings_bulk_updated.send(sender=Finding, pks=[f.pk for f in to_mark + to_clear])
    return {"marked": len(to_mark), "cleared": len(to_clear)}


def urge_missed_dates(today: datetime.date | None = None) -> dict[str, int]:
    """Urge (督促) every finding waiting for the school's answer (notice issued, or urged)
    whose date to answer by has passed: the deadline, or the last urging's `respond_by` if
    later (docs/rules.md §10). Each urging is the workflow's "urge" transition taken by
    SYSTEM (history row, audit row, notifications on commit), in its own transaction, and
    sets `respond_by` to today + the office's `urge_response_days`, so the finding is not
    due again today: a second run, or a run after missed days, urges once per missed date.
    A finding a person changed meanwhile (stale version) waits for the next run. At the
    office's threshold the urging escalates the finding to the county office (§11)."""
    from .services import urge_missed_date

    today = today or office_today()
    due = (
        Finding.objects.unscoped()
        .filter(status__in=URGEABLE)
        .alias(answer_due=Greatest("deadline", Coalesce("respond_by", "deadline")))
        .filter(answer_due__lt=today)
        .order_by("pk")
    )
    urged = escalated = 0
    for finding in list(due):
        try:
            with transaction.atomic():
                after = urge_missed_date(
                    SYSTEM, finding, expected_version=finding.version, today=today
                )
        except DomainError:
            continue
        urged += 1
        escalated += after.escalated_to != finding.escalated_to
    return {"urged": urged, "escalated": escalated}


def daily_check(today: datetime.date | None = None) -> dict[str, int]:
    """The daily job: the overdue flags, then the urgings for missed dates."""
    today = today or office_today()
    return {**mark_overdue(today), **urge_missed_dates(today)}
