"""The city and province roll-up (docs/rules.md §28): every county office under the
reader's region side by side, and the region's own monthly and annual summary as the sum of
its counties.

Visits and findings are read from the pre-aggregated counters (`models.py`), never from the
visits and findings tables: a fixed, small number of queries over about 100 counties × 36
months of counters whatever the number of schools, visits or findings. Campaigns,
evaluation rounds, monitoring returns and the offices' monthly summaries are small tables,
read directly. Every query starts from the reader's scope (`scoping.*_for(user)`)."""

import datetime

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils.translation import gettext as _

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.campaigns.models import Campaign, CampaignTarget
from dudao.core.dates import last_complete_month
from dudao.evaluations.models import Round

from .aggregates import month_end
from .models import SchoolMonth

TREND_MONTHS = 12

# The per-county figures, in the table's order: (key, label). Rates are computed from sums.
COUNT_KEYS = (
    "schools",
    "visited",
    "visits",
    "found",
    "open",
    "overdue",
    "escalated",
    "due",
    "on_time",
    "campaigns",
    "campaign_schools",
    "rounds",
    "rounds_published",
)


def can_view(user) -> bool:
    """City and province accounts (a viewer over a region) and the superuser."""
    return bool(
        user.is_authenticated
        and (user.is_superuser or (user.role == Role.VIEWER and user.region_id))
    )


def rate(part, whole):
    return round(part / whole, 4) if whole else None


def period(year: int, month: int | None) -> tuple[datetime.date, datetime.date]:
    """A month, or (month None) the whole year."""
    if month is None:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    first = datetime.date(year, month, 1)
    return first, month_end(first)


def default_month(today: datetime.date) -> tuple[int, int]:
    return last_complete_month(today)


def counties(user) -> list[tuple[int, str, str]]:
    """(office id, name, region code) of the reader's county offices, in the official order
    of their region codes. One query."""
    return list(
        scoping.offices_for(user)
        .order_by("region__code", "pk")
        .values_list("pk", "name", "region__code")
    )


def county_rows(user, year: int, month: int | None) -> tuple[list[dict], list[int]]:
    """One dict per county: the COUNT_KEYS for the period (a month, or the year when `month`
    is None) and its rates, plus `submitted` and the monitoring return for a month.

    Queries: the offices; active schools; schools visited (counters per school and month);
    the office counters (one conditional aggregate); campaigns; campaign schools checked;
    evaluation rounds; for a month also the monitoring returns and the offices' summaries."""
    offices = counties(user)
    ids = [pk for pk, _name, _code in offices]
    first, last = period(year, month)
    rows = {
        pk: {"id": pk, "name": name, "code": code} | dict.fromkeys(COUNT_KEYS, 0)
        for pk, name, code in offices
    }

    def put(key, pairs):
        for pk, n in pairs:
            if pk in rows:
                rows[pk][key] = n or 0

    put(
        "schools",
        scoping.schools_for(user)
        .filter(is_active=True)
        .order_by()
        .values("office_id")
        .annotate(n=Count("pk"))
        .values_list("office_id", "n"),
    )
    if month is None:
        # A year: the active schools with a visit in any of its months (one probe of the
        # (school, month) key per school, rather than a DISTINCT over 12 months of rows).
        visited_in_year = SchoolMonth.objects.unscoped().filter(
            school=OuterRef("pk"), month__gte=first, month__lte=last, visits__gt=0
        )
        put(
            "visited",
            scoping.schools_for(user)
            .filter(is_active=True)
            .filter(Exists(visited_in_year))
            .order_by()
            .values("office_id")
            .annotate(n=Count("pk"))
            .values_list("office_id", "n"),
        )
    # A month: the office counter's distinct schools visited, less the inactive schools
    # among them (a few rows: found from the inactive schools).
    inactive_visited = dict(
        scoping.school_months_for(user)
        .filter(
            school__is_active=False,
            month__gte=first,
            month__lte=last,
            visits__gt=0,
        )
        .order_by()
        .values("school__office_id")
        .annotate(n=Count("pk"))
        .values_list("school__office_id", "n")
        if month is not None
        else []
    )
    in_period = Q(month__gte=first, month__lte=last)
    for row in (
        scoping.office_months_for(user)
        .order_by()
        .values("office_id")
        .annotate(
            s_visits=Sum("visits", filter=in_period),
            s_visited=Sum("visited", filter=in_period),
            s_found=Sum("found", filter=in_period),
            s_open=Sum("open"),
            s_overdue=Sum("overdue"),
            s_escalated=Sum("escalated"),
            s_closed_due=Sum("closed", filter=in_period),
            s_open_due=Sum("open", filter=in_period),
            s_on_time=Sum("on_time", filter=in_period),
        )
    ):
        target = rows.get(row["office_id"])
        if target is None:
            continue
        for key in ("visits", "found", "open", "overdue", "escalated", "on_time"):
            target[key] = row[f"s_{key}"] or 0
        if month is not None:
            target["visited"] = (row["s_visited"] or 0) - inactive_visited.get(target["id"], 0)
        # §10: due = closed + still open, for deadlines in a period that has ended.
        target["due"] = (row["s_closed_due"] or 0) + (row["s_open_due"] or 0)
    running = Q(starts_on__lte=last, ends_on__gte=first) & ~Q(
        status__in=[Campaign.Status.DRAFT, Campaign.Status.CANCELLED]
    )
    put(
        "campaigns",
        scoping.campaigns_for(user)
        .filter(running)
        .order_by()
        .values("office_id")
        .annotate(n=Count("pk"))
        .values_list("office_id", "n"),
    )
    put(
        "campaign_schools",
        scoping.campaign_targets_for(user)
        .filter(
            status=CampaignTarget.Status.SUBMITTED,
            campaign__starts_on__lte=last,
            campaign__ends_on__gte=first,
        )
        .exclude(campaign__status__in=[Campaign.Status.DRAFT, Campaign.Status.CANCELLED])
        .order_by()
        .values("office_id")
        .annotate(n=Count("school_id", distinct=True))
        .values_list("office_id", "n"),
    )
    for pk, n, published in (
        scoping.rounds_for(user)
        .filter(year=year)
        .order_by()
        .values("office_id")
        .annotate(n=Count("pk"), published=Count("pk", filter=Q(stage=Round.Stage.PUBLISHED)))
        .values_list("office_id", "n", "published")
    ):
        if pk in rows:
            rows[pk]["rounds"], rows[pk]["rounds_published"] = n, published
    if month is not None:
        submitted = set(
            scoping.report_texts_for(user)
            .filter(inspector__isnull=True, year=year, month=month)
            .values_list("office_id", flat=True)
        )
        returns = {
            pk: (basic, quality)
            for pk, basic, quality in scoping.monthly_returns_for(user)
            .filter(month=first)
            .values_list("office_id", "passed_basic", "passed_quality")
        }
        for pk, row in rows.items():
            row["submitted"] = pk in submitted
            row["monitoring_taken"] = pk in returns
            row["monitoring_basic"], row["monitoring_quality"] = returns.get(pk, (None, None))
    for row in rows.values():
        add_rates(row)
    return [rows[pk] for pk in ids], ids


