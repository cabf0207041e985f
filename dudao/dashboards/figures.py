"""Dashboard figures (督导工作看板): coverage, visits, six minimums, findings.

Every function takes a `Scope` (what the user may see, already filtered by zone or office)
and returns plain, JSON-ready dicts. Each is a FIXED number of GROUP BY / conditional
aggregate queries whatever the number of schools, visits or findings: no per-school query
and no Python loop over a big queryset (the only Python loops run over already-aggregated
rows: one per zone, office, or per school of a small scope).

Visits are read through `Scope.visits`, filtered on the denormalised `Visit.office` when
the scope is whole offices (so the (office, status, visited_on) index is used), and on the
school only for small scopes (a zone, a zone leader's or an inspector's schools). Findings
are exactly the ledger's rows (`dudao.rectification.ledger.filtered_findings`), so a figure
on the dashboard and the same filter in the ledger always agree.

Only submitted visits count; dates are local (Asia/Shanghai) dates.
"""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.core.sorting import natural_key, natural_sorted
from dudao.core.supervision_items import SUPERVISION_ITEMS
from dudao.inspectors.models import Assignment, Inspector, Zone
from dudao.organisations.models import Office
from dudao.rectification.ledger import filtered_findings
from dudao.rectification.models import ACTIVE_STATUSES, Escalation, Finding
from dudao.rectification.queries import on_time_rate
from dudao.schools.models import School, SchoolType
from dudao.visits import school_rules
from dudao.visits.models import SixMinimum, Visit
from dudao.visits.queries import (
    month_range,
    not_covered,
    semester_of,
    six_minimums_progress,
    with_coverage,
)

MONTHS_SHOWN = 6
SCHOOL_ROWS_MAX = 200  # per-school table rows (a zone has 20-40 schools)
UNVISITED_MAX = 50  # names listed; the total is always given
INSPECTOR_ROWS_MAX = 100

# Age of an open finding = today − date found, in days: (key, first day, last day or None).
AGE_BUCKETS = (("0-7", 0, 7), ("8-30", 8, 30), ("31-90", 31, 90), ("90+", 91, None))


class Level:
    """What one row of the breakdown and visit tables is."""

    OFFICE = "office"  # a county office (viewer, superuser: the province dashboard)
    ZONE = "zone"  # a zone of one county (office admin: the county dashboard)
    SCHOOL = "school"  # a school (a zone, a zone leader's or an inspector's schools)


@dataclass
class Scope:
    level: str
    schools: QuerySet[School]  # schools in scope, active or not
    visits: QuerySet[Visit]  # submitted visits to those schools
    findings: QuerySet[Finding]  # the ledger's rows for this scope
    inspectors: QuerySet[Inspector]  # active inspectors of the scope
    zones: QuerySet[Zone]
    offices: QuerySet[Office]
    ledger_params: dict  # the ledger filter the findings figures equal (zone)
    office: Office | None = None
    zone: Zone | None = None


def can_view(user) -> bool:
    return bool(
        user.is_authenticated
        and (
            user.is_superuser
            or user.role in (Role.OFFICE_ADMIN, Role.VIEWER)
            or (user.role in (Role.ZONE_LEADER, Role.INSPECTOR) and user.inspector_id)
        )
    )


