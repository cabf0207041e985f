"""The daily check of complaints (逾期与督办), like the findings' (`rectification/overdue.py`):
`check_overdue_complaints()` runs as the `check_overdue_complaints` job
(`dudao/core/schedule.py`, `tasks.check_overdue_complaints_task`).

- A complaint still waiting for its reply (received, assigned, being investigated) whose
  deadline has passed is flagged overdue (`is_overdue`, beside the status) with an
  "overdue" history line: that is its first urging (`urge_count` 1), and its inspector and
  the office admins are told.
- While it stays overdue it is urged again every `ComplaintRules.urge_days` days (default 3)
  with an "urged" line, and they are told again.
- The flag is cleared from a complaint replied to, closed, transferred or merged, or given
  a later deadline ("overdue_cleared" for one still open).

Nothing here changes a status or the `version` (a nightly job must not make the users'
open forms stale). Idempotent: a second run the same day changes nothing, and a run after
nights the job missed urges once, not once per missed night.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dudao.audit import services as audit
from dudao.core.guards import SYSTEM

from .models import OPEN_STATUSES, Complaint, ComplaintRules
from .workflow import Event, record_event


def _urge_days(office_ids) -> dict[int, int]:
    days = dict(
        ComplaintRules.objects.filter(office_id__in=office_ids).values_list(
            "office_id", "urge_days"
        )
    )
    default = ComplaintRules._meta.get_field("urge_days").default
    return {office_id: days.get(office_id, default) for office_id in office_ids}


@transaction.atomic
def check_overdue_complaints(today: datetime.date | None = None, *, offices=None) -> dict[str, int]:
    """The daily job (every office; `offices`: only these, for the demo's replay of past
    nights). Returns how many complaints were marked overdue, urged and cleared."""
    today = today or timezone.localdate()
    rows = Complaint.objects.unscoped().select_for_update()
    if offices is not None:
        rows = rows.filter(office__in=offices)
    to_mark = list(
        rows.filter(status__in=OPEN_STATUSES, deadline__lt=today, is_overdue=False).order_by("pk")
    )
    overdue = list(
        rows.filter(status__in=OPEN_STATUSES, deadline__lt=today, is_overdue=True).order_by("pk")
    )
    to_clear = list(
        rows.filter(is_overdue=True)
        .filter(~Q(status__in=OPEN_STATUSES) | Q(deadline__gte=today))
        .order_by("pk")
    )
    every = _urge_days({c.office_id for c in overdue})
    to_urge = [
        c
        for c in overdue
        if c.last_urged_on is None
        or c.last_urged_on + datetime.timedelta(days=every[c.office_id]) <= today
    ]
    checked = {"checked_on": str(today)}
    for complaint in to_mark:
        complaint.is_overdue, complaint.urge_count = True, complaint.urge_count + 1
        complaint.last_urged_on = today
        Complaint.objects.unscoped().filter(pk=complaint.pk).update(
            is_overdue=True, urge_count=complaint.urge_count, last_urged_on=today
        )
        record_event(
            complaint,
            Event.OVERDUE,
            None,
            data={"deadline": str(complaint.deadline), "urge_count": complaint.urge_count}
            | checked,
        )
    for complaint in to_urge:
        before = complaint.urge_count
        complaint.urge_count, complaint.last_urged_on = before + 1, today
        Complaint.objects.unscoped().filter(pk=complaint.pk).update(
            urge_count=complaint.urge_count, last_urged_on=today
        )
        record_event(
            complaint,
            Event.URGED,
            None,
            data={"deadline": str(complaint.deadline), "urge_count": complaint.urge_count}
            | checked,
        )
        audit.record(SYSTEM, audit.Action.UPDATE, complaint, {"urge_count": [before, before + 1]})
    for complaint in to_clear:
        complaint.is_overdue = False
        Complaint.objects.unscoped().filter(pk=complaint.pk).update(is_overdue=False)
        if complaint.status in OPEN_STATUSES:
            record_event(
                complaint,
                Event.OVERDUE_CLEARED,
                None,
                data={"deadline": str(complaint.deadline)} | checked,
            )
    return {"marked": len(to_mark), "urged": len(to_urge), "cleared": len(to_clear)}
