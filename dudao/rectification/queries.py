"""Read queries over findings (pass scoped querysets): the ledger's figures, the on-time
rate (按期整改率) and the findings as they stood at a moment (month-end reports)."""

import datetime
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from .models import AccountabilityCase, Finding, FindingEvent, FindingStatus, Severity
from .workflow import ACTIVE, Action, Event


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


# --- findings as they stood at a moment (month-end reports), docs/rules.md §14 ---------------


def start_of(day: datetime.date) -> datetime.datetime:
    """00:00 Beijing time on `day` (aware)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def as_of(findings: QuerySet[Finding], until: datetime.datetime) -> QuerySet[Finding]:
    """`findings` with their status just before `until` (aliases, for filters; annotate
    `F("status_then")` to read them), reconstructed from the workflow history:

    - `status_then`: the `to_status` of the last history row before `until`; else the
      `from_status` of the first row after it ("open" when that row is the finding's
      creation: found before, recorded after); else, for a finding without history (rows
      written directly), its status now, "open" if it was closed at or after `until`;
    - `closed_then`: when it last entered "closed" before `until` (else `closed_at` if
      before `until`, for rows without history).

    Correlated subqueries on the history's (finding, at) index: a fixed number of queries."""
    events = FindingEvent.objects.filter(finding=OuterRef("pk"))
    before = events.filter(at__lt=until).order_by("-at", "-pk").values("to_status")[:1]
    after = events.filter(at__gte=until).order_by("at", "pk").values("from_status")[:1]
    closing = (
        events.filter(at__lt=until, to_status=FindingStatus.CLOSED)
        .exclude(from_status=FindingStatus.CLOSED)
        .order_by("-at", "-pk")
        .values("at")[:1]
    )
    return findings.alias(status_before=Subquery(before), status_after=Subquery(after)).alias(
        status_then=Case(
            When(status_before__isnull=False, then=F("status_before")),
            When(status_after="", then=Value(FindingStatus.OPEN)),
            When(status_after__isnull=False, then=F("status_after")),
            When(
                status=FindingStatus.CLOSED,
                closed_at__gte=until,
                then=Value(FindingStatus.OPEN),
            ),
            default=F("status"),
            output_field=CharField(),
        ),
        closed_then=Coalesce(
            Subquery(closing),
            Case(When(closed_at__lt=until, then=F("closed_at")), output_field=DateTimeField()),
        ),
    )


@dataclass
class MonthEnd:
    """The findings of a month as they stood at its end (the last day, Beijing time):
    querysets over the reader's `findings`, status as of then (`as_of`)."""

    found: QuerySet[Finding]  # found in the month (whatever became of them)
    closed: QuerySet[Finding]  # closed in the month and still closed at its end
    active: QuerySet[Finding]  # found by the month's end and still being dealt with then
    overdue: QuerySet[Finding]  # of `active`, those past their deadline on the last day
    day: datetime.date  # the day it stands at: the last day, or today in the month itself


def month_end(
    findings: QuerySet[Finding],
    first: datetime.date,
    last: datetime.date,
    today: datetime.date | None = None,
) -> MonthEnd:
    """The month-end snapshot of `findings` for the month `first`..`last`: what a monthly
    report (docs/rules.md §14) shows, whenever it is written. A finding closed on the 5th of
    the next month was open at the month's end; one found after the month does not appear;
    one closed in the month and reopened later was closed then. A month still in progress
    stands as of `today` (overdue: past the deadline today)."""
    today = today or timezone.localdate()
    day = min(last, today)
    until = start_of(day + datetime.timedelta(days=1))
    existed = Q(found_on__lte=last) | Q(found_on__isnull=True, created_at__lt=until)
    found = findings.filter(found_on__gte=first, found_on__lte=last)
    # Only a finding active now, closed since, or with history since can differ from now.
    changed = Exists(FindingEvent.objects.filter(finding=OuterRef("pk"), at__gte=until))
    maybe_active = Q(status__in=ACTIVE) | Q(closed_at__gte=until) | changed
    active = as_of(findings.filter(existed).filter(maybe_active), until).filter(
        status_then__in=ACTIVE
    )
    closed = as_of(findings.filter(existed), until).filter(
        status_then=FindingStatus.CLOSED, closed_then__gte=start_of(first)
    )
    return MonthEnd(
        day=day, found=found, closed=closed, active=active, overdue=active.filter(deadline__lt=day)
    )