def scope_for(user, office: Office | None = None, zone: Zone | None = None) -> Scope:
    """The dashboard's scope for `user`, optionally narrowed to one office (viewer,
    superuser) and one zone. `office` and `zone` must already be within the user's scope
    (the view's form chooses them from `offices_for` / `zones_for`)."""
    ledger_params = {"zone": str(zone.pk)} if zone else {}
    _form, findings = filtered_findings(user, ledger_params)
    findings = findings.order_by()
    schools = scoping.schools_for(user)
    visits = Visit.objects.unscoped().filter(status=Visit.Status.SUBMITTED)
    inspectors = scoping.inspectors_for(user).filter(is_active=True)
    zones = scoping.zones_for(user)
    offices = scoping.offices_for(user)
    wide = user.is_superuser or user.role == Role.VIEWER
    if wide:
        level = Level.OFFICE
        if office is not None:
            level = Level.ZONE
            ledger_params["office"] = str(office.pk)  # the ledger's office filter
            offices = offices.filter(pk=office.pk)
            schools = schools.filter(office_id=office.pk)
            visits = visits.filter(office_id=office.pk)
            findings = findings.filter(office_id=office.pk)
            inspectors = inspectors.filter(office_id=office.pk)
            zones = zones.filter(office_id=office.pk)
        elif not user.is_superuser:
            # The region's offices as a literal list (one small query): the planner can then
            # use the (office, status, visited_on) index, which an IN (subquery) hides.
            office_ids = list(offices.values_list("pk", flat=True))
            visits = visits.filter(office_id__in=office_ids)
            findings = findings.filter(office_id__in=office_ids)
    elif user.role == Role.OFFICE_ADMIN:
        level = Level.ZONE
        office = user.office
        visits = visits.filter(office_id=user.office_id)
    else:
        level = Level.SCHOOL
        visits = visits.filter(school__in=schools)
    if zone is not None:
        level = Level.SCHOOL
        schools = schools.filter(zone_id=zone.pk)
        visits = visits.filter(school__zone_id=zone.pk)
        inspectors = inspectors.filter(Q(zone_id=zone.pk) | Q(led_zones=zone.pk))
        zones = zones.filter(pk=zone.pk)
    return Scope(
        level=level,
        schools=schools,
        visits=visits,
        findings=findings,
        inspectors=inspectors,
        zones=zones,
        offices=offices,
        ledger_params=ledger_params,
        office=office,
        zone=zone,
    )


# --- helpers -------------------------------------------------------------------------------


def last_months(year: int, month: int, n: int = MONTHS_SHOWN) -> list[tuple[int, int]]:
    """The n months ending with (year, month), oldest first."""
    out = []
    for _i in range(n):
        out.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(out))


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _group_key(level: str, prefix: str = "") -> str:
    """The column the breakdown groups by: office, zone or school (from a School row when
    prefix is "", from a Visit or Finding row when prefix is "school__")."""
    if level == Level.OFFICE:
        return "office_id"
    if level == Level.ZONE:
        return f"{prefix}zone_id"
    return "school_id" if prefix else "pk"


def _visited_in(first, last):
    return Visit.objects.unscoped().filter(
        status=Visit.Status.SUBMITTED,
        school=OuterRef("pk"),
        visited_on__gte=first,
        visited_on__lte=last,
    )


def _current_inspector_name():
    current = (
        Assignment.objects.unscoped()
        .current()
        .filter(school=OuterRef("pk"))
        .order_by("-start_date", "-pk")
    )
    return Subquery(current.values("inspector__name")[:1])


# --- coverage ------------------------------------------------------------------------------


def _rule_book(scope: Scope) -> school_rules.RuleBook:
    """The school-type rules of the scope's offices (docs/rules.md §4, §6, §8), read once
    for all the figures of one scope (one query)."""
    book = getattr(scope, "_rule_book", None)
    if book is None:
        book = school_rules.RuleBook.for_schools(scope.schools)
        scope._rule_book = book
    return book


