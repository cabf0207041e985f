"""The rectification ledger (整改台账): the office's list of findings with its filters.

`filtered_findings(user, params)` is the one place the ledger's rows are chosen: the ledger
page, its Excel export and the dashboards' cross-checks all call it, so a figure counted on
a dashboard and the same figure counted in the ledger cannot drift apart.

It returns the bare rows (no join, no annotation), so a page is cut before anything is joined:
the ledger counts and pages the ids (`page_ids`), then loads that page's rows with what a row
shows (`rows_by_id`: the school, the inspector, the school's measures, the follow-up date), the
page's ids being a subquery with its LIMIT. On a province's 972 642 findings, joining and
annotating before the LIMIT took 4.8 s of SQL (issue 10, docs/benchmarks.md). The indexes
that let every filter and the order seek are on `Finding`.
"""

from django import forms
from django.db.models import Case, DateTimeField, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from dudao.accounts import scoping
from dudao.accounts.models import Role
from dudao.core.lookups import LookupField
from dudao.core.sorting import natural_sorted
from dudao.core.supervision_items import ITEM_CHOICES

from .models import (
    ACTIVE_STATUSES,
    Escalation,
    Finding,
    FindingStatus,
    FollowUp,
    Response,
    Severity,
)


class CountedChoiceIterator(forms.models.ModelChoiceIterator):
    """A short list of choices (a county's zones) in the order people count them (第二 before
    第十, `dudao.core.sorting`), sorted in Python: no extra query."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in natural_sorted(self.queryset, str):
            yield self.choice(obj)


class CountedModelChoiceField(forms.ModelChoiceField):
    iterator = CountedChoiceIterator


class LedgerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    office = forms.ModelChoiceField(
        label=_("Supervision office"),
        required=False,
        queryset=None,
        empty_label=_("All offices"),
    )
    zone = CountedModelChoiceField(
        label=_("Zone"), required=False, queryset=None, empty_label=_("All zones")
    )
    inspector = LookupField(
        "inspector",
        label=_("Responsible inspector"),
        required=False,
        empty_label=_("All inspectors"),
    )
    school = LookupField("school", label=_("School"), required=False, empty_label=_("All schools"))
    area = forms.TypedChoiceField(
        label=_("Supervision item"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All items")), *ITEM_CHOICES],
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("All severities")), *Severity.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All statuses")), ("active", _("Not closed")), *FindingStatus.choices],
    )
    overdue = forms.ChoiceField(
        label=_("Overdue"),
        required=False,
        choices=[("", _("Any")), ("yes", _("Overdue")), ("no", _("Not overdue"))],
    )
    escalated = forms.ChoiceField(
        label=_("Escalated to"),
        required=False,
        choices=[("", _("Any")), ("any", _("Escalated")), *Escalation.choices],
    )
    found_from = forms.DateField(
        label=_("Found from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    found_to = forms.DateField(
        label=_("Found until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offices = scoping.offices_for(user)
        self.fields["office"].queryset = offices.order_by("name")
        if not user.is_superuser and user.role != Role.VIEWER:
            del self.fields["office"]  # one office only: nothing to choose
        self.fields["zone"].queryset = scoping.zones_for(user).order_by("pk")
        self.fields["inspector"].set_scope(user)
        self.fields["school"].set_scope(user)

    def clean(self):
        data = super().clean()
        start, end = data.get("found_from"), data.get("found_to")
        if start and end and start > end:
            self.add_error("found_to", _("The end date is before the start date."))
        return data


def apply_filters(qs: QuerySet[Finding], data: dict) -> QuerySet[Finding]:
    q = (data.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(description__icontains=q) | Q(school__name__icontains=q) | Q(school__code=q)
        )
    if data.get("office"):
        qs = qs.filter(office=data["office"])
    if data.get("zone"):
        qs = qs.filter(school__zone=data["zone"])
    if data.get("inspector"):
        qs = qs.filter(inspector=data["inspector"])
    if data.get("school"):
        qs = qs.filter(school=data["school"])
    if data.get("area"):
        qs = qs.filter(area=data["area"])
    if data.get("severity"):
        qs = qs.filter(severity=data["severity"])
    status = data.get("status")
    if status == "active":
        qs = qs.filter(status__in=ACTIVE_STATUSES)
    elif status:
        qs = qs.filter(status=status)
    if data.get("overdue") == "yes":
        qs = qs.filter(is_overdue=True)
    elif data.get("overdue") == "no":
        qs = qs.filter(is_overdue=False)
    escalated = data.get("escalated")
    if escalated == "any":
        qs = qs.exclude(escalated_to=Escalation.NONE)
    elif escalated:
        qs = qs.filter(escalated_to=escalated)
    if data.get("found_from"):
        qs = qs.filter(found_on__gte=data["found_from"])
    if data.get("found_to"):
        qs = qs.filter(found_on__lte=data["found_to"])
    return qs


ORDER = ("-found_on", "-pk")


def filtered_findings(user, params=None) -> tuple[LedgerFilterForm, QuerySet[Finding]]:
    """The user's findings filtered by the ledger's query parameters, newest first (ORDER),
    bare: nothing joined or annotated (`with_row_data` adds what a row shows). An invalid
    filter shows nothing rather than everything (the form carries the errors)."""
    form = LedgerFilterForm(params or None, user=user)
    qs = scoping.findings_for(user)
    if form.is_bound and not form.is_valid():
        return form, qs.none()
    data = form.cleaned_data if form.is_bound else {}
    return form, apply_filters(qs, data).order_by(*ORDER)


def page_ids(qs: QuerySet[Finding]) -> QuerySet:
    """The ids of `filtered_findings`' rows, in its order: what the paginator counts and
    cuts (an index-only count and a LIMIT on the ledger's indexes)."""
    return qs.values_list("pk", flat=True)


def with_row_data(qs: QuerySet[Finding], follow_up: str = "last_follow_up") -> QuerySet[Finding]:
    """What a ledger row shows (docs/rules.md §10): the school, the inspector, the school's
    own rectification measures (整改措施: the text of its latest response, `response_text`)
    and the follow-up date (复查日期, `follow_up`: the latest follow-up check, or for a
    finding closed on the spot the closing moment). Correlated subqueries: run on the page's
    rows only (`rows_by_id`), never before the LIMIT."""
    latest_response = (
        Response.objects.filter(finding=OuterRef("pk"))
        .order_by("-submitted_at", "-pk")
        .values("text")[:1]
    )
    qs = with_last_follow_up(qs.select_related("school", "inspector"), "checked_on")
    on_the_spot = Case(
        When(
            deadline_kind=Finding.DeadlineKind.ON_THE_SPOT,
            status=FindingStatus.CLOSED,
            then=F("closed_at"),
        ),
        output_field=DateTimeField(),
    )
    return qs.annotate(
        response_text=Subquery(latest_response),
        **{follow_up: Coalesce(F("checked_on"), on_the_spot)},
    )


def rows_by_id(qs: QuerySet[Finding], ids) -> list[Finding]:
    """The rows of `ids` (a page cut from `qs`, a `filtered_findings` queryset: a list, or
    the page's sliced `page_ids` queryset, which runs as a subquery) with their row data, in
    the ledger's order. One query, bounded by the page."""
    if isinstance(ids, list | tuple) and not ids:
        return []
    return list(with_row_data(qs.filter(pk__in=ids)).order_by(*ORDER))


def with_last_follow_up(qs: QuerySet[Finding], name: str = "last_follow_up") -> QuerySet[Finding]:
    """Add the date of the latest follow-up check (复查日期). A correlated subquery, not a
    GROUP BY: the database computes it only for the rows of the page, not for every finding
    of the county before the LIMIT."""
    latest = (
        FollowUp.objects.filter(finding=OuterRef("pk"))
        .order_by("-checked_at")
        .values("checked_at")[:1]
    )
    return qs.annotate(**{name: Subquery(latest)})