# --- the month's rectification work (monthly reports), docs/rules.md §10-§14 ------------------


def _in_month(field: str, first: datetime.date, last: datetime.date) -> Q:
    """`field` (a moment) falls on a Beijing day of `first`..`last`."""
    return Q(
        **{
            f"{field}__gte": start_of(first),
            f"{field}__lt": start_of(last + datetime.timedelta(days=1)),
        }
    )


def notices_issued(notices: QuerySet, first: datetime.date, last: datetime.date) -> int:
    """Rectification notices (整改通知书) of `notices` issued on a day of the month. One
    query."""
    return notices.filter(_in_month("issued_at", first, last)).order_by().count()


# History actions that are an urging (督促, §10: a rejected follow-up check or a missed date,
# each one step of `urge_count`) and that send a finding to the county office (§11-§13: by
# hand, after the urgings or a serious violation recorded, needing another department).
URGING_ACTIONS = (Action.URGE, Action.REJECT)
TO_COUNTY_ACTIONS = (Action.ESCALATE, Action.MARK_NEEDS_OTHER_DEPARTMENT, Event.ESCALATED)


def urgings_and_escalations(
    findings: QuerySet[Finding], first: datetime.date, last: datetime.date
) -> dict[str, int]:
    """From the workflow history of `findings` in the month (Beijing days): `urgings`, the
    urgings of either kind (each counted, so a school urged twice counts twice); `county`,
    `city`, `province`, the findings sent to that level in the month (each finding once per
    level). One aggregate query."""
    events = FindingEvent.objects.filter(finding__in=findings).filter(_in_month("at", first, last))
    row = events.order_by().aggregate(
        urgings=Count("pk", filter=Q(action__in=URGING_ACTIONS)),
        county=Count("finding", distinct=True, filter=Q(action__in=TO_COUNTY_ACTIONS)),
        city=Count("finding", distinct=True, filter=Q(action=Action.ESCALATE_TO_CITY)),
        province=Count("finding", distinct=True, filter=Q(action=Action.ESCALATE_TO_PROVINCE)),
    )
    return {key: row[key] or 0 for key in ("urgings", "county", "city", "province")}


def cases_started_and_closed(
    cases: QuerySet[AccountabilityCase], first: datetime.date, last: datetime.date
) -> dict[str, int]:
    """Accountability cases (问责事项, §13) of `cases` started (启动) and closed (办结) on a
    day of the month. One aggregate query."""
    row = cases.order_by().aggregate(
        started=Count("pk", filter=_in_month("opened_at", first, last)),
        closed=Count("pk", filter=_in_month("closed_at", first, last)),
    )
    return {key: row[key] or 0 for key in ("started", "closed")}


# --- list filters by Beijing days (notices, accountability cases), docs/rules.md §30 ----------


def day_param(params, key: str) -> datetime.date | None:
    """A YYYY-MM-DD query parameter, or None when absent or not a date."""
    try:
        return datetime.date.fromisoformat(str(params.get(key) or ""))
    except ValueError:
        return None


def between_days(qs: QuerySet, field: str, first, last) -> QuerySet:
    """`field` (a moment) on a Beijing day from `first` to `last` (either may be None)."""
    if first:
        qs = qs.filter(**{f"{field}__gte": start_of(first)})
    if last:
        qs = qs.filter(**{f"{field}__lt": start_of(last + datetime.timedelta(days=1))})
    return qs


def filter_notice_list(qs: QuerySet, params) -> QuerySet:
    """The notice list's filters: `zone` (the school's), `issued_from`, `issued_to`: what a
    summary's notice figure links to (counted by `notices_issued`)."""
    zone = str(params.get("zone") or "")
    if zone.isdigit():
        qs = qs.filter(school__zone=int(zone))
    return between_days(
        qs, "issued_at", day_param(params, "issued_from"), day_param(params, "issued_to")
    )


def filter_case_list(qs: QuerySet, params) -> QuerySet:
    """The accountability case list's day filters (`opened_from`/`opened_to`,
    `closed_from`/`closed_to`): what `cases_started_and_closed` counts."""
    qs = between_days(
        qs, "opened_at", day_param(params, "opened_from"), day_param(params, "opened_to")
    )
    return between_days(
        qs, "closed_at", day_param(params, "closed_from"), day_param(params, "closed_to")
    )