def coverage(scope: Scope, year: int, month: int) -> dict:
    """This month's coverage: active schools visited as often as their office's rule for
    their type and size asks (docs/rules.md §6; by default at least one submitted visit, by
    anyone, in the month) / all active schools; by office (wide scopes) or by zone; and the
    schools not visited (at most UNVISITED_MAX named, with the total).

    With the default rule everywhere: the rules, the active schools per group, the distinct
    schools visited per group (from the month's visits, on the visit indexes) and the named
    unvisited schools. When an office has set other frequencies (twice a school year,
    teaching points with their host…) each school's window is checked in one query over the
    active schools (`visits.queries.with_coverage`)."""
    first, last = month_range(year, month)
    key, name = (
        ("office", "office__name") if scope.level == Level.OFFICE else ("zone", "zone__name")
    )
    active = scope.schools.filter(is_active=True)
    book = _rule_book(scope)
    if book.all_default_frequency():
        totals = active.order_by().values(f"{key}_id", name).annotate(total=Count("pk"))
        visit_key = "office_id" if key == "office" else "school__zone_id"
        visited = dict(
            scope.visits.filter(visited_on__gte=first, visited_on__lte=last, school__is_active=True)
            .order_by()
            .values(visit_key)
            .annotate(n=Count("school_id", distinct=True))
            .values_list(visit_key, "n")
        )
    else:
        totals = (
            with_coverage(active, year, month, book)
            .order_by()
            .values(f"{key}_id", name)
            .annotate(total=Count("pk"), done=Sum("_covered"))
        )
        visited = None
    groups = {}
    for row in totals:
        pk = row[f"{key}_id"]
        done = visited.get(pk, 0) if visited is not None else row["done"] or 0
        groups[pk] = {
            "id": pk,
            "name": row[name] or _("No zone"),
            "total": row["total"],
            "visited": done,
            "rate": rate(done, row["total"]),
        }
    total = sum(g["total"] for g in groups.values())
    visited = sum(g["visited"] for g in groups.values())
    unvisited = (
        not_covered(active, year, month, book)
        .annotate(inspector_name=_current_inspector_name())
        .select_related("zone", "office")
        .order_by("office__region__code", "zone__name", "code")[:UNVISITED_MAX]
    )
    return {
        "total": total,
        "visited": visited,
        "rate": rate(visited, total),
        "by_group": groups,
        "unvisited_total": total - visited,
        "unvisited": [
            {
                "id": s.pk,
                "code": s.code,
                "name": s.name,
                "zone": s.zone.name if s.zone_id else "",
                "office": s.office.name,
                "inspector": s.inspector_name or "",
            }
            for s in unvisited
        ],
    }


# --- visits --------------------------------------------------------------------------------


def _month_index(ranges) -> Case:
    """0..n-1: which of the consecutive month ranges `visited_on` falls in."""
    return Case(
        *[When(visited_on__lte=last, then=Value(i)) for i, (_first, last) in enumerate(ranges)],
        output_field=IntegerField(),
    )


def visit_table(scope: Scope, year: int, month: int) -> dict:
    """Submitted visits per row × month for the last MONTHS_SHOWN months (one GROUP BY
    (row, month) query) and, for offices and zones, the distinct inspectors who visited in
    the chosen month (a second query). Rows are offices, zones or schools (scope.level)."""
    months = last_months(year, month)
    ranges = [month_range(y, m) for y, m in months]
    key = _group_key(scope.level, "school__")
    rows = (
        scope.visits.filter(visited_on__gte=ranges[0][0], visited_on__lte=ranges[-1][1])
        .order_by()
        .values(key, m=_month_index(ranges))
        .annotate(n=Count("pk"))
        .values_list(key, "m", "n")
    )
    cells = {}
    for pk, index, n in rows:
        cell = cells.setdefault(pk, {"visits": [0] * len(months), "inspectors": 0})
        cell["visits"][index] += n
    if scope.level != Level.SCHOOL:
        first, last = ranges[-1]
        active = (
            scope.visits.filter(visited_on__gte=first, visited_on__lte=last)
            .order_by()
            .values(key)
            .annotate(n=Count("inspector_id", distinct=True))
            .values_list(key, "n")
        )
        for pk, n in active:
            cells.setdefault(pk, {"visits": [0] * len(months), "inspectors": 0})["inspectors"] = n
    return {"months": [f"{y:04d}-{m:02d}" for y, m in months], "cells": cells}


