"""Read queries of training (docs/rules.md §29), public for other apps (the half-year and
annual summaries quote "training held" and the hours of each inspector).

The office-level functions take an office (or its id) and read every row of it: call them
for an office the reader is allowed to see (a summary checks its office first). The page
functions take the reader and start from their scope."""

import datetime
import decimal
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from dudao.accounts import scoping
from dudao.inspectors.models import Inspector

from .models import DEFAULT_YEARLY_HOURS, Attendance, Session, TrainingRules

ZERO = decimal.Decimal("0.0")
Presence = Attendance.Presence


def _office_id(office) -> int:
    return getattr(office, "pk", office)


def year_range(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def sessions_held(office, start: datetime.date, end: datetime.date) -> QuerySet[Session]:
    """The office's sessions dated from `start` to `end` (inclusive), oldest first, each
    annotated with `attended` (inspectors who attended) and `credited` (hours credited)."""
    return (
        Session.objects.unscoped()
        .filter(office_id=_office_id(office), date__gte=start, date__lte=end)
        .annotate(
            attended=Count("attendance", filter=Q(attendance__presence=Presence.ATTENDED)),
            credited=Sum("attendance__hours"),
        )
        .order_by("date", "pk")
    )


def training_figures(office, start: datetime.date, end: datetime.date) -> dict:
    """The figures a summary quotes for `start`–`end`: sessions held, their hours, person-times
    attended (人次), distinct inspectors trained and hours credited. Two queries."""
    sessions = Session.objects.unscoped().filter(
        office_id=_office_id(office), date__gte=start, date__lte=end
    )
    held = sessions.aggregate(count=Count("pk"), hours=Sum("hours"))
    attended = Attendance.objects.unscoped().filter(
        session__in=sessions, presence=Presence.ATTENDED
    )
    people = attended.aggregate(
        times=Count("pk"), inspectors=Count("inspector", distinct=True), hours=Sum("hours")
    )
    return {
        "sessions": held["count"] or 0,
        "session_hours": held["hours"] or ZERO,
        "attendances": people["times"] or 0,
        "inspectors_trained": people["inspectors"] or 0,
        "hours_credited": people["hours"] or ZERO,
    }


def hours_by_inspector(office, year: int) -> dict[int, decimal.Decimal]:
    """{inspector id: hours credited in sessions dated in the calendar year `year`}; inspectors
    with no hours are absent. One query."""
    start, end = year_range(year)
    rows = (
        Attendance.objects.unscoped()
        .filter(
            office_id=_office_id(office),
            session__date__gte=start,
            session__date__lte=end,
            presence=Presence.ATTENDED,
        )
        .values("inspector_id")
        .annotate(total=Sum("hours"))
        .order_by()
    )
    return {r["inspector_id"]: r["total"] or ZERO for r in rows}


@dataclass
class HoursRow:
    inspector: Inspector
    hours: decimal.Decimal
    sessions: int
    required: decimal.Decimal

    @property
    def met(self) -> bool:
        return self.hours >= self.required

    @property
    def short(self) -> decimal.Decimal:
        return max(self.required - self.hours, ZERO)


def yearly_table(user, year: int, office=None) -> list[HoursRow]:
    """Each inspector the reader may see (active, or with hours in the year) with their hours
    in `year` against their office's requirement. A fixed number of queries."""
    start, end = year_range(year)
    inspectors = scoping.inspectors_for(user).select_related("office", "zone")
    if office is not None:
        inspectors = inspectors.filter(office_id=_office_id(office))
    attended = scoping.training_attendance_for(user).filter(
        session__date__gte=start, session__date__lte=end, presence=Presence.ATTENDED
    )
    totals = {
        r["inspector_id"]: r
        for r in attended.values("inspector_id")
        .annotate(total=Sum("hours"), sessions=Count("session", distinct=True))
        .order_by()
    }
    inspectors = inspectors.filter(Q(is_active=True) | Q(pk__in=list(totals))).order_by(
        "office__name", "name", "pk"
    )
    inspectors = list(inspectors)
    required = dict(
        TrainingRules.objects.filter(office_id__in={i.office_id for i in inspectors}).values_list(
            "office_id", "yearly_hours"
        )
    )
    rows = []
    for inspector in inspectors:
        required.setdefault(inspector.office_id, DEFAULT_YEARLY_HOURS)
        found = totals.get(inspector.pk) or {}
        rows.append(
            HoursRow(
                inspector=inspector,
                hours=found.get("total") or ZERO,
                sessions=found.get("sessions") or 0,
                required=required[inspector.office_id],
            )
        )
    return rows


def session_list(user, params) -> QuerySet[Session]:
    """The sessions the reader may see, filtered by `year` and `q` (topic or trainer), newest
    first, with the number who attended."""
    qs = scoping.training_sessions_for(user).select_related("office")
    year = str(params.get("year") or "").strip()
    if year.isdigit():
        qs = qs.filter(date__year=int(year))
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(topic__icontains=q) | Q(trainer__icontains=q))
    return qs.annotate(
        attended=Count("attendance", filter=Q(attendance__presence=Presence.ATTENDED))
    ).order_by("-date", "-pk")
