"""The city and province roll-up pages (docs/rules.md §28): the counties compared for a
month, the region's monthly and annual summary, their XLSX, and the drill-down into one
county's read-only dashboard. For city and province accounts (viewers over a region) and
the superuser; read-only (GET), from the replica when there is one."""

import io
import re
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from dudao.accounts import scoping
from dudao.core.db_routers import reads_from_replica
from dudao.reports import exporter

from . import figures

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def _viewer(request):
    if not figures.can_view(request.user):
        raise PermissionDenied


def _month(request) -> tuple[int, int]:
    """The month asked for (?month=YYYY-MM), at most the last complete month (§28: the
    figures of a month that has ended); the last complete month by default."""
    latest = figures.default_month(timezone.localdate())
    found = MONTH.match(request.GET.get("month", "").strip())
    if not found:
        return latest
    year, month = int(found[1]), int(found[2])
    if not (1 <= month <= 12 and year >= 2000) or (year, month) > latest:
        return latest
    return year, month


def _year(request) -> int:
    latest = timezone.localdate().year
    value = request.GET.get("year", "").strip()
    return int(value) if value.isdigit() and 2000 <= int(value) <= latest else latest


def _months_offered(latest: tuple[int, int], n: int = 24) -> list[str]:
    year, month = latest
    out = []
    for _i in range(n):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out


@require_GET
@reads_from_replica()
def overview(request):
    _viewer(request)
    year, month = _month(request)
    data = figures.overview(request.user, year, month)
    for row in data["rows"]:
        row["url"] = reverse("rollup:county", args=[row["id"]]) + f"?month={data['month']}"
    context = {
        "data": data,
        "total": data["total"],
        "region": figures.region_name(request.user),
        "months": _months_offered(figures.default_month(timezone.localdate())),
        "year": year,
    }
    return render(request, "rollup/overview.html", context)


@require_GET
@reads_from_replica()
def overview_data(request):
    _viewer(request)
    year, month = _month(request)
    return JsonResponse(
        figures.overview(request.user, year, month), json_dumps_params={"ensure_ascii": False}
    )


def county(request, pk):
    """Drill-down: the county's own dashboard (read-only for a viewer), for the month. Any
    method: it only redirects (a county outside the reader's region: 404)."""
    _viewer(request)
    office = scoping.get_or_404(scoping.offices_for(request.user), pk=pk)
    year, month = _month(request)
    query = urlencode({"office": office.pk, "month": f"{year:04d}-{month:02d}"})
    return HttpResponseRedirect(f"{reverse('dashboards:overview')}?{query}")


def _period(request) -> tuple[int, int | None]:
    """?year=YYYY for the annual summary, ?month=YYYY-MM for a month's."""
    if request.GET.get("month"):
        return _month(request)
    return _year(request), None


@require_GET
@reads_from_replica()
def summary(request):
    _viewer(request)
    year, month = _period(request)
    data = figures.summary(request.user, year, month)
    context = {
        "data": data,
        "region": figures.region_name(request.user),
        "months": _months_offered(figures.default_month(timezone.localdate())),
        "years": list(range(timezone.localdate().year, 2019, -1))[:8],
        "query": urlencode({"month": f"{year:04d}-{month:02d}"} if month else {"year": year}),
    }
    return render(request, "rollup/summary.html", context)


@require_GET
@reads_from_replica()
def summary_xlsx(request):
    _viewer(request)
    year, month = _period(request)
    result = exporter.export("rollup_summary", exporter.XLSX, request.user, year, month)
    response = FileResponse(io.BytesIO(result.content), content_type=result.content_type)
    response["Content-Disposition"] = exporter.content_disposition(result.filename)
    return response