def visits_per_inspector(scope: Scope, year: int, month: int) -> dict:
    """Submitted visits to the scope's schools in the month per visiting inspector (visits,
    distinct schools, days in the field), plus the scope's active inspectors with none.
    Visits recorded by office staff without an inspector record are counted under None.
    Two queries."""
    first, last = month_range(year, month)
    counted = (
        scope.visits.filter(visited_on__gte=first, visited_on__lte=last)
        .order_by()
        .values("inspector_id", "inspector__name")
        .annotate(
            visits=Count("pk"),
            schools=Count("school_id", distinct=True),
            days=Count("visited_on", distinct=True),
        )
    )
    rows = {
        row["inspector_id"]: {
            "id": row["inspector_id"],
            "name": row["inspector__name"] or _("Office staff"),
            "visits": row["visits"],
            "schools": row["schools"],
            "days": row["days"],
        }
        for row in counted
    }
    for pk, name in scope.inspectors.order_by("name", "pk").values_list("pk", "name")[
        : INSPECTOR_ROWS_MAX * 2
    ]:
        rows.setdefault(pk, {"id": pk, "name": name, "visits": 0, "schools": 0, "days": 0})
    ordered = sorted(rows.values(), key=lambda r: (-r["visits"], r["name"]))
    return {
        "rows": ordered[:INSPECTOR_ROWS_MAX],
        "total_rows": len(ordered),
        "visits": sum(r["visits"] for r in ordered),
        "idle": sum(1 for r in ordered if r["visits"] == 0),
    }


def inspector_counts(scope: Scope) -> dict:
    """Active inspectors per office or zone (for the breakdown table). One query."""
    key = "office_id" if scope.level == Level.OFFICE else "zone_id"
    return dict(
        scope.inspectors.order_by().values(key).annotate(n=Count("pk")).values_list(key, "n")
    )


# --- six minimums --------------------------------------------------------------------------


def _has_minimum(key: str) -> Q:
    """The visit's JSON list of minimums holds `key`: jsonb containment (indexable, fast)
    on PostgreSQL, a match of the quoted key in the JSON text elsewhere (SQLite)."""
    if connection.vendor == "postgresql":
        return Q(minimums__contains=[key])
    return Q(minimums__icontains=f'"{key}"')


def _not_asked(book: school_rules.RuleBook, key: str) -> Q:
    """Q on a visit: its school's office does not ask `key` of the school's type. Offices
    exempting the same types share one term; offices without saved rules have the defaults
    (one term for all of them)."""
    offices_by_types: dict[frozenset, list[int]] = {}
    for office_id in sorted(book.office_ids):
        exempt = frozenset(
            school_type
            for school_type in SchoolType.values
            if key not in book.minimums(office_id, school_type)
        )
        if exempt:
            offices_by_types.setdefault(exempt, []).append(office_id)
    condition = Q(pk__in=[])
    for types, office_ids in offices_by_types.items():
        condition |= Q(school__office_id__in=office_ids, school__type__in=sorted(types))
    default_exempt = sorted(
        school_type
        for school_type in SchoolType.values
        if key not in school_rules.default_rule(None, school_type).minimums
    )
    if default_exempt:
        condition |= Q(school__type__in=default_exempt) & ~Q(
            school__office_id__in=sorted(book.office_ids)
        )
    return condition


