"""The supervision dashboard (督导看板): one page that adapts to the role: the county for an
office admin, the zones for a zone leader, the own schools for an inspector, every county of
the region for a city or province viewer (with a per-county table), everything for the
superuser. Figures come from `figures.dashboard`; the same dict is served as JSON."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dudao.core.db_routers import reads_from_replica

from . import figures
from .forms import DashboardFilterForm


def _ledger_url(scope, **params):
    """A link into the ledger (台账) showing the rows a figure counts, or "" while the
    ledger's URL does not exist."""
    try:
        base = reverse("rectification:ledger")
    except NoReverseMatch:
        return ""
    query = {**scope.ledger_params, **{k: v for k, v in params.items() if v not in ("", None)}}
    return f"{base}?{urlencode(query)}" if query else base


def _school_url(pk):
    try:
        return reverse("schools:detail", args=[pk])
    except NoReverseMatch:  # pragma: no cover
        return ""


def add_links(scope, data: dict) -> dict:
    found = data["findings"]
    found["open_url"] = _ledger_url(scope, status="active")
    found["overdue_url"] = _ledger_url(scope, status="active", overdue="yes")
    found["escalated_url"] = _ledger_url(scope, status="active", escalated="any")
    for bucket in found["by_age"]:
        bucket["url"] = _ledger_url(
            scope, status="active", found_from=bucket["found_from"], found_to=bucket["found_to"]
        )
    for item in found["by_area"]:
        item["url"] = _ledger_url(scope, status="active", area=item["area"])
    for school in data["coverage"]["unvisited"]:
        school["url"] = _school_url(school["id"])
    if data["level"] == figures.Level.SCHOOL:
        for row in data["rows"]:
            row["url"] = _school_url(row["id"])
    return data


def _build(request):
    user = request.user
    if not figures.can_view(user):
        raise PermissionDenied
    params = request.GET.copy()
    if not params.get("month"):
        params["month"] = f"{timezone.localdate():%Y-%m}"
    form = DashboardFilterForm(params, user=user)
    form.is_valid()
    year, month, office, zone = form.choices()
    scope = figures.scope_for(user, office=office, zone=zone)
    data = add_links(scope, figures.dashboard(scope, year, month, timezone.localdate()))
    return form, scope, data


@reads_from_replica()  # heavy and read-only: the replica when there is one (docs/scaling.md)
def overview(request):
    form, scope, data = _build(request)
    context = {
        "form": form,
        "scope": scope,
        "data": data,
        "coverage": data["coverage"],
        "findings": data["findings"],
        "six": data["six_minimums"],
        "six_steps": list(enumerate(data["six_minimums"]["distribution"])),
    }
    return render(request, "dashboards/overview.html", context)


@reads_from_replica()
def overview_data(request):
    _form, _scope, data = _build(request)
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
