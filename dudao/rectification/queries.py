"""Read queries over findings (pass scoped querysets): the ledger's figures, the on-time
rate (按期整改率) and the findings as they stood at a moment (month-end reports)."""

import datetime

from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.functions import TruncDate

from .models import AccountabilityCase, Finding, FindingStatus, Severity
from .workflow import ACTIVE


def active_findings(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    return findings.filter(status__in=ACTIVE)


def serious_without_case(findings: QuerySet[Finding]) -> QuerySet[Finding]:
    """Serious findings for which the office has not opened an accountability case yet: the
    flag on the office's dashboard (a person decides; nothing is opened automatically)."""
    cases = AccountabilityCase.objects.unscoped().filter(finding=OuterRef("pk"))
    return findings.filter(severity=Severity.SERIOUS).filter(~Exists(cases))


def counts_by_status(findings: QuerySet[Finding]) -> dict[str, int]:
    return dict(findings.values("status").annotate(n=Count("pk")).values_list("status", "n"))


# --- the on-time rate (按期整改率), docs/rules.md §10 -----------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def on_time_rate(
    findings: QuerySet[Finding],
    periods: dict[str, tuple[datetime.date, datetime.date]],
    today: datetime.date,
) -> dict[str, dict]:
    """The on-time rectification rate (按期整改率) of each period, `{name: (first, last)}`, as
    of `today`: the ONE definition (docs/rules.md §10), in ONE aggregate query.

    - due (the denominator): the findings whose deadline falls in the period and that are
      closed, or still open (not closed, not withdrawn) with the deadline before `today`;
    - on time (the numerator): the closed ones whose closing date (the Beijing date of
      `closed_at`) is on or before the deadline;
    - left out: withdrawn findings, and open findings whose deadline is today or later (not
      due yet).

    So an open finding past its deadline counts as late: it is in `due` and `open_late`.
    Each period gives `from`, `to`, `due`, `on_time`, `closed_late`, `open_late` and `rate`
    (None when nothing is due)."""
    if not periods:
        return {}
    start = min(first for first, _last in periods.values())
    end = max(last for _first, last in periods.values())
    closed = Q(status=FindingStatus.CLOSED)
    in_time = closed & Q(closed_on__lte=F("deadline"))
    counts = {}
    for name, (first, last) in periods.items():
        within = Q(deadline__gte=first, deadline__lte=last)
        counts[f"{name}_due"] = Count("pk", filter=within)
        counts[f"{name}_on_time"] = Count("pk", filter=within & in_time)
        counts[f"{name}_open_late"] = Count("pk", filter=within & ~closed)
    row = (
        findings.order_by()
        .filter(deadline__gte=start, deadline__lte=end)
        .filter(closed | Q(status__in=ACTIVE, deadline__lt=today))
        .alias(closed_on=TruncDate("closed_at"))
        .aggregate(**counts)
    )
    out = {}
    for name, (first, last) in periods.items():
        due, timely, open_late = (row[f"{name}_{key}"] for key in ("due", "on_time", "open_late"))
        out[name] = {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "due": due,
            "on_time": timely,
            "closed_late": due - timely - open_late,
            "open_late": open_late,
            "rate": _rate(timely, due),
        }
    return out