def six_minimums(scope: Scope, day: datetime.date, per_school: bool) -> dict:
    """Six minimums (六个至少, docs/rules.md §8) this semester for the active schools in scope.

    A school is counted only against the minimums its office asks of its type (by default
    the six for compulsory-education types, none for kindergartens): one not asked counts
    as met. `distribution[k]` = how many schools have met k of the six (0..6), counted from
    the submitted visits of the semester containing `day`, so `distribution[6]` is the
    schools with nothing missing. With `per_school` (small scopes) also each school's
    progress from `visits.queries.six_minimums_progress` (3 queries); otherwise the rules
    (2 queries), one GROUP BY query over the semester's visits (the JSON lists matched as
    text, portable across SQLite and PostgreSQL) and the active schools per office and type,
    so every active school is in the distribution."""
    semester = semester_of(day)
    active = scope.schools.filter(is_active=True)
    info = {
        "semester": semester.label,
        "start": semester.start.isoformat(),
        "end": semester.end.isoformat(),
    }
    size = len(SixMinimum.values)
    distribution = [0] * (size + 1)
    if per_school:
        progress = six_minimums_progress(active, day)
        schools = {}
        for pk, counts in progress.items():
            met = sum(1 for key in counts if counts[key]) + size - len(counts)
            distribution[met] += 1
            schools[pk] = {
                "done": met,
                "asked": len(counts),
                "missing": [
                    str(SixMinimum(key).label)
                    for key in SixMinimum.values
                    if key in counts and not counts[key]
                ],
            }
        return info | {"distribution": distribution, "schools": schools, "total": len(progress)}
    book = _rule_book(scope)
    flags = [
        Max(
            Case(
                When(_not_asked(book, key), then=Value(1)),
                When(_has_minimum(key), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
        for key in SixMinimum.values
    ]
    done_expr = flags[0]
    for flag in flags[1:]:
        done_expr = done_expr + flag
    done_per_school = (
        scope.visits.filter(
            visited_on__gte=semester.start,
            visited_on__lte=semester.end,
            school__is_active=True,
        )
        .order_by()
        .values("school_id", "school__office_id", "school__type")
        .annotate(done=done_expr)
        .values_list("school__office_id", "school__type", "done")
    )
    visited: dict[tuple, int] = {}
    for office_id, school_type, done in done_per_school:
        distribution[done] += 1
        visited[office_id, school_type] = visited.get((office_id, school_type), 0) + 1
    # Schools without a visit this semester have met only the minimums not asked of them.
    per_type = active.order_by().values_list("office_id", "type").annotate(n=Count("pk"))
    for office_id, school_type, n in per_type:
        unvisited = n - visited.get((office_id, school_type), 0)
        distribution[size - len(book.minimums(office_id, school_type))] += unvisited
    return info | {"distribution": distribution, "schools": None}


def complete_distribution(six: dict, total_active: int) -> dict:
    """Schools without any visit this semester have done 0 of 6 (aggregate path)."""
    if six["schools"] is None:
        six["distribution"][0] += total_active - sum(six["distribution"])
        six["total"] = total_active
    six["complete"] = six["distribution"][-1]
    return six


# --- findings ------------------------------------------------------------------------------


def age_bounds(today: datetime.date) -> list[dict]:
    """The age buckets as ledger date filters (found_from / found_to, inclusive)."""
    out = []
    for key, low, high in AGE_BUCKETS:
        found_to = today - datetime.timedelta(days=low) if low else None
        found_from = today - datetime.timedelta(days=high) if high is not None else None
        out.append({"key": key, "found_from": found_from, "found_to": found_to})
    return out


def _age_q(bucket: dict) -> Q:
    q = Q()
    if bucket["found_from"]:
        q &= Q(found_on__gte=bucket["found_from"])
    if bucket["found_to"]:
        q &= Q(found_on__lte=bucket["found_to"])
    return q


def _age_index(buckets) -> Case:
    """0..3: the age bucket of `found_on`; 4 when the date found is unknown."""
    return Case(
        *[When(_age_q(bucket), then=Value(i)) for i, bucket in enumerate(buckets)],
        default=Value(len(buckets)),
        output_field=IntegerField(),
    )


def open_findings(scope: Scope, today: datetime.date) -> list[dict]:
    """The open findings (the ledger's status=active) counted in ONE GROUP BY query by
    breakdown row (office, zone or school), supervision item, overdue flag, escalation and
    age bucket: a few hundred rows at most, summed up by the callers."""
    key = _group_key(scope.level, "school__")
    rows = (
        scope.findings.filter(status__in=ACTIVE_STATUSES)
        .values(
            key,
            "area",
            "is_overdue",
            escalated=Case(
                When(escalated_to=Escalation.NONE, then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            ),
            age=_age_index(age_bounds(today)),
        )
        .annotate(n=Count("pk"))
    )
    return [
        {
            "group": row[key],
            "area": row["area"],
            "overdue": bool(row["is_overdue"]),
            "escalated": bool(row["escalated"]),
            "age": row["age"],
            "n": row["n"],
        }
        for row in rows
    ]


def on_time(scope: Scope, year: int, month: int, today: datetime.date) -> dict:
    """On-time rectification rate (按期整改率) of the month and of its semester (a month lies
    in one semester), as of `today`: `rectification.queries.on_time_rate`, the one
    definition (docs/rules.md §10): an open finding past its deadline counts as late."""
    first, last = month_range(year, month)
    semester = semester_of(last)
    return on_time_rate(
        scope.findings,
        {"month": (first, last), "semester": (semester.start, semester.end)},
        today,
    )


def findings_figures(scope: Scope, year: int, month: int, today: datetime.date) -> dict:
    """Findings figures, all counted from the ledger's rows (`scope.findings`), two queries.

    - open: status not closed/withdrawn (the ledger's status=active)
    - overdue: open and flagged overdue (ledger: status=active, overdue=yes)
    - escalated: open and escalated to the county office, the city or the province (serious
      violations and repeated urgings included, docs/rules.md §11-§13; ledger: escalated=any)
    - by_age: open findings by days since found_on as of today: 0-7, 8-30, 31-90, over 90
      (ledger: status=active with found_from/found_to); without a date found: age_unknown
    - by_area: open findings per supervision item (ledger: status=active, area=N)
    - by_group: open and overdue per breakdown row (office, zone or school)
    - on_time: see `on_time`
    """
    rows = open_findings(scope, today)
    buckets = age_bounds(today)
    age_labels = {
        "0-7": _("0–7 days"),
        "8-30": _("8–30 days"),
        "31-90": _("31–90 days"),
        "90+": _("Over 90 days"),
    }
    by_age = [0] * (len(buckets) + 1)
    by_area = dict.fromkeys((item.number for item in SUPERVISION_ITEMS), 0)
    by_group = {}
    for row in rows:
        by_age[row["age"]] += row["n"]
        by_area[row["area"]] = by_area.get(row["area"], 0) + row["n"]
        group = by_group.setdefault(row["group"], {"open": 0, "overdue": 0})
        group["open"] += row["n"]
        group["overdue"] += row["n"] if row["overdue"] else 0
    return {
        "open": sum(row["n"] for row in rows),
        "overdue": sum(row["n"] for row in rows if row["overdue"]),
        "escalated": sum(row["n"] for row in rows if row["escalated"]),
        "by_age": [
            {
                "key": bucket["key"],
                "label": age_labels[bucket["key"]],
                "count": by_age[i],
                "found_from": bucket["found_from"].isoformat() if bucket["found_from"] else "",
                "found_to": bucket["found_to"].isoformat() if bucket["found_to"] else "",
            }
            for i, bucket in enumerate(buckets)
        ],
        "age_unknown": by_age[-1],
        "by_area": [
            {"area": item.number, "label": item.text, "count": by_area[item.number]}
            for item in SUPERVISION_ITEMS
        ],
        "by_group": by_group,
        "on_time": on_time(scope, year, month, today),
    }


# --- the whole dashboard -------------------------------------------------------------------


def _row_names(scope: Scope) -> list[tuple]:
    """(id, name, extra) of the breakdown rows, in display order. One query. Zones and
    schools are counted the way people count (`dudao.core.sorting`: 第二 before 第十, 二小
    before 十小; ties by pk or code); schools are cut at SCHOOL_ROWS_MAX in SQL order first
    (a zone's or an inspector's schools are far fewer), then sorted by zone and name.
    Offices keep the order of their region codes (the official order of the counties)."""
    if scope.level == Level.OFFICE:
        return [
            (pk, name, "")
            for pk, name in scope.offices.order_by("region__code", "pk").values_list("pk", "name")
        ]
    if scope.level == Level.ZONE:
        rows = [
            (pk, name, leader or "")
            for pk, name, leader in scope.zones.order_by("pk").values_list(
                "pk", "name", "leader__name"
            )
        ]
        return natural_sorted(rows, lambda row: row[1])
    schools = (
        scope.schools.filter(is_active=True)
        .order_by("zone__name", "code")
        .values_list("pk", "name", "zone__name")[:SCHOOL_ROWS_MAX]
    )
    return sorted(schools, key=lambda row: (natural_key(row[2]), natural_key(row[1])))


def _counted_order(schools: list[dict]) -> list[dict]:
    """The unvisited schools shown, counted the way people count (zone, then name) within
    each office, the offices in their given (region code) order. The cut at UNVISITED_MAX
    stays in SQL order; the total is always given beside the list."""
    office_rank = {}
    for school in schools:
        office_rank.setdefault(school["office"], len(office_rank))
    return sorted(
        schools,
        key=lambda s: (office_rank[s["office"]], natural_key(s["zone"]), natural_key(s["name"])),
    )


def dashboard(scope: Scope, year: int, month: int, today: datetime.date | None = None) -> dict:
    """Every figure of the dashboard as one JSON-ready dict, in a fixed number of queries
    whatever the size of the scope (about ten; `scope_for` adds one for a viewer).

    This is what the benchmark times: `dashboard(scope_for(user), year, month)` for an
    office admin (county dashboard) and for a province viewer (province dashboard)."""
    today = today or timezone.localdate()
    day = min(today, month_range(year, month)[1])
    cov = coverage(scope, year, month)
    table = visit_table(scope, year, month)
    per_school = scope.level == Level.SCHOOL
    six = complete_distribution(six_minimums(scope, day, per_school), cov["total"])
    findings = findings_figures(scope, year, month, today)
    by_group = findings.pop("by_group")
    inspectors = visits_per_inspector(scope, year, month) if scope.level != Level.OFFICE else None
    inspector_totals = inspector_counts(scope) if scope.level != Level.SCHOOL else {}
    names = _row_names(scope)
    months = table["months"]
    empty_cells = {"visits": [0] * len(months), "inspectors": 0}
    rows = []
    keys = [pk for pk, _name, _extra in names]
    if scope.level != Level.SCHOOL and (None in cov["by_group"] or None in table["cells"]):
        keys.append(None)  # schools without a zone
    labels = {pk: (name, extra) for pk, name, extra in names}
    labels[None] = (_("No zone"), "")
    for pk in keys:
        cells = table["cells"].get(pk, empty_cells)
        found = by_group.get(pk, {"open": 0, "overdue": 0})
        name, extra = labels[pk]
        row = {
            "id": pk,
            "name": name,
            "extra": extra,
            "visits": cells["visits"],
            "visits_this_month": cells["visits"][-1],
            "open": found["open"],
            "overdue": found["overdue"],
        }
        if per_school:
            progress = six["schools"].get(pk, {"done": 0, "missing": []})
            row |= {
                "visited": cells["visits"][-1] > 0,
                "six_done": progress["done"],
                "six_missing": progress["missing"],
            }
        else:
            group = cov["by_group"].get(pk, {"total": 0, "visited": 0})
            row |= {
                "schools": group["total"],
                "visited": group["visited"],
                "coverage": rate(group["visited"], group["total"]),
                "inspectors": inspector_totals.get(pk, 0),
                "inspectors_active": cells["inspectors"],
            }
        rows.append(row)
    six.pop("schools", None)
    coverage_groups = sorted(
        cov.pop("by_group").values(), key=lambda g: (g["id"] is None, natural_key(g["name"]))
    )
    cov["unvisited"] = _counted_order(cov["unvisited"])
    return {
        "level": scope.level,
        "month": f"{year:04d}-{month:02d}",
        "today": today.isoformat(),
        "months": months,
        "coverage": cov | {"groups": coverage_groups},
        "six_minimums": six,
        "inspectors": inspectors,
        "findings": findings,
        "rows": rows,
        "rows_truncated": per_school and len(rows) >= SCHOOL_ROWS_MAX,
    }
