"""Figures about visits for dashboards and reports. Each function is a fixed number of
aggregate queries whatever the number of schools (no N+1); pass an already scoped queryset
(`dudao.accounts.scoping.schools_for(user)`) so nobody sees figures outside their scope.

Only submitted visits count. Dates are local (Asia/Shanghai) dates: `Visit.visited_on`.
"""

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone

from dudao.inspectors.models import Inspector, Zone, current_school_ids
from dudao.schools.models import School

from . import school_rules
from .models import SixMinimum, Visit, VisitMethod


@dataclass(frozen=True)
class Semester:
    """A semester (学期): autumn Sep 1 – Jan 31, spring Feb 1 – Aug 31 (summer included,
    so every day belongs to exactly one semester). `school_year` is the autumn year."""

    start: datetime.date
    end: datetime.date  # inclusive
    school_year: int
    term: int  # 1 autumn (第一学期), 2 spring (第二学期)

    @property
    def label(self) -> str:
        return f"{self.school_year}-{self.school_year + 1}学年第{'一二'[self.term - 1]}学期"

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


def semester_of(day: datetime.date | None = None) -> Semester:
    day = day or timezone.localdate()
    if day.month >= 9:
        year = day.year
        return Semester(datetime.date(year, 9, 1), datetime.date(year + 1, 1, 31), year, 1)
    if day.month == 1:
        year = day.year - 1
        return Semester(datetime.date(year, 9, 1), datetime.date(year + 1, 1, 31), year, 1)
    year = day.year - 1
    return Semester(datetime.date(day.year, 2, 1), datetime.date(day.year, 8, 31), year, 2)


