"""Reading complaints: the office's list with its filters, and the figures (received, solved,
on time; by category, by school, by month), always from the reader's scope.

**Honest figures.** A duplicate merged into another complaint (by the platform at intake or
by the office) is not a complaint of its own: every figure leaves merged complaints out, and
the page says how many were merged. The definitions, in one place (`figures`):

- *received*: complaints received in the period (Beijing time), merged ones left out;
- *solved* (办结): replied to or closed;
- *on time*: solved with the reply sent on or before the deadline (Beijing date);
- *due*: solved, or still waiting with the deadline passed; the *on-time rate* is on time
  over due ("—" when nothing is due), as the rectification's on-time rate is;
- *transferred* (转办) to another department, and *open* (waiting for a reply), apart.
"""

import datetime
import re
import zoneinfo

from django import forms
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dudao.accounts.models import Role
from dudao.accounts.scoping import complaints_for, offices_for
from dudao.core.lookups import LookupField

from .models import OPEN_STATUSES, SOLVED_STATUSES, Category, Status

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
MAX_TEXT_SEARCH = 100


def month_bounds(year: int, month: int) -> tuple[datetime.datetime, datetime.datetime]:
    start = datetime.datetime(year, month, 1, tzinfo=SHANGHAI)
    end = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=SHANGHAI)
    return start, end


def day_start(day: datetime.date) -> datetime.datetime:
    """00:00 Beijing time on `day`."""
    return datetime.datetime(day.year, day.month, day.day, tzinfo=SHANGHAI)


