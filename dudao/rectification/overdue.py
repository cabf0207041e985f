"""The overdue check (逾期): run daily by `manage.py check_overdue` or the
`check_overdue_task` task. Idempotent: a second run the same day changes nothing."""

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Finding
from .workflow import ACTIVE, TERMINAL, Event, record_event

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
    Finding.objects.unscoped().filter(pk__in=[f.pk for f in to_mark]).update(is_overdue=True)
    Finding.objects.unscoped().filter(pk__in=[f.pk for f in to_clear]).update(is_overdue=False)
    return {"marked": len(to_mark), "cleared": len(to_clear)}