def add_rates(row: dict) -> dict:
    row["coverage"] = rate(row["visited"], row["schools"])
    row["on_time_rate"] = rate(row["on_time"], row["due"])
    return row


def total(rows: list[dict]) -> dict:
    """The region's figures: the sum of its counties' (rates from the sums, §28)."""
    out = {key: sum(row[key] for row in rows) for key in COUNT_KEYS}
    if rows and "submitted" in rows[0]:
        out["submitted"] = sum(1 for row in rows if row["submitted"])
        out["monitoring_taken"] = sum(1 for row in rows if row["monitoring_taken"])
    return add_rates(out)


def trend(user, year: int, month: int) -> dict:
    """Visits and findings found per month over the TREND_MONTHS months ending with the
    chosen one, summed over the counties. One query."""
    months = []
    y, m = year, month
    for _i in range(TREND_MONTHS):
        months.append(datetime.date(y, m, 1))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    months.reverse()
    sums = {
        row["month"]: row
        for row in scoping.office_months_for(user)
        .filter(month__gte=months[0], month__lte=months[-1])
        .order_by()
        .values("month")
        .annotate(s_visits=Sum("visits"), s_found=Sum("found"))
    }
    return {
        "months": [f"{d:%Y-%m}" for d in months],
        "visits": [(sums.get(d) or {}).get("s_visits") or 0 for d in months],
        "found": [(sums.get(d) or {}).get("s_found") or 0 for d in months],
    }


def overview(user, year: int, month: int) -> dict:
    """Everything the roll-up page shows, JSON-ready."""
    rows, _ids = county_rows(user, year, month)
    return {
        "month": f"{year:04d}-{month:02d}",
        "rows": rows,
        "total": total(rows),
        "not_submitted": [
            {"id": row["id"], "name": row["name"]} for row in rows if not row["submitted"]
        ],
        "trend": trend(user, year, month),
    }


def summary(user, year: int, month: int | None) -> dict:
    """The region's monthly (or, month None, annual) summary: the counties and their sum."""
    rows, _ids = county_rows(user, year, month)
    label = f"{year:04d}-{month:02d}" if month else f"{year:04d}"
    return {"period": label, "year": year, "month": month, "rows": rows, "total": total(rows)}


def region_name(user) -> str:
    if user.is_superuser or not user.region_id:
        return _("All counties")
    return user.region.full_name