def parse_month(text) -> tuple[int, int] | None:
    match = MONTH.match(str(text or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return None
    return year, month


class ComplaintFilterForm(forms.Form):
    q = forms.CharField(label=_("Tracking code or text"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *Status.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("All categories")), *Category.choices],
    )
    school = LookupField("school", label=_("School"), required=False, empty_label=_("All schools"))
    overdue = forms.ChoiceField(
        label=_("Overdue"),
        required=False,
        choices=[("", _("All")), ("yes", _("Overdue only")), ("no", _("Not overdue"))],
    )
    month = forms.CharField(
        label=_("Month received"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month"}),
    )
    # What a half-year or annual summary's complaint figures link to (docs/rules.md §30).
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    solved = forms.ChoiceField(
        label=_("Solved"),
        required=False,
        choices=[("", _("All")), ("yes", _("Solved (replied or closed)")), ("no", _("Not solved"))],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].set_scope(user)

    def clean_month(self):
        value = self.cleaned_data.get("month")
        if value and parse_month(value) is None:
            raise forms.ValidationError(_("Enter a month such as 2026-11."))
        return value


def filtered_complaints(user, params):
    """(form, the reader's complaints narrowed by the list's filters). Invalid filters are
    shown on the form and ignored."""
    form = ComplaintFilterForm(params or None, user=user)
    qs = complaints_for(user)
    if not form.is_bound or not form.is_valid():
        return form, qs
    data = form.cleaned_data
    if data.get("status"):
        qs = qs.filter(status=data["status"])
    if data.get("category"):
        qs = qs.filter(category=data["category"])
    if data.get("school") is not None:
        qs = qs.filter(school=data["school"])
    if data.get("overdue") == "yes":
        qs = qs.filter(is_overdue=True)
    elif data.get("overdue") == "no":
        qs = qs.filter(is_overdue=False)
    month = parse_month(data.get("month"))
    if month:
        start, end = month_bounds(*month)
        qs = qs.filter(received_at__gte=start, received_at__lt=end)
    if data.get("received_from"):
        qs = qs.filter(received_at__gte=day_start(data["received_from"]))
    if data.get("received_to"):
        qs = qs.filter(received_at__lt=day_start(data["received_to"] + datetime.timedelta(days=1)))
    if data.get("solved") == "yes":
        qs = qs.filter(status__in=SOLVED_STATUSES)
    elif data.get("solved") == "no":
        qs = qs.exclude(status__in=SOLVED_STATUSES)
    text = (data.get("q") or "").replace("\x00", "").strip()[:MAX_TEXT_SEARCH]
    if text:
        code = "".join(ch for ch in text.upper() if ch not in " -")
        qs = qs.filter(Q(tracking_code=code) | Q(text__icontains=text))
    return form, qs


def possible_duplicates(user, complaint, limit: int = 10):
    """Earlier complaints of the same school (or of the office, for one about no school)
    from the last 60 days that are not themselves merged: what the office may merge this one
    into."""
    since = complaint.received_at - datetime.timedelta(days=60)
    return list(
        complaints_for(user)
        .filter(
            office_id=complaint.office_id,
            school_id=complaint.school_id,
            received_at__gte=since,
            received_at__lte=complaint.received_at,
        )
        .exclude(pk=complaint.pk)
        .exclude(status=Status.MERGED)
        .order_by("-received_at", "-pk")[:limit]
    )


# --- figures --------------------------------------------------------------------------------


def _counts(today: datetime.date) -> dict:
    counted = ~Q(status=Status.MERGED)
    solved = Q(status__in=SOLVED_STATUSES)
    return {
        "received": Count("pk", filter=counted),
        "solved": Count("pk", filter=solved),
        "on_time": Count("pk", filter=solved & Q(replied_on__lte=F("deadline"))),
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "overdue": Count("pk", filter=Q(status__in=OPEN_STATUSES, deadline__lt=today)),
        "transferred": Count("pk", filter=Q(status=Status.TRANSFERRED)),
    }


def _finish(row: dict) -> dict:
    due = row["solved"] + row["overdue"]
    row["due"] = due
    row["late"] = due - row["on_time"]
    row["on_time_rate"] = round(100 * row["on_time"] / due, 1) if due else None
    return row


def period_bounds(year: int) -> tuple[datetime.datetime, datetime.datetime]:
    return (
        datetime.datetime(year, 1, 1, tzinfo=SHANGHAI),
        datetime.datetime(year + 1, 1, 1, tzinfo=SHANGHAI),
    )


def figures_queryset(user, *, year: int, office=None):
    start, end = period_bounds(year)
    qs = complaints_for(user).filter(received_at__gte=start, received_at__lt=end)
    if office is not None:
        qs = qs.filter(office=office)
    return qs.order_by().alias(replied_on=TruncDate("replied_at", tzinfo=SHANGHAI))


def figures(
    user,
    *,
    year: int,
    office=None,
    today: datetime.date | None = None,
    school_limit: int | None = None,
) -> dict:
    """The figures of the complaints received in `year` that `user` may read (four
    aggregate queries, however many complaints). `school_limit` keeps the schools with the
    most complaints only (a province has thousands: the page shows the first, the XLSX all);
    `more_schools` then says whether some were left out."""
    today = today or timezone.localdate()
    qs = figures_queryset(user, year=year, office=office)
    counts = _counts(today)
    totals = _finish(qs.aggregate(**counts, merged=Count("pk", filter=Q(status=Status.MERGED))))
    counted = qs.exclude(status=Status.MERGED)
    labels = dict(Category.choices)
    by_category = {
        row["category"]: _finish(row) for row in counted.values("category").annotate(**counts)
    }
    categories = [
        {"category": value, "label": labels[value], **by_category[value]}
        for value in Category.values
        if value in by_category
    ]
    by_school = (
        counted.values("school_id", "school__name", "school__code", "office__name")
        .annotate(**counts)
        .order_by("-received", "school__code", "office__name")
    )
    if school_limit is not None:
        by_school = by_school[: school_limit + 1]  # one more: were some left out?
    schools = [_finish(row) for row in by_school]
    more_schools = school_limit is not None and len(schools) > school_limit
    schools = schools[:school_limit] if more_schools else schools
    months = {
        row["month"].astimezone(SHANGHAI).month: _finish(row)
        for row in counted.annotate(month=TruncMonth("received_at", tzinfo=SHANGHAI))
        .values("month")
        .annotate(**counts)
        .order_by("month")
    }
    last_month = 12 if year < today.year else (today.month if year == today.year else 0)
    empty = dict.fromkeys(counts, 0)
    by_month = [
        {**(months.get(m) or _finish(dict(empty))), "month": f"{year}-{m:02d}"}
        for m in range(1, max(last_month, max(months, default=0)) + 1)
    ]
    return {
        "year": year,
        "totals": totals,
        "categories": categories,
        "schools": schools,
        "more_schools": more_schools,
        "months": by_month,
    }


def figure_offices(user):
    """The offices a reader of the figures may choose between (a viewer's counties)."""
    if user.is_superuser or user.role == Role.VIEWER:
        return offices_for(user).select_related("region")
    return offices_for(user).none()