def month_range(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    """First and last day (inclusive) of a month."""
    return (
        datetime.date(year, month, 1),
        datetime.date(year, month, calendar.monthrange(year, month)[1]),
    )


def _this_month(year, month) -> tuple[int, int]:
    if year is None or month is None:
        today = timezone.localdate()
        return today.year, today.month
    return year, month


def submitted_visits() -> QuerySet[Visit]:
    return Visit.objects.unscoped().filter(status=Visit.Status.SUBMITTED)


def visits_in(first: datetime.date, last: datetime.date) -> QuerySet[Visit]:
    return submitted_visits().filter(visited_on__gte=first, visited_on__lte=last)


def visits_per_school(
    schools: QuerySet[School], year: int | None = None, month: int | None = None
) -> dict[int, int]:
    """School id → number of submitted visits in the month; schools without any are 0."""
    first, last = month_range(*_this_month(year, month))
    counts = dict(
        visits_in(first, last)
        .filter(school__in=schools)
        .values("school")
        .annotate(n=Count("pk"))
        .values_list("school", "n")
    )
    return {pk: counts.get(pk, 0) for pk in schools.values_list("pk", flat=True)}


def _visits_of(window: "school_rules.Window", last: datetime.date, with_host: bool):
    rows = visits_in(window.start, min(window.end, last))
    if with_host:
        return rows.filter(Q(school=OuterRef("pk")) | Q(school=OuterRef("host_school_id")))
    return rows.filter(school=OuterRef("pk"))


def _done(index: int, rows, required: int, annotations: dict) -> Q:
    """Q: the outer school has at least `required` of `rows` (an Exists when one)."""
    if required == 1:
        return Q(Exists(rows))
    name = f"_visits_{index}"
    counted = rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    annotations[name] = Subquery(counted, output_field=IntegerField())
    return Q(**{f"{name}__gte": required})


def _coverage(
    schools: QuerySet[School], year, month, book: "school_rules.RuleBook | None"
) -> tuple[dict, Q]:
    """(annotations, Q): the Q holds for a school visited as often as its rule asks."""
    year, month = _this_month(year, month)
    first, last = month_range(year, month)
    book = book if book is not None else school_rules.RuleBook.for_schools(schools)
    in_month = Q(Exists(visits_in(first, last).filter(school=OuterRef("pk"))))
    classes = [] if book.all_default_frequency() else school_rules.window_classes(book, last)
    if not classes:
        return {}, in_month
    annotations = {
        "_enrolment": school_rules.ENROLMENT,
        "_host_enrolment": school_rules.HOST_ENROLMENT,
    }
    covered, anywhere = Q(pk__in=[]), Q(pk__in=[])
    for index, group in enumerate(classes):
        rows = _visits_of(group.window, last, group.with_host)
        covered |= group.condition & _done(index, rows, group.window.required, annotations)
        anywhere |= group.condition
    return annotations, covered | (~anywhere & in_month)


def with_coverage(
    schools: QuerySet[School],
    year: int | None = None,
    month: int | None = None,
    book: "school_rules.RuleBook | None" = None,
) -> QuerySet[School]:
    """`schools` annotated with `_covered` (1 or 0): visited as often as its office's rule
    for its type and size asks, in the window containing the month, counting visits up to
    the month's last day (docs/rules.md §6). With the default rule everywhere (once a month)
    that is one submitted visit in the month."""
    annotations, covered = _coverage(schools, year, month, book)
    return schools.annotate(**annotations).annotate(
        _covered=Case(When(covered, then=Value(1)), default=Value(0), output_field=IntegerField())
    )


def not_covered(
    schools: QuerySet[School],
    year: int | None = None,
    month: int | None = None,
    book: "school_rules.RuleBook | None" = None,
) -> QuerySet[School]:
    """The schools of `schools` not visited as often as their rule asks (see
    `with_coverage`); with the default rule, NOT EXISTS a visit in the month."""
    annotations, covered = _coverage(schools, year, month, book)
    return schools.annotate(**annotations).filter(~covered)


def schools_not_visited(
    schools: QuerySet[School], year: int | None = None, month: int | None = None
) -> QuerySet[School]:
    """Active schools of `schools` not visited as often as their rule asks by the end of the
    month (docs/rules.md §6): by default, no submitted visit (by anyone) in the month."""
    return not_covered(schools.filter(is_active=True), year, month)


def assigned_schools(inspector: Inspector, day: datetime.date | None = None) -> QuerySet[School]:
    """The schools `inspector` is responsible for on `day` (default today)."""
    return School.objects.unscoped().filter(pk__in=current_school_ids(inspector.pk, day))


def not_visited_for_inspector(inspector, year=None, month=None) -> QuerySet[School]:
    year, month = _this_month(year, month)
    return schools_not_visited(
        assigned_schools(inspector, month_range(year, month)[1]), year, month
    )


def not_visited_in_zone(zone: Zone, year=None, month=None) -> QuerySet[School]:
    return schools_not_visited(School.objects.unscoped().filter(zone=zone), year, month)


def not_visited_in_office(office, year=None, month=None) -> QuerySet[School]:
    return schools_not_visited(School.objects.unscoped().filter(office=office), year, month)


def days_since_last_visit(
    schools: QuerySet[School], today: datetime.date | None = None
) -> dict[int, int | None]:
    """School id → days since its last submitted visit (0 = today), None if never visited."""
    today = today or timezone.localdate()
    last = schools.annotate(
        last=Max("visits__visited_on", filter=Q(visits__status=Visit.Status.SUBMITTED))
    ).values_list("pk", "last")
    return {pk: (today - day).days if day else None for pk, day in last}


def six_minimums_progress(
    schools: QuerySet[School],
    day: datetime.date | None = None,
    until: datetime.date | None = None,
) -> dict[int, dict[str, int]]:
    """School id → {minimum key: times done this semester} for the minimums its office asks
    of its type (docs/rules.md §8: the six for compulsory-education types by default, none
    for kindergartens). Three queries: the schools, their offices' rules and the semester's
    visits, whose JSON lists are counted in Python (portable across SQLite and PostgreSQL).
    `until` counts the semester's visits up to that day only (a month-end report, §14)."""
    semester = semester_of(day)
    found = list(schools.values_list("pk", "office_id", "type"))
    book = school_rules.RuleBook({office_id for _pk, office_id, _type in found})
    progress = {
        pk: dict.fromkeys(book.minimums(office_id, school_type), 0)
        for pk, office_id, school_type in found
    }
    end = min(semester.end, until) if until else semester.end
    rows = visits_in(semester.start, end).filter(school__in=schools)
    for school_id, minimums in rows.values_list("school_id", "minimums").iterator():
        for key in minimums or []:
            if key in progress[school_id]:
                progress[school_id][key] += 1
    return progress


def minimums_missing(progress: dict[str, int]) -> list[str]:
    """The keys of the minimums asked (the keys of `progress`) not yet done, in order."""
    return [key for key in SixMinimum.values if key in progress and not progress[key]]


def days_in_field(
    inspectors: QuerySet[Inspector], year: int | None = None, month: int | None = None
) -> dict[int, int]:
    """Inspector id → distinct days with at least one submitted visit in the month."""
    first, last = month_range(*_this_month(year, month))
    counts = defaultdict(
        int,
        visits_in(first, last)
        .filter(inspector__in=inspectors)
        .values("inspector")
        .annotate(days=Count("visited_on", distinct=True))
        .values_list("inspector", "days"),
    )
    return {pk: counts[pk] for pk in inspectors.values_list("pk", flat=True)}


def filter_visit_list(qs: QuerySet[Visit], data: dict) -> QuerySet[Visit]:
    """The visit list's zone, date-range and unannounced filters (`VisitFilterForm`): what a
    half-year or annual summary's visit figures link to (docs/rules.md §30). Feedback dates
    are Beijing days of `feedback_issued_at`."""
    if data.get("zone"):
        qs = qs.filter(school__zone=data["zone"])
    if data.get("visited_from"):
        qs = qs.filter(visited_on__gte=data["visited_from"])
    if data.get("visited_to"):
        qs = qs.filter(visited_on__lte=data["visited_to"])
    if data.get("unannounced") == "yes":
        qs = qs.filter(unannounced=True)
    elif data.get("unannounced") == "no":
        qs = qs.filter(unannounced=False)
    if data.get("feedback_from"):
        qs = qs.filter(feedback_issued_at__date__gte=data["feedback_from"])
    if data.get("feedback_to"):
        qs = qs.filter(feedback_issued_at__date__lte=data["feedback_to"])
    return qs


def visit_counts(visits: QuerySet[Visit]) -> dict:
    """What a monthly report (docs/rules.md §14) says of `visits` (already the month's
    submitted visits in the reader's scope): how many, how many unannounced (四不两直,
    §7), and per method (`VisitMethod`) and per six minimum (`SixMinimum`, §8) how many
    visits recorded it. One query; the JSON lists are counted in Python, as in
    `six_minimums_progress` (portable across SQLite and PostgreSQL)."""
    counts = {
        "visits": 0,
        "unannounced": 0,
        "methods": dict.fromkeys(VisitMethod.values, 0),
        "minimums": dict.fromkeys(SixMinimum.values, 0),
    }
    rows = visits.order_by().values_list("unannounced", "methods", "minimums")
    for unannounced, methods, minimums in rows.iterator():
        counts["visits"] += 1
        counts["unannounced"] += bool(unannounced)
        for key, done in (("methods", methods), ("minimums", minimums)):
            for value in set(done or []):
                if value in counts[key]:
                    counts[key][value] += 1
    return counts
